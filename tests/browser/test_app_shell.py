"""Sign in, the live Overview, roles, and Admin → Staff, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from actors.customers import register_customer
from models import AuditEntry, StaffUser
from models.db import session_scope
from models.enums import Role
from models.refusals import SENTENCES
from tests.browser.conftest import PASSWORD, add_staff, sign_in, wait_hydrated
from tests.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def test_unknown_visitors_are_sent_to_sign_in_and_wrong_passwords_explained(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    page.goto(f"{app.frontend_url}/customers")
    page.wait_for_url("**/login")
    page.wait_for_selector("#login-submit:enabled")
    page.fill("#login-email", "boss@vschool.test")
    page.fill("#login-password", "not-it-at-all")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text(SENTENCES["error_login_wrong"][1])  # a visitor reads Thai first


def test_overview_counter_changes_live_when_a_worker_writes(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    pages = [new_page(), new_page()]  # two staff browsers watching
    for page in pages:
        sign_in(page, app, "boss@vschool.test")
        expect(page.locator("#counter-customers")).to_have_text("0")
        page.evaluate("window.__no_reload_marker = 42")

    register_customer.send("facebook", "PAGE1", "7100000000000001")  # runs in the app's worker

    for page in pages:
        expect(page.locator("#counter-customers")).to_have_text("1", timeout=15_000)
        assert page.evaluate("window.__no_reload_marker") == 42  # same document: no reload


def test_session_survives_a_reload_and_sign_out_ends_it(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.reload()
    wait_hydrated(page)
    expect(page.locator("#signed-in-user")).to_have_text("Boss")
    page.click("#sign-out")
    page.wait_for_url("**/login")
    page.goto(f"{app.frontend_url}/")
    page.wait_for_url("**/login")


def test_an_agent_cannot_open_admin_pages(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    add_staff("nok@vschool.test", Role.AGENT)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    expect(page.locator("#nav-inbox")).to_be_visible()
    expect(page.locator("#nav-admin")).to_have_count(0)
    page.goto(f"{app.frontend_url}/admin/staff")
    page.wait_for_url(f"{app.frontend_url}/")
    expect(page.locator("#page-error")).to_be_visible()
    expect(page.locator(".staff-row")).to_have_count(0)


def test_admin_creates_changes_and_deactivates_staff_with_an_audit_trail(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.click("#nav-admin")
    expect(page.locator(".staff-row")).to_have_count(1)  # the page has its data: the form is live
    page.fill("#new-staff-name", "Khun Mint")
    page.fill("#new-staff-email", "mint@vschool.test")
    page.fill("#new-staff-password", PASSWORD)
    page.click("#new-staff-submit")
    expect(page.locator("#staff-message")).to_contain_text("mint@vschool.test")
    row = page.locator(".staff-row", has_text="mint@vschool.test")
    expect(row).to_have_count(1)

    with session_scope() as s:
        mint = s.exec(select(StaffUser).where(StaffUser.email == "mint@vschool.test")).one()
    assert mint.role == Role.AGENT  # the form's role picker sent its default
    page.locator(f"#role-{mint.id}").click()
    page.get_by_role("option", name="การตลาด").click()  # roles offered in the admin's Thai
    expect(page.locator("#staff-message")).to_have_text("mint@vschool.test มีบทบาทเป็นการตลาดแล้ว")  # in the admin's Thai
    row.locator(".staff-reset").click()  # a one-time link to choose a new password
    expect(page.locator("#staff-message")).to_contain_text("/reset?code=")
    link = re.search(r"http\S+/reset\?code=\S+", page.locator("#staff-message").inner_text()).group(0)
    reset: Page = new_page()
    reset.goto(link)
    reset.wait_for_selector("#reset-submit:enabled")
    reset.fill("#reset-new", "mint-chooses-this-one")
    reset.fill("#reset-repeat", "mint-chooses-this-one")
    reset.click("#reset-submit")
    expect(reset.locator("#reset-done")).to_be_visible()
    row.locator(".staff-deactivate").click()
    expect(page.locator("#staff-message")).to_contain_text("ปิดการใช้งาน mint@vschool.test")

    def audited() -> list[str]:
        with session_scope() as s:
            return [a.action for a in s.exec(select(AuditEntry).order_by(AuditEntry.id))]

    wait_until(lambda: audited()[-5:] == ["staff.create", "staff.change_role", "staff.reset_issued", "staff.reset_used", "staff.deactivate"])
    # the trail reads as sentences in the admin's Thai, naming who acted and on whom
    expect(page.locator(".audit-row").first).to_have_attribute("data-action", "staff.deactivate")
    expect(page.locator(".audit-row").first.locator(".audit-what")).to_have_text("Boss ปิดการใช้งาน mint@vschool.test")
    expect(page.locator("#audit-table")).to_contain_text("Boss ออกลิงก์ตั้งรหัสผ่านใหม่ให้ mint@vschool.test")
    expect(page.locator("#audit-table")).not_to_contain_text("staff.")
    with session_scope() as s:
        mint = s.get(StaffUser, mint.id)
        assert (mint.role, mint.is_active) == ("marketing", False)


def test_language_switch_is_remembered_per_user(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    expect(page.locator("#page-title")).to_have_text("ภาพรวม")  # Thai by default
    page.click("#toggle-language")
    expect(page.locator("#page-title")).to_have_text("Overview")
    page.reload()
    expect(page.locator("#page-title")).to_have_text("Overview")


def test_staff_change_their_own_password_and_other_devices_are_signed_out(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    laptop: Page = new_page()
    sign_in(laptop, app, "nok@vschool.test")
    phone: Page = new_page()
    sign_in(phone, app, "nok@vschool.test")
    laptop.click("#nav-account")
    laptop.fill("#account-current", "not-my-password")
    laptop.fill("#account-new", "nok-new-password-1")
    laptop.fill("#account-repeat", "nok-new-password-1")
    laptop.click("#account-submit")
    expect(laptop.locator("#account-error")).to_have_text(SENTENCES["error_current_password"][1])
    laptop.fill("#account-current", PASSWORD)
    laptop.click("#account-submit")
    expect(laptop.locator("#account-notice")).to_be_visible()
    phone.click("#nav-customers")  # the other device's next click
    phone.wait_for_url("**/login")
    laptop.click("#nav-customers")  # this one stays signed in
    expect(laptop.locator("#page-title")).to_have_text("ลูกค้า")

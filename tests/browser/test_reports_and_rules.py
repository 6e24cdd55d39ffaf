"""The reports page and Admin → Automation rules, used as staff would (Thai first), on a phone
and a laptop: figures from the demo data, a breakdown, the CSV, and a rule added from the form."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from models.automation import AutomationRule
from models.db import session_scope
from models.enums import Role
from tests.browser.conftest import add_staff, sign_in, wait_hydrated
from tests.browser.test_screens import _artifacts
from vschool.demo import load_demo_data

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def test_reports_show_the_demo_figures_in_thai_break_down_by_label_and_export_csv(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    with session_scope() as s:
        load_demo_data(s, customers=12, days=3)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    today = datetime.now(ZoneInfo("Asia/Bangkok")).date()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{app.frontend_url}/reports")
        wait_hydrated(page)
        expect(page.locator("#page-title")).to_have_text("รายงาน")
        expect(page.locator("#rp-opened")).not_to_have_text("0", timeout=10_000)
        expect(page.locator("#rp-frt-median")).to_contain_text("นาที")
        expect(page.locator("#rp-range-shown")).to_contain_text(f"{today.year + 543}")  # the range in Thai, Buddhist era
        # a phone or a narrow tablet gets the breakdown as cards inside its card, a laptop the table
        expect(page.locator("#rp-row-cards" if width < 992 else "#rp-table")).to_be_visible()
        expect(page.locator("#rp-table" if width < 992 else "#rp-row-cards")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(_artifacts() / f"reports-{width}-th.png"), full_page=True)
    expect(page.locator("#rp-table")).to_contain_text("(ไม่ระบุ / กล่องข้อความเพจ)")  # by agent: the demo's replies name nobody
    page.click("#rp-dimension")
    page.get_by_role("option", name="ช่องทาง").click()
    expect(page.locator("#rp-table")).to_contain_text("Messenger")
    with page.expect_download() as download:
        page.click("#rp-csv")
    assert download.value.suggested_filename.startswith("vschool-reports-")


def test_an_admin_adds_a_rule_from_the_form_and_sees_it_listed(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    with session_scope() as s:
        load_demo_data(s, customers=2, days=1)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{app.frontend_url}/admin/automation")
    wait_hydrated(page)
    expect(page.locator(".au-rule")).to_have_count(1)  # the demo's example rule
    page.fill("#au-name", "ใบกำกับภาษี → Corporate")
    page.fill("#au-text-contains", "ใบกำกับภาษี")
    page.click("#au-label")
    page.get_by_role("option", name="VIP").click()
    page.click("#au-save")
    expect(page.locator(".au-rule")).to_have_count(2)
    page.screenshot(path=str(_artifacts() / "automation-390-th.png"), full_page=True)
    with session_scope() as s:
        rule = s.exec(select(AutomationRule).where(AutomationRule.name == "ใบกำกับภาษี → Corporate")).one()
        assert (rule.conditions["text_contains"], rule.actions["label"]) == ("ใบกำกับภาษี", "VIP")

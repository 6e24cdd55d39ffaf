"""Admin pages that run one change and say what happened (vschool/state/auth.run_change), in
Thai on a phone: a refused change says why and writes nothing; an accepted one says so, is
audited and shows in the page."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from models.db import session_scope
from models.enums import Role
from models.hours import Holiday
from models.ops import AuditEntry
from models.teams import Team
from tests.browser.conftest import add_staff, sign_in, wait_hydrated

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def _audited(action: str) -> int:
    with session_scope() as s:
        return len(s.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_hours_and_teams_changes_say_what_happened_or_why_not_in_thai(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{app.frontend_url}/admin/hours")
    wait_hydrated(page)

    page.fill("#holiday-day", "10 ธันวา")  # not a date
    page.click("#holiday-add")
    expect(page.locator("#hours-error")).to_contain_text("ไม่ใช่วันที่ กรอกแบบ ปปปป-ดด-วว")
    expect(page.locator("#hours-message")).to_have_count(0)
    page.fill("#holiday-day", "2027-03-03")
    page.locator("input[name=name_th]").fill("วันหยุดโรงเรียน")
    page.locator("input[name=name_en]").fill("School day off")
    page.click("#holiday-add")
    expect(page.locator("#hours-message")).to_have_text("บันทึกวันหยุดแล้ว")
    expect(page.locator("#hours-error")).to_have_count(0)
    with session_scope() as s:
        assert s.exec(select(Holiday).where(Holiday.name_th == "วันหยุดโรงเรียน")).one().day.isoformat() == "2027-03-03"
    assert _audited("hours.holiday_add") == 1

    page.goto(f"{app.frontend_url}/admin/teams")
    wait_hydrated(page)
    page.click("#team-add")  # no name
    expect(page.locator("#teams-error")).to_contain_text("ชื่อทีมต้องยาว")
    page.fill("#team-name", "Diploma")
    page.click("#team-add")
    expect(page.locator("#teams-message")).to_have_text("บันทึกแล้ว")
    expect(page.locator(".team-card")).to_contain_text("Diploma")
    with session_scope() as s:
        assert [t.name for t in s.exec(select(Team))] == ["Diploma"]
    assert _audited("team.create_team") == 1


def test_a_catalog_product_is_refused_without_a_name_then_saved_with_its_name_said(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.goto(f"{app.frontend_url}/catalog")
    wait_hydrated(page)
    page.click("#product-new")
    page.fill("#product-sku", "SUSHI-PRO")
    page.click("#product-save")
    expect(page.locator("#catalog-error")).to_have_text("กรอกชื่อภาษาอังกฤษ")
    page.fill("#product-name", "Professional Sushi")
    page.fill("#product-price", "24900")
    page.click("#product-save")
    expect(page.locator("#catalog-notice")).to_have_text("บันทึก Professional Sushi แล้ว")
    expect(page.locator("#catalog-error")).to_have_count(0)
    assert _audited("product.save") == 1

"""Admin → Import and Export in the browser, in Thai: an admin uploads a Thai spreadsheet, sees
the columns mapped, previews what each row will do, imports with progress; a marketing user
exports customers without contact details and cannot open the import page. The pages fit a
phone and a laptop (screenshots kept under test-artifacts/screens)."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, Role
from models.settings import get_settings
from tests.browser.conftest import add_staff, sign_in
from tests.browser.test_screens import OUT_OF_VIEW, _artifacts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]
SHEET = (
    "ชื่อลูกค้า,เบอร์โทร,อีเมล,ไอดีเมสเซนเจอร์,แท็ก\n"
    "สมศรี มีสุข,081-234-5678,somsri@example.com,7300000000000001,ซูชิ\n"
    "Somsri M.,+66 81 234 5678,,,\n"
    "วิชัย ใจงาม,089-111-2222,,7300000000000003,ราเมน\n"
)


def _fits(page: Page, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(300)
        page.screenshot(path=str(_artifacts() / f"{name}-{width}-th.png"), full_page=True)
        assert page.evaluate(OUT_OF_VIEW) == [], f"{name} at {width}px"


def test_an_admin_imports_a_thai_spreadsheet_with_preview_and_progress(new_page, app, tmp_path: Path) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    with session_scope() as s:
        find_or_create_customer(s, Channel.FACEBOOK, get_settings().page_id, "7300000000000003")  # Wichai writes on Messenger already
    sheet = tmp_path / "ลูกค้า.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.click("#nav-import_data")
    page.locator("#import-upload input[type=file]").set_input_files(str(sheet))
    page.click("#import-read")
    expect(page.locator(".mapping-row")).to_have_count(5)
    expect(page.locator(".mapping-row").nth(3)).to_contain_text("(PSID)")  # guessed from the Thai header
    page.click("#import-preview")
    expect(page.locator(".preview-row")).to_have_count(3)
    expect(page.locator(".preview-row").nth(0)).to_contain_text("สร้างใหม่")
    expect(page.locator(".preview-row").nth(1)).to_contain_text("อาจซ้ำ")
    expect(page.locator(".preview-row").nth(1)).to_contain_text("แถว 2")  # a duplicate of the row above, said in Thai
    expect(page.locator(".preview-row").nth(2)).to_contain_text("อัปเดต")
    _fits(page, "import")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#import-run")
    expect(page.locator("#import-message")).to_contain_text("นำเข้าแล้ว")
    expect(page.locator("#import-progress")).to_contain_text("3 / 3")
    with session_scope() as s:
        names = set(s.execute(sa.text("SELECT display_name FROM customer")).scalars())
        audited = s.execute(sa.text("SELECT detail FROM audit_entry WHERE action = 'import.customers'")).scalar_one()
    assert names == {"สมศรี มีสุข", "วิชัย ใจงาม"}  # the likely duplicate was not created
    assert (audited["create"], audited["update"], audited["duplicate"]) == (1, 1, 1)


def test_a_marketing_user_exports_customers_without_contact_details(new_page, app) -> None:
    add_staff("mkt@vschool.test", Role.MARKETING)
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, Channel.FACEBOOK, get_settings().page_id, "7300000000000009")
        customer.display_name, customer.phone = "มานี มีนา", "0812345678"
    page: Page = new_page()
    sign_in(page, app, "mkt@vschool.test")
    expect(page.locator("#nav-import_data")).to_have_count(0)
    page.click("#nav-export_data")
    _fits(page, "export")
    page.set_viewport_size({"width": 1280, "height": 800})
    with page.expect_download() as download:
        page.click("#export-customers-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "มานี มีนา" in text and "รหัสลูกค้า" in text
    assert "0812345678" not in text and "เบอร์โทร" not in text
    page.goto(f"{app.frontend_url}/admin/import")
    expect(page).to_have_url(f"{app.frontend_url}/")  # not for marketing: back to the overview

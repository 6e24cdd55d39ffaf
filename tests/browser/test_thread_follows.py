"""The open thread follows a conversation as it happens: read at the bottom, each new message
from the customer's phone comes into view without scrolling."""

import pytest
from playwright.sync_api import Page, expect

from models.enums import Role
from tests.browser.conftest import add_staff, customer_phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def _bottom_in_view(page: Page) -> bool:
    return page.evaluate(
        "() => { const t = document.getElementById('thread'); return t.scrollHeight - t.scrollTop - t.clientHeight < 4; }"
    )


def test_new_messages_come_into_view_in_an_open_thread(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    inbox: Page = new_page()
    inbox.set_viewport_size({"width": 390, "height": 700})
    sign_in(inbox, app, "nok@vschool.test")
    inbox.goto(f"{app.frontend_url}/inbox")
    phone: Page = customer_phone(new_page(), app, "ต้น พิมพ์ยาว")
    phone.fill("#composer", "สวัสดีค่ะ ขอถามหน่อยค่ะ")
    phone.press("#composer", "Enter")
    inbox.locator(".conversation-item").first.click()
    expect(inbox.locator("#thread")).to_contain_text("ขอถามหน่อยค่ะ", timeout=20_000)
    for n in range(1, 9):  # more than the thread holds on a phone
        phone.fill("#composer", f"ข้อความที่ {n} เรื่องคอร์สเรียนค่ะ")
        phone.press("#composer", "Enter")
        expect(inbox.locator("#thread")).to_contain_text(f"ข้อความที่ {n} ", timeout=20_000)
    inbox.wait_for_timeout(500)
    assert inbox.evaluate("() => { const t = document.getElementById('thread'); return t.scrollHeight > t.clientHeight; }")
    assert _bottom_in_view(inbox)  # the newest message is in view, with no scrolling by hand

    inbox.evaluate("() => { const t = document.getElementById('thread'); t.scrollTop = 0; t.dispatchEvent(new Event('scroll')); }")
    phone.fill("#composer", "อีกเรื่องค่ะ")
    phone.press("#composer", "Enter")
    expect(inbox.locator("#thread")).to_contain_text("อีกเรื่องค่ะ", timeout=20_000)
    inbox.wait_for_timeout(500)
    assert inbox.evaluate("() => document.getElementById('thread').scrollTop") < 10  # reading up the thread: left there

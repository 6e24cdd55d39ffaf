"""The heart of the product, as people use it: a customer types on the simulator's phone, the
message appears live in the inbox, staff answer, the phone receives it, and the read receipt
turns the ticks."""


import pytest
from playwright.sync_api import Page, expect

from models.enums import Role
from tests.browser.conftest import add_staff, customer_phone, sign_in
from vschool.i18n import LABELS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def test_phone_to_inbox_and_back_live(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    inbox: Page = new_page()
    sign_in(inbox, app, "nok@vschool.test")
    # The browser's own Notification, watched: what the page asks the browser to show.
    inbox.context.grant_permissions(["notifications"])
    inbox.add_init_script("""
      window.__notified = [];
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title, options) { super(title, options); window.__notified.push([title, options.body]); }
      };
      Object.defineProperty(window.Notification, 'permission', {get: () => Real.permission});
    """)
    inbox.reload()
    inbox.click("#nav-inbox")
    expect(inbox.locator("#inbox-empty")).to_be_visible()
    expect(inbox).to_have_title("กล่องข้อความ · V School")
    inbox.evaluate("window.__no_reload_marker = 7")

    phone: Page = customer_phone(new_page(), app, "ปิยะนุช ทดสอบ")
    phone.fill("#composer", "สวัสดีค่ะ อยากทราบราคาคอร์สราเมงค่ะ")
    phone.press("#composer", "Enter")

    item = inbox.locator(".conversation-item").first
    expect(item).to_contain_text("อยากทราบราคาคอร์สราเมง", timeout=15_000)  # live, no reload
    expect(item.locator(".unread")).to_have_text("1")
    expect(inbox).to_have_title("(1) กล่องข้อความ · V School")  # the tab says it too
    inbox.wait_for_function("window.__notified.length === 1")  # a new conversation nobody has taken yet
    assert inbox.evaluate("window.__notified[0][0]") == "ข้อความใหม่ · V School"
    assert inbox.evaluate("window.__no_reload_marker") == 7
    item.click()
    expect(inbox.locator(".msg-in")).to_contain_text("สวัสดีค่ะ อยากทราบราคาคอร์สราเมงค่ะ")
    expect(inbox.locator("#window-countdown")).to_contain_text("23 ชม.")
    expect(inbox).to_have_title("กล่องข้อความ · V School")  # read
    expect(inbox.locator("#thread-name")).to_have_text("ปิยะนุช ทดสอบ", timeout=15_000)  # profile fetched
    expect(inbox.locator("#panel-lead-stage")).to_have_text("ใหม่")  # a new lead, in the staff member's Thai

    inbox.fill("#composer", "คอร์สราเมง 3 วัน ราคา 18,900 บาทค่ะ")
    inbox.press("#composer", "Enter")
    expect(phone.locator(".msg-page")).to_contain_text("18,900 บาท", timeout=15_000)
    expect(inbox.locator(".msg-out .tick")).to_have_text("✓✓ อ่านแล้ว", timeout=15_000)  # the phone read it

    phone.fill("#composer", "ขอบคุณค่ะ")
    phone.press("#composer", "Enter")
    expect(inbox.locator(".msg-in")).to_have_count(2, timeout=15_000)


def test_a_refused_reply_says_why_in_the_composer(new_page, app) -> None:
    from datetime import timedelta

    from models import Conversation
    from models.base import utcnow
    from models.customer_rules import find_or_create_customer
    from models.db import session_scope

    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "100000000000001", "24111111111111111")
        s.add(Conversation(customer_id=customer.id, page_id="100000000000001", last_inbound_at=utcnow() - timedelta(days=9), last_message_at=utcnow()))
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.click("#nav-inbox")
    page.locator(".conversation-item").first.click()
    # Staff read Thai by default: the 7 days are named, the box is closed before anyone types, and
    # the page says why and what to do instead.
    expect(page.locator("#window-countdown")).to_have_text(LABELS["window_closed"][1])
    expect(page.locator("#composer")).to_be_disabled()
    expect(page.locator("#send-reply")).to_be_disabled()
    expect(page.locator("#composer-closed")).to_contain_text("เกิน 7 วัน")
    page.get_by_role("radio", name=LABELS["private_note"][1]).click()  # a private note still works
    expect(page.locator("#composer")).to_be_enabled()
    expect(page.locator("#composer-closed")).to_have_count(0)
    page.fill("#composer", "ลูกค้าโทรมาแล้ว จะทักกลับเอง")
    page.press("#composer", "Enter")
    expect(page.locator(".msg-note")).to_contain_text("ลูกค้าโทรมาแล้ว")
    expect(page.locator("#composer")).to_be_disabled()  # back to reply: closed again


def test_canned_responses_with_slash_labels_and_keyboard(new_page, app) -> None:
    from models.db import session_scope
    from vschool.demo import load_demo_data

    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        load_demo_data(s, customers=5, days=1)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.click("#nav-inbox")
    expect(page.locator(".conversation-item")).to_have_count(4)  # one of five is resolved
    # A Thai staff member reads the list's filters in Thai; the values behind them stay the same.
    expect(page.locator("#status-filter")).to_have_text("เปิดอยู่")
    expect(page.locator("#scope-filter")).to_have_text("ทั้งหมด")
    expect(page.locator("#inbox-search")).to_have_attribute("placeholder", LABELS["inbox_search"][1])
    page.locator("body").press("j")  # keyboard: open the first conversation
    expect(page.locator(".conversation-item").first).to_have_attribute("data-selected", "true")
    page.locator("body").press("r")
    page.keyboard.type("/price")  # "/" and a word: the canned replies that match; Enter inserts the first
    page.keyboard.press("Enter")
    expect(page.locator("#composer")).to_have_value(__import__("re").compile("24,900"))

    page.click("#label-menu")
    page.locator(".label-option", has_text="VIP").click()
    expect(page.locator("#panel-labels")).to_contain_text("VIP")
    expect(page.locator("#inbox-notice")).to_have_text("เพิ่มป้ายกำกับ VIP แล้ว")
    page.locator("body").press("?")
    help_card = page.locator("#keyboard-help")
    expect(help_card).to_contain_text("คีย์ลัด")
    expect(help_card).to_contain_text(LABELS["keys_slash"][1])
    expect(help_card).not_to_contain_text("canned")
    page.locator("body").press("Escape")
    expect(help_card).to_have_count(0)

    page.locator("body").press("e")  # resolve: the notice and the thread's status follow the language
    expect(page.locator("#inbox-notice")).to_have_text("ปิดเรื่องแล้ว")
    expect(page.locator("#thread-status")).to_have_text("ปิดแล้ว")
    page.click("#status-filter")
    page.get_by_role("option", name="ปิดแล้ว").click()
    expect(page.locator(".conversation-item")).to_have_count(2)  # the demo's resolved one and this one


def test_a_private_note_looks_like_one_and_the_composer_returns_to_reply(new_page, app) -> None:
    from models.db import session_scope
    from vschool.demo import load_demo_data

    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        load_demo_data(s, customers=2, days=1)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.click("#nav-inbox")
    page.locator(".conversation-item").first.click()
    composer = page.locator("#composer")
    expect(composer).to_have_attribute("placeholder", LABELS["composer_placeholder"][1])
    page.get_by_role("radio", name=LABELS["private_note"][1]).click()
    expect(composer).to_have_attribute("data-mode", "note")
    expect(composer).to_have_attribute("placeholder", LABELS["note_placeholder"][1])
    expect(page.locator("#send-reply")).to_have_text(LABELS["add_note"][1])
    composer.fill("ลูกค้าสนใจคอร์สกลางคืน")
    page.click("#send-reply")
    expect(page.locator(".msg-note")).to_contain_text("ลูกค้าสนใจคอร์สกลางคืน")
    expect(composer).to_have_attribute("data-mode", "reply")  # the next words are a reply again
    expect(composer).to_have_attribute("placeholder", LABELS["composer_placeholder"][1])
    expect(page.locator("#send-reply")).to_have_text(LABELS["send"][1])

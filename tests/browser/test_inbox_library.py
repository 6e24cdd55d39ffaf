"""Labels and canned replies as people use them: an admin manages them in Thai (Admin → Labels,
Admin → Canned replies), an agent types "/" and a few letters in the reply box to pick one with
the keyboard, and the labels menu shows which labels the conversation already has."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from models import AuditEntry
from models.db import session_scope
from models.enums import Role
from tests.browser.conftest import add_staff, sign_in, wait_hydrated
from vschool import demo
from vschool.demo import CANNED, load_demo_data
from vschool.i18n import LABELS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def test_an_admin_creates_edits_and_deletes_a_label_and_a_canned_reply_in_thai(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.click("#nav-admin_labels")
    expect(page.locator("#page-title")).to_have_text("ป้ายกำกับ")
    expect(page.locator("#label-empty")).to_be_visible()
    new = page.locator("#label-new")
    new.locator("input[name=name]").fill("ลูกค้าประจำ")
    new.locator(".label-save").click()
    expect(page.locator("#library-message")).to_have_text("สร้างป้ายกำกับ ลูกค้าประจำ แล้ว")
    row = page.locator(".label-row[data-name=ลูกค้าประจำ]")
    expect(row).to_contain_text("บทสนทนาที่ติดป้ายนี้: 0")
    new.locator("input[name=name]").fill("ลูกค้าประจำ")  # the same name again: refused in Thai
    new.locator(".label-save").click()
    expect(page.locator("#library-error")).to_have_text("มีป้ายกำกับชื่อ ลูกค้าประจำ อยู่แล้ว")

    row.locator(".library-edit").click()
    row.locator("input[name=name]").fill("ลูกค้า VIP")
    row.locator(".label-save").click()
    expect(page.locator("#library-message")).to_have_text("บันทึกป้ายกำกับ ลูกค้า VIP แล้ว")
    row = page.locator(".label-row[data-name='ลูกค้า VIP']")
    row.locator(".library-delete").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("ลูกค้า VIP")
    page.click("#library-delete-confirm")
    expect(page.locator("#library-message")).to_have_text("ลบป้ายกำกับ ลูกค้า VIP และนำออกจากทุกบทสนทนาแล้ว")
    expect(page.locator(".label-row")).to_have_count(0)

    page.goto(f"{app.frontend_url}/admin/canned")
    wait_hydrated(page)
    expect(page.locator("#library-message")).to_have_count(0)  # the other page's notice stays there
    new = page.locator("#canned-new")
    new.locator("input[name=code]").fill("/ที่จอดรถ")
    new.locator("textarea[name=content]").fill("มีที่จอดรถใต้อาคารค่ะ")
    new.locator(".canned-save").click()
    expect(page.locator("#library-message")).to_have_text("สร้างข้อความสำเร็จรูป /ที่จอดรถ แล้ว")
    row = page.locator(".canned-row[data-code=ที่จอดรถ]")
    row.locator(".library-edit").click()
    row.locator("textarea[name=content]").fill("มีที่จอดรถใต้อาคาร จอดฟรี 3 ชั่วโมงค่ะ")
    row.locator(".canned-save").click()
    expect(row.locator(".canned-content")).to_have_text("มีที่จอดรถใต้อาคาร จอดฟรี 3 ชั่วโมงค่ะ")
    row.locator(".library-delete").click()
    page.click("#library-delete-confirm")
    expect(page.locator(".canned-row")).to_have_count(0)
    with session_scope() as s:
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.id)) if e.target_type in ("label", "canned_response")]
    assert actions == ["label.create", "label.update", "label.delete", "canned.create", "canned.update", "canned.delete"]


def test_slash_and_letters_filter_canned_replies_and_enter_inserts_one(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        load_demo_data(s, customers=3, days=1)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.click("#nav-inbox")
    page.locator(".conversation-item").first.click()
    composer = page.locator("#composer")
    expect(page.locator(".msg-in").first).to_be_visible()
    sent_before = page.locator(".msg").count()
    composer.click()
    picker = page.locator("#canned-picker")
    shown = page.locator("#canned-picker .canned-suggestion:not([hidden])")
    page.keyboard.type("/")
    expect(picker).to_be_visible()
    expect(shown).to_have_count(len(CANNED))
    page.keyboard.type("จอด")  # Thai letters from the replies' text: the parking answer only
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-code", "location")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("PRI")  # by its code, in any case
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-code", "price")
    for _ in "PRI":
        page.keyboard.press("Backspace")
    page.keyboard.type("ค่ะ")  # several match: the arrows move, Enter inserts the one chosen
    expect(shown).to_have_count(len(CANNED))
    page.keyboard.press("ArrowDown")
    chosen = page.locator("#canned-picker .canned-suggestion[data-active=true]")
    code = chosen.get_attribute("data-code")
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(composer).to_have_value(dict(CANNED)[code])
    assert page.evaluate("document.activeElement.id") == "composer"  # the cursor is back in the reply box
    page.keyboard.type(" 🙂")
    expect(composer).to_have_value(dict(CANNED)[code] + " 🙂")
    expect(page.locator(".msg")).to_have_count(sent_before)  # Enter inserted the reply, it did not send it

    composer.fill("")
    page.keyboard.type("/zzz")
    expect(picker).to_contain_text(LABELS["canned_none_match"][1])
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(composer).to_have_value("/zzz")


def test_the_labels_menu_marks_the_labels_already_applied(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        load_demo_data(s, customers=3, days=1)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.click("#nav-inbox")
    page.locator(".conversation-item").first.click()
    page.click("#label-menu")
    vip = page.locator(".label-option", has_text="VIP")
    expect(vip).to_have_attribute("data-applied", "false")
    vip.click()
    expect(page.locator("#inbox-notice")).to_have_text("เพิ่มป้ายกำกับ VIP แล้ว")
    expect(page.locator(".label-option")).to_have_count(0)  # the menu has closed before it is opened again
    page.click("#label-menu")
    expect(vip).to_be_visible()
    expect(vip).to_have_attribute("data-applied", "true")
    expect(vip).to_contain_text(LABELS["label_applied"][1])
    expect(page.locator(".label-option[data-applied=true]")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".label-option")).to_have_count(0)
    other = page.locator(".conversation-item").nth(1)
    other.click()  # another conversation: nothing ticked
    expect(other).to_have_attribute("data-selected", "true")
    expect(page.locator("#thread-name")).to_have_text(other.locator(".conversation-name").inner_text())
    page.click("#label-menu")
    expect(page.locator(".label-option").first).to_be_visible()
    expect(page.locator(".label-option[data-applied=true]")).to_have_count(0)
    expect(page.locator(".label-option")).to_have_count(len(demo.LABELS))

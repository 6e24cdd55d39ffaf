"""AI drafts as staff meet them: at L2 a question typed on the simulator's phone becomes a draft
with its sources beside the composer, live; one click sends it; the phone receives it."""

import re

import pytest
from playwright.sync_api import Page, expect

from models.enums import Role
from tests.browser.conftest import add_staff, customer_phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def test_an_l2_draft_with_sources_is_sent_with_one_click_and_reaches_the_phone(new_page, app) -> None:
    from knowledge.ingest import ingest_paths
    from models.db import session_scope
    from tests.conftest import ROOT

    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        ingest_paths(s, [ROOT / "knowledge" / "school"])  # the demo knowledge base; L2 is the default level
    inbox: Page = new_page()
    sign_in(inbox, app, "nok@vschool.test")
    inbox.click("#nav-inbox")
    expect(inbox.locator("#inbox-empty")).to_be_visible()

    phone: Page = customer_phone(new_page(), app, "วรรณา ทดสอบ")
    phone.fill("#composer", "เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ")
    phone.press("#composer", "Enter")

    inbox.locator(".conversation-item").first.click()
    draft = inbox.locator("#ai-draft")
    expect(draft).to_be_visible(timeout=20_000)  # live: the actor's announce, no reload
    expect(inbox.locator("#ai-draft-text")).to_contain_text("24,900 บาท")
    expect(inbox.locator("#ai-confidence")).to_contain_text("0.")
    expect(inbox.locator(".ai-source").first).to_contain_text("courses/sushi.md")  # relative to the knowledge folder
    expect(inbox.locator("#ai-sources")).not_to_contain_text(str(ROOT))  # never the server's absolute path
    sources = inbox.locator(".ai-source").count()  # they scroll with the draft; their number stays in the header
    expect(inbox.locator("#ai-source-count")).to_have_text(re.compile(rf"^{sources}\s"))
    expect(inbox.locator(".msg-out")).to_have_count(0)  # L2: nothing goes out on its own

    inbox.click("#ai-draft-edit")  # while it is edited below, the card sends nothing by itself
    expect(inbox.locator("#ai-draft-editing")).to_be_visible()
    expect(inbox.locator("#ai-draft-send")).to_have_count(0)
    expect(inbox.locator("#composer")).to_have_value(re.compile("24,900 บาท"))
    inbox.locator(".conversation-item").first.click()  # leave and come back: the card offers its buttons again
    inbox.click("#ai-draft-send")
    expect(inbox.locator("#ai-draft")).to_have_count(0)
    expect(inbox.locator(".msg-ai")).to_contain_text("24,900 บาท")
    expect(inbox.locator(".msg-ai")).to_contain_text("AI · Nok")
    expect(phone.locator(".msg-page")).to_contain_text("24,900 บาท", timeout=15_000)
    expect(inbox.locator("#ai-paused")).to_have_count(0)  # sending the AI's draft is not a takeover


def test_admins_set_the_global_level_and_see_the_last_tasks(new_page, app) -> None:
    from models.ai_rules import global_level
    from models.db import session_scope
    from models.ops import AiTask

    add_staff("admin@vschool.test", Role.ADMIN)
    with session_scope() as s:
        s.add(AiTask(prompt="Customer's message: มีที่จอดรถไหม", model="offline-responder-v1", outcome="handoff",
                     reason="Not sure enough: confidence 0.31 is below 0.50.", confidence=0.31, latency_ms=9,
                     reason_sentence={"key": "ai_not_sure", "values": {"confidence": "0.31", "threshold": "0.50"}}))
    page: Page = new_page()
    sign_in(page, app, "admin@vschool.test")
    page.click("#nav-ai_replies")
    expect(page.locator(".ai-task-row")).to_have_count(1)
    expect(page.locator(".ai-task-row")).to_contain_text("ยังไม่มั่นใจพอ: ความมั่นใจ 0.31 ต่ำกว่า 0.50")  # in the admin's Thai
    page.locator(".ai-task-prompt-toggle").click()
    expect(page.locator(".ai-task-prompt")).to_contain_text("มีที่จอดรถไหม")
    page.click("#ai-global-level")
    page.get_by_role("option", name="L3 ส่งอัตโนมัติ").click()  # the levels in the admin's Thai
    expect(page.locator("#ai-admin-message")).to_have_text("ทุกบทสนทนาที่ไม่ได้ตั้งระดับเฉพาะ ตอนนี้ใช้ระดับ L3 ส่งอัตโนมัติ")
    with session_scope() as s:
        assert global_level(s) == 3


def test_a_draft_for_an_earlier_question_waits_in_its_own_fold_until_sent(new_page, app) -> None:
    from knowledge.ingest import ingest_paths
    from models.db import session_scope
    from tests.conftest import ROOT

    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        ingest_paths(s, [ROOT / "knowledge" / "school"])
    inbox: Page = new_page()
    sign_in(inbox, app, "nok@vschool.test")  # Thai, the default
    inbox.click("#nav-inbox")

    phone: Page = customer_phone(new_page(), app, "มานี ถามสามเรื่อง")
    phone.fill("#composer", "มีลิฟต์สำหรับรถเข็นไหมคะ")
    phone.press("#composer", "Enter")
    inbox.locator(".conversation-item").first.click()
    expect(inbox.locator("#ai-handoff-reason")).to_contain_text("ลิฟต์", timeout=20_000)  # no document says
    phone.fill("#composer", "เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ")
    phone.press("#composer", "Enter")
    expect(inbox.locator("#ai-draft-text")).to_contain_text("24,900", timeout=20_000)
    phone.fill("#composer", "ที่อยู่โรงเรียนอยู่ที่ไหนคะ")
    phone.press("#composer", "Enter")

    expect(inbox.locator("#ai-draft-text")).to_contain_text("สุขุมวิท", timeout=20_000)  # the newest question's draft
    fold = inbox.locator("#ai-earlier")
    expect(fold).to_contain_text("ข้อความก่อนหน้าที่ยังรออยู่ (2)")  # the price draft was not thrown away
    fold.locator("summary").click()
    handed = fold.locator(".earlier-handoff")  # nor the lift question, still a person's to answer
    expect(handed.locator(".earlier-question")).to_contain_text("ลิฟต์")
    expect(handed.locator(".earlier-reason")).to_contain_text("ไม่มีเอกสารที่พูดถึง")
    earlier = fold.locator(".earlier-draft")
    expect(earlier.locator(".earlier-question")).to_contain_text("ค่าเรียนเท่าไหร่คะ")
    expect(earlier.locator(".earlier-text")).to_contain_text("24,900")
    earlier.locator(".earlier-send").click()
    expect(fold.locator(".earlier-draft")).to_have_count(0)
    expect(fold).to_contain_text("ข้อความก่อนหน้าที่ยังรออยู่ (1)")  # the hand-off waits for a person
    expect(phone.locator(".msg-page")).to_contain_text("24,900", timeout=15_000)
    expect(inbox.locator("#ai-draft-text")).to_contain_text("สุขุมวิท")  # the address draft still waits
    inbox.fill("#composer", "ยังไม่มีลิฟต์ค่ะ ขออภัยค่ะ")
    inbox.click("#send-reply")
    expect(inbox.locator("#ai-earlier")).to_have_count(0)  # a person answered: nothing waits any more


def test_a_hand_off_that_needs_no_reply_is_set_aside_from_the_card(new_page, app) -> None:
    add_staff("dao@vschool.test", Role.AGENT)
    inbox: Page = new_page()
    sign_in(inbox, app, "dao@vschool.test")  # Thai, the default
    inbox.click("#nav-inbox")
    phone: Page = customer_phone(new_page(), app, "ดาว ถามเรื่องลิฟต์")
    phone.fill("#composer", "มีลิฟต์สำหรับรถเข็นไหมคะ")
    phone.press("#composer", "Enter")
    inbox.locator(".conversation-item").first.click()
    expect(inbox.locator("#ai-handoff-reason")).to_contain_text("ลิฟต์", timeout=20_000)
    inbox.click("#ai-handoff-dismiss")
    expect(inbox.locator("#inbox-notice")).to_contain_text("ไม่ต้องตอบ")
    expect(inbox.locator("#ai-handoff")).to_have_count(0)
    inbox.reload()  # set aside in the database, not only on this page
    inbox.locator(".conversation-item").first.click()
    expect(inbox.locator("#thread")).to_contain_text("มีลิฟต์สำหรับรถเข็นไหมคะ")
    expect(inbox.locator("#ai-handoff")).to_have_count(0)

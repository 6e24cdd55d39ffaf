"""AI answers as a customer and staff meet them: questions typed on the simulator's phone (a
price, a next start date, the address, a two-part question, one the documents cannot answer)
become drafts stating the fact — or a hand-off card whose reason staff can act on, with the
figures folded away; an admin's edit of a school fact changes the next answer. Screenshots of
the inbox at 1280 and 390 px are kept under `VSCHOOL_ARTIFACTS_DIR/ai-answers/`."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from models.enums import Role
from tests.browser.conftest import add_staff, customer_phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]
SHOTS = Path(os.environ.get("VSCHOOL_ARTIFACTS_DIR", "test-artifacts")) / "ai-answers"


def _ask(phone: Page, inbox: Page, question: str, shot: str) -> None:
    phone.fill("#composer", question)
    phone.press("#composer", "Enter")
    expect(inbox.locator(".msg-in").last).to_contain_text(question, timeout=20_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    inbox.wait_for_timeout(300)  # the card's live update
    inbox.screenshot(path=str(SHOTS / f"{shot}-1280-th.png"))


def test_a_customer_asks_the_phone_and_staff_see_right_drafts_and_actionable_hand_offs(new_page, app) -> None:
    from knowledge.ingest import ingest_paths
    from models.db import session_scope
    from tests.conftest import ROOT
    from vschool.demo import load_catalog, load_school_facts

    add_staff("admin@vschool.test", Role.ADMIN)
    with session_scope() as s:
        ingest_paths(s, [ROOT / "knowledge" / "school"])
        load_catalog(s)
        load_school_facts(s)
    inbox: Page = new_page()
    sign_in(inbox, app, "admin@vschool.test")
    inbox.click("#nav-inbox")
    phone: Page = customer_phone(new_page(), app, "ปวีณา ทดลอง")

    phone.fill("#composer", "คอร์สซูชิ 5 วัน ราคาเท่าไหร่คะ")
    phone.press("#composer", "Enter")
    inbox.locator(".conversation-item").first.click()
    expect(inbox.locator("#ai-draft-text")).to_contain_text("24,900 บาท", timeout=20_000)  # the course, not the package
    expect(inbox.locator("#ai-draft-text")).not_to_contain_text("39,900")
    expect(inbox.locator(".ai-source").first).to_contain_text("catalog:CRS-SUSHI-5D")

    _ask(phone, inbox, "ซูชิรอบหน้าเริ่มวันไหนคะ", "next-round")
    expect(inbox.locator("#ai-draft-text")).to_contain_text("7 ธ.ค. 2569", timeout=20_000)
    _ask(phone, inbox, "ที่อยู่โรงเรียน", "address")
    expect(inbox.locator("#ai-draft-text")).to_contain_text("ซอยสุขุมวิท 39", timeout=20_000)
    _ask(phone, inbox, "ราเมงราคาเท่าไหร่ รอบถัดไปวันไหนคะ", "two-part")
    expect(inbox.locator("#ai-draft-text")).to_contain_text("18,900", timeout=20_000)
    expect(inbox.locator("#ai-draft-text")).to_contain_text("18 ธ.ค. 2569")

    _ask(phone, inbox, "มีคอร์สทำอาหารเกาหลีไหมคะ", "hand-off")
    card = inbox.locator("#ai-handoff")
    expect(card).to_be_visible(timeout=20_000)
    expect(inbox.locator("#ai-handoff-reason")).to_contain_text("ไม่มีเอกสารที่พูดถึง")  # in the admin's Thai
    expect(inbox.locator("#ai-handoff-reason")).to_contain_text("เกาหลี")
    expect(inbox.locator("#ai-handoff-reason")).not_to_contain_text("confidence")  # the figures are folded away
    expect(inbox.locator("#ai-handoff-details")).to_be_hidden()
    card.locator("summary").click()
    expect(inbox.locator("#ai-handoff-details")).to_contain_text("ความมั่นใจ")  # the figures in Thai too
    inbox.screenshot(path=str(SHOTS / "hand-off-details-1280-th.png"))
    inbox.set_viewport_size({"width": 390, "height": 844})
    inbox.wait_for_timeout(300)
    inbox.screenshot(path=str(SHOTS / "hand-off-390-th.png"), full_page=True)

    admin: Page = new_page()
    sign_in(admin, app, "admin@vschool.test")
    admin.click("#nav-ai_replies")
    form = admin.locator(".school-fact[data-fact=address]")
    form.locator("textarea[name=value_th]").fill("วี สคูล ชั้น 5 เลขที่ 99 ซอยสุขุมวิท 49 กรุงเทพฯ 10110")
    form.locator(".school-fact-save").click()
    expect(admin.locator("#ai-admin-message")).to_contain_text("ที่อยู่")
    admin.screenshot(path=str(SHOTS / "school-facts-1280-th.png"), full_page=True)
    inbox.set_viewport_size({"width": 1280, "height": 800})
    _ask(phone, inbox, "ขอที่อยู่โรงเรียนหน่อยค่ะ", "address-edited")
    expect(inbox.locator("#ai-draft-text")).to_contain_text("ซอยสุขุมวิท 49", timeout=20_000)

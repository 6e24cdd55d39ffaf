"""Handing a chat to a colleague, as two staff at two browsers: Nok opens a conversation and
presses "a" to hand it to Pim; it appears in Pim's open "mine" list without a reload, and both
threads show who handed it over."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from models import Conversation, Customer, StaffUser
from models.activity import activity_lines
from models.base import utcnow
from models.conversation_rules import add_message
from models.db import session_scope
from models.enums import Direction, Role, SenderKind
from tests.browser.conftest import add_staff, sign_in
from tests.team_helpers import add_conversation
from vschool.i18n import LABELS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def _a_customer_wrote() -> int:
    with session_scope() as s:
        conversation_id = add_conversation(s, "psid-hand-off", when=utcnow())
        conversation = s.get(Conversation, conversation_id)
        s.get(Customer, conversation.customer_id).display_name = "คุณมะลิ"
        add_message(s, conversation_id=conversation_id, direction=Direction.INBOUND, sender_kind=SenderKind.CUSTOMER,
                    mid="m-hand-off", text="อยากเรียนคอร์สซูชิค่ะ", sent_at=utcnow())
        return conversation_id


def test_nok_hands_a_chat_to_pim_and_it_moves_into_pims_open_inbox(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    add_staff("pim@vschool.test", Role.AGENT)
    conversation_id = _a_customer_wrote()

    pim: Page = new_page()
    sign_in(pim, app, "pim@vschool.test")
    pim.click("#nav-inbox")
    pim.click("#scope-filter")
    pim.get_by_role("option", name=LABELS["scope_mine"][1]).click()
    expect(pim.locator("#inbox-empty")).to_be_visible()

    nok: Page = new_page()
    sign_in(nok, app, "nok@vschool.test")
    nok.click("#nav-inbox")
    nok.click(f"#conv-{conversation_id}")
    expect(nok.locator("#thread-name")).to_have_text("คุณมะลิ")
    nok.locator("#thread").click()  # the keyboard acts outside the composer
    nok.keyboard.press("a")
    nok.get_by_role("option", name="Pim", exact=True).click()
    expect(nok.locator("#hand-off-notice")).to_have_text(LABELS["notice_handed_off"][1])
    expect(nok.locator(".activity-line")).to_contain_text("Nokมอบหมายให้Pim")

    expect(pim.locator(f"#conv-{conversation_id}")).to_be_visible()  # live, in Pim's "mine" list
    pim.click(f"#conv-{conversation_id}")
    expect(pim.locator(".activity-line")).to_contain_text("Nokมอบหมายให้Pim")
    expect(pim.locator("#panel-assignee")).to_contain_text("Pim")

    with session_scope() as s:
        pim_id = s.exec(select(StaffUser.id).where(StaffUser.email == "pim@vschool.test")).one()
        assert s.get(Conversation, conversation_id).assignee_id == pim_id
        assert [line.detail["to"] for line in activity_lines(s, conversation_id)] == ["Pim"]

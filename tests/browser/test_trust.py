"""Trust in the browser: an open tab gets nothing more once its session has ended (sign-out in
another tab, deactivation, a role change), and a marketing user never sees chat text, notes or
the inbox's controls."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from actors.push import announce
from models import Conversation, Message
from models.base import utcnow
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, Direction, Role, SenderKind
from models.inbox_queries import add_note
from models.knowledge import KnowledgeDocument
from models.staff import StaffUser
from tests.browser.conftest import add_staff, sign_in, wait_hydrated
from vschool.staff import change_role, set_active

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]

SECRET_TEXT = "ขอส่วนลดพิเศษสำหรับคอร์สซูชิ"
NOTE_TEXT = "ลูกค้าวีไอพี โทรกลับบ่ายสอง"
LOGIN = re.compile(r"/login$")


def _customer_with_a_chat() -> str:
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000001")
        customer.display_name, customer.phone = "มานี ทดสอบ", "0812345678"
        conversation = Conversation(customer_id=customer.id, page_id="PAGE1", last_inbound_at=utcnow(), last_message_at=utcnow())
        s.add(conversation)
        s.flush()
        s.add(Message(conversation_id=conversation.id, direction=Direction.INBOUND, sender_kind=SenderKind.CUSTOMER,
                      mid="m_trust_1", text=SECRET_TEXT, sent_at=utcnow()))
        add_note(s, s.exec(select(StaffUser)).first(), conversation.id, NOTE_TEXT)
        return customer.standard_id


def _staff(session: Session, email: str) -> StaffUser:
    return session.exec(select(StaffUser).where(StaffUser.email == email)).one()


def _two_tabs(new_page, app, email: str) -> tuple[Page, Page]:
    first: Page = new_page()
    sign_in(first, app, email)
    second = first.context.new_page()
    second.set_default_timeout(30_000)
    return first, second


def _open_inbox(page: Page, app) -> None:
    page.goto(f"{app.frontend_url}/inbox")
    wait_hydrated(page)
    expect(page.locator(".conversation-item")).to_have_count(1)


def test_signing_out_in_one_tab_stops_the_other_from_reading_or_searching(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    _customer_with_a_chat()
    first, second = _two_tabs(new_page, app, "nok@vschool.test")
    _open_inbox(second, app)

    first.click("#sign-out")
    expect(first).to_have_url(LOGIN)

    second.locator(".conversation-item").first.click()  # the tab still shows the list it had
    expect(second).to_have_url(LOGIN)
    expect(second.get_by_text(SECRET_TEXT)).to_have_count(0)


def test_a_deactivated_persons_open_tab_cannot_search(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    add_staff("nok@vschool.test", Role.AGENT)
    _customer_with_a_chat()
    _, tab = _two_tabs(new_page, app, "nok@vschool.test")
    _open_inbox(tab, app)
    with session_scope() as s:
        set_active(s, _staff(s, "boss@vschool.test"), _staff(s, "nok@vschool.test").id, False)

    tab.fill("#inbox-search", "มานี")
    expect(tab).to_have_url(LOGIN)


def test_a_role_change_to_marketing_closes_the_inbox_in_open_tabs(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    add_staff("fon@vschool.test", Role.AGENT)
    _customer_with_a_chat()
    _, tab = _two_tabs(new_page, app, "fon@vschool.test")
    _open_inbox(tab, app)
    with session_scope() as s:
        change_role(s, _staff(s, "boss@vschool.test"), _staff(s, "fon@vschool.test").id, Role.MARKETING)

    tab.locator(".conversation-item").first.click()
    expect(tab).to_have_url(LOGIN)
    sign_in(tab, app, "fon@vschool.test")  # signed in again, now as marketing
    expect(tab.locator("#nav-inbox")).to_have_count(0)
    tab.goto(f"{app.frontend_url}/inbox")
    expect(tab.locator("#page-error")).to_be_visible()  # sent back to the overview, saying why
    expect(tab.get_by_text(SECRET_TEXT)).to_have_count(0)


def test_a_pushed_update_reaches_open_tabs_only_under_their_own_session(new_page, app) -> None:
    """One announce refreshes every tab with one session read for all of them (vschool/state/
    per_bump.py): each tab is still judged by its own session, so a deactivated person's tab
    empties while the others show the new count."""
    add_staff("boss@vschool.test", Role.ADMIN)
    add_staff("nok@vschool.test", Role.AGENT)
    add_staff("ploy@vschool.test", Role.AGENT)
    with session_scope() as s:
        find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000101")
    tabs = {}
    for email in ("boss@vschool.test", "nok@vschool.test", "ploy@vschool.test"):
        tabs[email] = new_page()
        sign_in(tabs[email], app, email)
        expect(tabs[email].locator("#counter-customers")).to_have_text("1")
    with session_scope() as s:
        set_active(s, _staff(s, "boss@vschool.test"), _staff(s, "nok@vschool.test").id, False)
        find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000102")
    announce("customer", 0)

    expect(tabs["boss@vschool.test"].locator("#counter-customers")).to_have_text("2")
    expect(tabs["ploy@vschool.test"].locator("#counter-customers")).to_have_text("2")
    expect(tabs["nok@vschool.test"].locator("#counter-customers")).to_have_text("")  # its counters emptied


def test_an_upload_from_a_signed_out_tab_is_refused_and_not_kept(new_page, app) -> None:
    add_staff("kb-admin@vschool.test", Role.ADMIN)
    first, second = _two_tabs(new_page, app, "kb-admin@vschool.test")
    second.goto(f"{app.frontend_url}/knowledge")
    wait_hydrated(second)
    second.locator("#kb-upload input[type=file]").set_input_files(
        files=[{"name": "leak.md", "mimeType": "text/markdown", "buffer": b"# Leak\n\nnot to be indexed"}]
    )
    first.click("#sign-out")
    expect(first).to_have_url(LOGIN)
    second.click("#kb-upload-submit")
    expect(second).to_have_url(LOGIN)
    with session_scope() as s:
        assert s.exec(select(KnowledgeDocument)).first() is None


def test_marketing_sees_customers_and_money_but_no_chat_text_notes_or_reply_controls(new_page, app) -> None:
    add_staff("mkt@vschool.test", Role.MARKETING)
    add_staff("nok@vschool.test", Role.AGENT)
    standard_id = _customer_with_a_chat()

    agent: Page = new_page()
    sign_in(agent, app, "nok@vschool.test")
    agent.goto(f"{app.frontend_url}/customers/{standard_id}")
    expect(agent.locator("#timeline")).to_contain_text(SECRET_TEXT)  # the same page shows it to the inbox's people
    expect(agent.locator("#timeline")).to_contain_text(NOTE_TEXT)

    page: Page = new_page()
    sign_in(page, app, "mkt@vschool.test")
    expect(page.locator("#nav-inbox")).to_have_count(0)
    expect(page.locator("#nav-marketing")).to_be_visible()
    page.goto(f"{app.frontend_url}/customers/{standard_id}")
    expect(page.locator("#customer-name")).to_have_text("มานี ทดสอบ")
    expect(page.locator(".timeline-message")).to_have_count(1)  # that they wrote, and when
    body = page.locator("body")
    expect(body).not_to_contain_text(SECRET_TEXT)
    expect(body).not_to_contain_text(NOTE_TEXT)
    expect(body).not_to_contain_text("0812345678")
    expect(page.locator("a[href^='/inbox']")).to_have_count(0)
    expect(page.locator("#composer")).to_have_count(0)

"""Rounds in the browser: staff book the last seat of a round from the inbox's side panel; the
catalog open in another tab shows the seat gone without a reload; a second tab that still
offers the round is refused clearly (the round is full); the roster lists the student."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from models import Conversation, Message
from models.booking import book
from models.commerce import Product
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, Role
from models.rounds import CourseRound
from tests.browser.conftest import add_staff, sign_in, wait_hydrated

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def _a_round_with_one_seat_left() -> int:
    now = datetime.now(UTC)
    with session_scope() as s:
        course = Product(sku="CRS-SUSHI-5D", name="Professional Sushi", name_th="คอร์สซูชิมืออาชีพ", price=Decimal("24900"))
        s.add(course)
        s.flush()
        first = date.today() + timedelta(days=20)
        rnd = CourseRound(product_id=course.id, starts_on=first, ends_on=first + timedelta(days=4), daily_start=time(9), daily_end=time(16),
                          capacity=2, instructor="Chef Kenji")
        s.add(rnd)
        s.flush()
        for n, name in enumerate(("มาลี ศรีสุข", "ปิยะ รุ่งเรือง")):
            customer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", f"730000000000010{n}")
            customer.display_name = name
            conversation = Conversation(customer_id=customer.id, page_id="PAGE1", last_message_at=now, last_inbound_at=now)
            s.add(conversation)
            s.flush()
            s.add(Message(conversation_id=conversation.id, direction="inbound", sender_kind="customer", mid=f"m_round_{n}",
                          text="มีที่ว่างรอบหน้าไหมคะ", sent_at=now))
        walk_in, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000199")
        book(s, walk_in.id, course.id, [rnd.id])
        return rnd.id


def _open_booking(page: Page, app, name: str) -> None:
    page.goto(f"{app.frontend_url}/inbox")
    wait_hydrated(page)
    page.locator(".conversation-item", has_text=name).click()
    page.click("#panel-book")
    expect(page.locator(".book-round").first).to_be_visible()


def test_the_last_seat_booked_from_the_inbox_shows_live_in_the_catalog_and_a_second_try_is_refused(new_page, app) -> None:
    round_id = _a_round_with_one_seat_left()
    add_staff("desk@vschool.test", Role.ADMIN)
    catalog, first, second = new_page(), new_page(), new_page()
    for page in (catalog, first, second):
        sign_in(page, app, "desk@vschool.test")
    catalog.goto(f"{app.frontend_url}/catalog")
    row = catalog.locator(f"#round-row-{round_id}")
    expect(row.locator(".seats-left")).to_have_text("1")
    expect(catalog.locator(".product-kind").first).to_have_text("คอร์สเรียน")  # the type in Thai
    _open_booking(second, app, "ปิยะ")  # the second tab still offers the round…
    _open_booking(first, app, "มาลี")
    first.click("#book-submit")
    expect(first.locator("#book-notice")).to_contain_text("จองแล้ว")
    expect(row.locator(".seats-left")).to_have_text("0")  # live, no reload
    expect(row.locator(".seats-held")).to_have_text("2")
    second.click("#book-submit")  # …and is refused: the round is full
    expect(second.locator("#book-error")).to_contain_text("รอบนี้เต็มแล้ว")
    expect(row.locator(".seats-left")).to_have_text("0")
    catalog.goto(f"{app.frontend_url}/rounds/{round_id}")
    expect(catalog.locator(".roster-row")).to_have_count(2)
    expect(catalog.locator("#roster-table")).to_contain_text("มาลี ศรีสุข")

"""The Orders work area in the browser: staff filter by status and by day (Bangkok), see what each
order paid and still owes, open one (items, round, payments) and move its seat to a later round
of the same course — the money stays; a round that filled meanwhile is refused clearly."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from models.booking import book
from models.commerce import Order, Product
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, PaymentKind, Role
from models.order_rules import balance, record_payment
from models.rounds import CourseRound, Seat
from models.when import THAI_MONTHS
from tests.browser.conftest import add_staff, sign_in, wait_hydrated

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def _course_with_rounds() -> dict[str, object]:
    """A course with three rounds (the last has one seat), a deposit-paid order in the first round,
    and an old unpaid order from ten days ago."""
    with session_scope() as s:
        course = Product(sku="CRS-RAMEN-3D", name="Ramen Master", name_th="คอร์สราเมน", price=Decimal("18000"))
        s.add(course)
        s.flush()
        first = date.today() + timedelta(days=10)
        ids = []
        for n, capacity in enumerate((6, 6, 1)):
            start = first + timedelta(days=30 * n)
            rnd = CourseRound(product_id=course.id, starts_on=start, ends_on=start + timedelta(days=2), daily_start=time(9),
                              daily_end=time(16), capacity=capacity)
            s.add(rnd)
            s.flush()
            ids.append(rnd.id)
        payer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000301")
        payer.display_name = "สมศรี ใจดี"
        paid = book(s, payer.id, course.id, [ids[0]])
        record_payment(s, paid.id, PaymentKind.DEPOSIT, Decimal("6000"), "transfer")
        old, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000302")
        old.display_name = "วิชัย เก่า"
        book(s, old.id, course.id, [ids[0]], now=datetime.now(UTC) - timedelta(days=10))
        return {"rounds": ids, "paid": paid.order_number, "paid_id": paid.id, "course": course.id}


def test_orders_filter_open_and_move_a_seat_to_a_later_round(new_page, app) -> None:
    made = _course_with_rounds()
    add_staff("desk@vschool.test", Role.ADMIN)
    page = new_page()
    sign_in(page, app, "desk@vschool.test")
    page.goto(f"{app.frontend_url}/orders")
    wait_hydrated(page)
    expect(page.locator(".order-row")).to_have_count(2)
    paid_row = page.locator(".order-row", has_text=str(made["paid"]))
    expect(paid_row).to_contain_text("฿6,000.00")  # paid
    expect(paid_row).to_contain_text("฿12,000.00")  # still to pay
    expect(paid_row).to_contain_text("ชำระบางส่วน")
    today = datetime.now(ZoneInfo("Asia/Bangkok")).date()
    page.fill("#orders-from", today.isoformat())  # today, Bangkok: the old order drops out
    expect(page.locator(".order-row")).to_have_count(1)
    # the picker writes mm/dd/yyyy; beside it the chosen day reads in Thai, Buddhist era
    expect(page.locator("#orders-range-shown")).to_have_text(f"ตั้งแต่ {today.day} {THAI_MONTHS[today.month - 1]} {today.year + 543}")
    page.fill("#orders-from", "")
    expect(page.locator("#orders-range-shown")).to_have_count(0)
    page.click("#orders-status")
    page.get_by_role("option", name="รอชำระ").click()
    expect(page.locator(".order-row")).to_have_count(1)
    expect(page.locator(".order-row")).to_contain_text("วิชัย เก่า")
    page.click("#orders-status")
    page.get_by_role("option", name="ทุกสถานะ").click()
    expect(page.locator(".order-row")).to_have_count(2)

    paid_row.click()
    detail = page.locator("#order-detail")
    expect(detail).to_contain_text("คอร์สราเมน")
    expect(detail.locator("#order-money")).to_contain_text("฿12,000.00")
    expect(detail.locator(".order-move")).to_have_count(2)  # both later rounds have a seat
    with session_scope() as s:  # someone else takes the last round's only seat meanwhile
        other, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000303")
        book(s, other.id, int(made["course"]), [made["rounds"][2]])
    detail.locator(".order-move").nth(1).click()
    expect(detail.locator("#order-error")).to_contain_text("กรุณาเลือกรอบอื่น")  # full now: refused with a reason
    detail.locator(".order-move").first.click()
    expect(detail.locator("#order-notice")).to_contain_text("ย้ายไปรอบ")
    expect(detail.locator(".order-move")).to_have_count(0)  # the last round is full now; nothing later is open
    expect(detail.locator("#order-money")).to_contain_text("฿6,000.00")
    with session_scope() as s:
        seats = s.exec(select(Seat).where(Seat.order_id == made["paid_id"], col(Seat.state).in_(["held", "taken"]))).all()
        assert [seat.round_id for seat in seats] == [made["rounds"][1]]
        assert balance(s, s.get(Order, made["paid_id"])).paid == Decimal("6000")
    page.goto(f"{app.frontend_url}/orders?order={made['paid']}")  # what the customer page's order number links to
    wait_hydrated(page)
    expect(page.locator("#order-detail")).to_contain_text(str(made["paid"]))
    expect(page.locator("#order-detail .order-round")).to_have_count(1)

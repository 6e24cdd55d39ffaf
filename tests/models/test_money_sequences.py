"""Every sequence of payments, refunds and a cancellation leaves an order whose status,
outstanding and seat agree with its payments (property-based, on the real database)."""

from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models.booking import book
from models.commerce import Order, Product
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import PaymentKind
from models.order_rules import OrderRefused, balance, cancel_order, record_payment
from models.rounds import CourseRound, Seat
from models.seat_rules import deposit_due

pytestmark = pytest.mark.usefixtures("db")
TOTAL = Decimal("24900")
STEP = st.tuples(st.sampled_from(["deposit", "payment", "refund", "cancel"]),
                 st.integers(min_value=1, max_value=30000).map(lambda n: Decimal(n)))


def _expected_status(received: Decimal, kept: Decimal, cancelled: bool) -> str:
    if cancelled:
        return "cancelled"
    if received == 0:
        return "pending"
    if kept == 0:
        return "refunded"
    return "paid" if kept >= TOTAL else "deposit_paid"


def _apply(order_id: int, kind: str, amount: Decimal) -> bool:
    try:
        with session_scope() as s:
            if kind == "cancel":
                cancel_order(s, order_id)
            else:
                record_payment(s, order_id, PaymentKind(kind), amount, "transfer")
        return True
    except OrderRefused:
        return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, max_size=8))
def test_status_outstanding_and_seat_agree_with_the_payments(steps: list[tuple[str, Decimal]]) -> None:
    with session_scope() as s:
        course = s.exec(select(Product).where(Product.sku == "CRS-P")).first()
        if course is None:
            course = Product(sku="CRS-P", name="Professional Sushi", price=TOTAL)
            s.add(course)
            s.flush()
        rnd = CourseRound(product_id=course.id, starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 8), daily_start=time(9),
                          daily_end=time(16), capacity=1)
        customer, _ = find_or_create_customer(s, "facebook", "PAGE1", "7500000000000001")
        s.add(rnd)
        s.flush()
        order_id = book(s, customer.id, course.id, [rnd.id]).id
    received = kept = Decimal(0)
    cancelled = refunded_out = ever_taken = False
    for kind, amount in steps:
        closed = cancelled or refunded_out
        allowed = {
            "cancel": kept == 0,  # cancelling again changes nothing and is not refused
            "refund": not cancelled and amount <= kept,
            "deposit": not closed and amount <= TOTAL - kept,
            "payment": not closed and amount <= TOTAL - kept,
        }[kind]
        assert _apply(order_id, kind, amount) == allowed, (kind, amount)
        if not allowed:
            continue
        if kind == "cancel":
            cancelled = True
        elif kind == "refund":
            kept -= amount
            refunded_out = kept == 0
        else:
            received, kept = received + amount, kept + amount
        ever_taken = ever_taken or (kept >= deposit_due(TOTAL) and not refunded_out)
    with session_scope() as s:
        order = s.get(Order, order_id)
        b = balance(s, order)
        seat = s.exec(select(Seat).where(Seat.order_id == order_id)).one()
        assert (b.received, b.paid, b.outstanding) == (received, kept, max(Decimal(0), TOTAL - kept))
        assert order.status == _expected_status(received, kept, cancelled)
        freed = cancelled or refunded_out
        assert seat.state == ("released" if freed else "taken" if ever_taken else "held")


def test_a_partial_refund_on_a_paid_order_reopens_what_it_gave_back() -> None:
    with session_scope() as s:
        course = Product(sku="CRS-P", name="Professional Sushi", price=TOTAL)
        customer, _ = find_or_create_customer(s, "facebook", "PAGE1", "7500000000000001")
        s.add(course)
        s.flush()
        order_id = book(s, customer.id, course.id, [], private_on=date(2027, 1, 4)).id
        record_payment(s, order_id, PaymentKind.PAYMENT, TOTAL, "transfer")
    with session_scope() as s:
        record_payment(s, order_id, PaymentKind.REFUND, Decimal("2000"), "transfer")
    with session_scope() as s:
        order = s.get(Order, order_id)
        b = balance(s, order)
        assert (order.status, b.paid, b.outstanding) == ("deposit_paid", Decimal("22900"), Decimal("2000"))

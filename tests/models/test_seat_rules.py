"""Seats in rounds: held on booking, taken at the deposit rule, freed by expiry, cancellation and
full refund, moved by a transfer with the money kept; never more than the round's capacity, even
when many staff book the last seats at the same moment (real connections, real threads)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from sqlmodel import select

from models.booking import book
from models.commerce import Order, Product
from models.customer_rules import find_or_create_customer
from models.customers import Customer
from models.db import session_scope
from models.enums import PaymentKind
from models.lead_rules import StageRefused, set_lead_stage
from models.order_rules import balance, cancel_order, record_payment
from models.rounds import CourseRound, PackageCourse, Seat, WaitlistEntry
from models.seat_rules import SeatRefused, expire_holds, join_waitlist, seat_counts, transfer_seats

pytestmark = pytest.mark.usefixtures("db")
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _school(capacity: int = 12) -> dict[str, int]:
    with session_scope() as s:
        sushi = Product(sku="CRS-SUSHI", name="Professional Sushi", price=Decimal("24900"))
        ramen = Product(sku="CRS-RAMEN", name="Ramen", price=Decimal("18000"))
        pack = Product(sku="PKG-SR", kind="package", name="Sushi + Ramen", price=Decimal("39900"))
        s.add_all([sushi, ramen, pack])
        s.flush()
        s.add_all([PackageCourse(package_id=pack.id, course_id=sushi.id), PackageCourse(package_id=pack.id, course_id=ramen.id)])
        rounds = [CourseRound(product_id=p.id, starts_on=date(2027, 1, d), ends_on=date(2027, 1, d + 4), daily_start=time(9),
                              daily_end=time(16), capacity=capacity) for p, d in ((sushi, 4), (sushi, 18), (ramen, 11))]
        s.add_all(rounds)
        people = [find_or_create_customer(s, "facebook", "PAGE1", f"75000000000000{i:02d}")[0].id for i in range(60)]
        s.flush()
        return {"sushi": sushi.id, "pack": pack.id, "r1": rounds[0].id, "r2": rounds[1].id, "ramen_round": rounds[2].id,
                **{f"c{i}": pid for i, pid in enumerate(people)}}


def _states(order_id: int) -> list[tuple[int, str]]:
    with session_scope() as s:
        return sorted((x.round_id, x.state) for x in s.exec(select(Seat).where(Seat.order_id == order_id)))


def test_a_seat_is_held_then_taken_at_the_deposit_rule_and_a_refund_frees_it() -> None:
    ids = _school()
    with session_scope() as s:
        order = book(s, ids["c0"], ids["sushi"], [ids["r1"]], [ids["c0"], ids["c1"]], now=NOW)
        order_id = order.id
        assert order.total == Decimal("49800")
    assert _states(order_id) == [(ids["r1"], "held")] * 2
    with session_scope() as s:
        record_payment(s, order_id, PaymentKind.DEPOSIT, Decimal("14000"), "transfer", now=NOW)  # < 30 % of 49,800
    assert _states(order_id) == [(ids["r1"], "held")] * 2
    with session_scope() as s:
        record_payment(s, order_id, PaymentKind.PAYMENT, Decimal("940"), "transfer", now=NOW)  # 14,940 = 30 %
    assert _states(order_id) == [(ids["r1"], "taken")] * 2
    with session_scope() as s:
        assert seat_counts(s, [ids["r1"]])[ids["r1"]].left == 10
        record_payment(s, order_id, PaymentKind.REFUND, Decimal("14940"), "transfer", now=NOW)
    assert _states(order_id) == [(ids["r1"], "released")] * 2
    with session_scope() as s:
        assert s.get(Order, order_id).status == "refunded"
        assert seat_counts(s, [ids["r1"]])[ids["r1"]].left == 12


def test_a_package_holds_a_seat_in_each_course_and_a_private_class_holds_none() -> None:
    ids = _school()
    with session_scope() as s:
        with pytest.raises(SeatRefused, match="Choose a round for Ramen"):
            book(s, ids["c0"], ids["pack"], [ids["r1"]])
        with pytest.raises(SeatRefused, match="not a round of this course"):
            book(s, ids["c0"], ids["sushi"], [ids["ramen_round"]])
        order_id = book(s, ids["c0"], ids["pack"], [ids["r1"], ids["ramen_round"]]).id
        private = book(s, ids["c2"], ids["sushi"], [], private_on=date(2027, 2, 1))
        assert private.private_on == date(2027, 2, 1) and private.total == Decimal("24900")
    assert _states(order_id) == [(ids["r1"], "held"), (ids["ramen_round"], "held")]
    assert _states(private.id) == []


def test_an_unpaid_hold_expires_and_the_first_waiting_becomes_a_task() -> None:
    ids = _school(capacity=2)
    with session_scope() as s:
        unpaid = book(s, ids["c0"], ids["sushi"], [ids["r1"]], now=NOW).id
        paid = book(s, ids["c1"], ids["sushi"], [ids["r1"]], now=NOW).id
        assert s.get(CourseRound, ids["r1"]).status == "full"
        with pytest.raises(SeatRefused, match="full"):
            book(s, ids["c2"], ids["sushi"], [ids["r1"]], now=NOW)
    with session_scope() as s:
        record_payment(s, paid, PaymentKind.DEPOSIT, Decimal("1000"), "cash", now=NOW)  # money in: never expires
        first, second = (join_waitlist(s, ids["r1"], ids[c]).id for c in ("c2", "c3"))
    with session_scope() as s:
        assert expire_holds(s, NOW + timedelta(days=2)) == []
    with session_scope() as s:
        assert expire_holds(s, NOW + timedelta(days=3, seconds=1)) == [ids["r1"]]
    assert _states(unpaid) == [(ids["r1"], "released")] and _states(paid) == [(ids["r1"], "held")]
    with session_scope() as s:
        assert s.get(CourseRound, ids["r1"]).status == "open"
        assert (s.get(WaitlistEntry, first).status, s.get(WaitlistEntry, second).status) == ("to_contact", "waiting")
        assert expire_holds(s, NOW + timedelta(days=30)) == []  # idempotent


def test_cancellation_frees_and_a_transfer_moves_the_seat_keeping_the_money() -> None:
    ids = _school()
    with session_scope() as s:
        order_id = book(s, ids["c0"], ids["sushi"], [ids["r1"]]).id
        record_payment(s, order_id, PaymentKind.DEPOSIT, Decimal("10000"), "transfer")
    with session_scope() as s:
        with pytest.raises(SeatRefused, match="later round"):
            transfer_seats(s, order_id, ids["r2"], ids["r1"])
        transfer_seats(s, order_id, ids["r1"], ids["r2"])
    assert _states(order_id) == [(ids["r1"], "released"), (ids["r2"], "taken")]
    with session_scope() as s:
        order = s.get(Order, order_id)
        assert (order.status, balance(s, order).paid, balance(s, order).outstanding) == ("deposit_paid", Decimal("10000"), Decimal("14900"))
        other = book(s, ids["c1"], ids["sushi"], [ids["r1"]]).id
    with session_scope() as s:
        cancel_order(s, other)
    assert _states(other) == [(ids["r1"], "released")]


def test_fifty_staff_booking_one_twelve_seat_round_at_once_fill_it_exactly() -> None:
    ids = _school(capacity=12)
    start = Barrier(20)

    def attempt(i: int) -> str:
        start.wait(timeout=30) if i < 20 else None
        try:
            with session_scope() as s:
                book(s, ids[f"c{i}"], ids["sushi"], [ids["r1"]])
            return "ok"
        except SeatRefused:
            return "refused"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count("ok") == 12 and outcomes.count("refused") == 38
    with session_scope() as s:
        count = seat_counts(s, [ids["r1"]])[ids["r1"]]
        assert (count.held, count.left) == (12, 0) and s.get(CourseRound, ids["r1"]).status == "full"


def test_the_stage_is_set_by_hand_lost_needs_a_reason_and_money_only_moves_it_forward() -> None:
    ids = _school()
    with session_scope() as s:
        customer = s.get(Customer, ids["c0"])
        with pytest.raises(StageRefused, match="why"):
            set_lead_stage(s, customer, "lost")
        assert set_lead_stage(s, customer, "lost", reason="chose another school") and customer.lost_reason == "chose another school"
        assert set_lead_stage(s, customer, "deposit", by_staff=False) and customer.lost_reason is None
        assert not set_lead_stage(s, customer, "qualified", by_staff=False) and customer.lead_stage == "deposit"
        assert set_lead_stage(s, customer, "qualified") and customer.lead_stage == "qualified"

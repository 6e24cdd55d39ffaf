"""Cancelling a round in the catalog: its seats come back, the orders keep their money (staff
decide a new round or a refund), one task per order is put in front of staff, the customers'
"round cancelled" reminder is still queued, and nobody waiting is offered a seat in it."""

from decimal import Decimal

import pytest
from sqlmodel import select

from models.booking import book
from models.catalog_rules import save_round
from models.commerce import Order
from models.db import session_scope
from models.enums import PaymentKind, WaitlistStatus
from models.meta_reports import Reminder, ReminderKind
from models.order_rules import balance, record_payment
from models.refusals import Refused
from models.round_queries import waitlist_tasks
from models.rounds import CourseRound, Seat, WaitlistEntry
from models.seat_rules import join_waitlist, release_cancelled_round, seat_counts
from tests.models.test_seat_rules import _school

pytestmark = pytest.mark.usefixtures("db")


def _form(rnd: CourseRound, status: str) -> dict[str, str]:
    return {"course_id": str(rnd.product_id), "starts_on": rnd.starts_on.isoformat(), "ends_on": rnd.ends_on.isoformat(),
            "daily_start": "09:00", "daily_end": "16:00", "capacity": str(rnd.capacity), "status": status}


def test_cancelling_a_round_releases_its_seats_keeps_the_money_and_asks_staff() -> None:
    ids = _school(capacity=2)
    with session_scope() as s:
        paid = book(s, ids["c0"], ids["sushi"], [ids["r1"]])
        record_payment(s, paid.id, PaymentKind.DEPOSIT, Decimal("10000"), "transfer")
        held = book(s, ids["c1"], ids["sushi"], [ids["r1"]])
        join_waitlist(s, ids["r1"], ids["c2"])  # the round is full: someone waits
        paid_id, held_id, paid_number, held_number = paid.id, held.id, paid.order_number, held.order_number
    with session_scope() as s:
        save_round(s, ids["r1"], _form(s.get(CourseRound, ids["r1"]), "cancelled"))
    with session_scope() as s:
        seats = s.exec(select(Seat).where(Seat.round_id == ids["r1"])).all()
        assert {(x.state, x.released_reason) for x in seats} == {("released", "round_cancelled")}
        count = seat_counts(s, [ids["r1"]])[ids["r1"]]
        assert (count.taken, count.held) == (0, 0)
        order = s.get(Order, paid_id)
        assert (order.status, balance(s, order).paid) == ("deposit_paid", Decimal("10000"))  # the money stays
        tasks = waitlist_tasks(s)
        assert sorted(t["cancelled_order"] for t in tasks) == sorted([paid_number, held_number])  # one task per order
        waiting = s.exec(select(WaitlistEntry).where(WaitlistEntry.customer_id == ids["c2"])).one()
        assert waiting.status == WaitlistStatus.DONE  # nobody is offered a seat in a cancelled round
        kinds = s.exec(select(Reminder.order_id).where(Reminder.kind == ReminderKind.ROUND_CANCELLED)).all()
        assert sorted(kinds) == sorted([paid_id, held_id])  # the customers are still told (14b)
    with session_scope() as s:
        assert release_cancelled_round(s, ids["r1"]) == []  # again: nothing more, no second task
        assert len(waitlist_tasks(s)) == 2


def test_saving_a_cancelled_round_again_changes_nothing() -> None:
    ids = _school()
    with session_scope() as s:
        book(s, ids["c0"], ids["sushi"], [ids["r2"]])
    for _ in range(2):
        with session_scope() as s:
            save_round(s, ids["r2"], _form(s.get(CourseRound, ids["r2"]), "cancelled"))
    with session_scope() as s:
        assert len(waitlist_tasks(s)) == 1
        assert len(s.exec(select(Reminder).where(Reminder.kind == ReminderKind.ROUND_CANCELLED)).all()) == 1


def test_a_round_typed_with_a_date_or_time_not_in_form_is_refused_saying_how_to_write_it() -> None:
    ids = _school(capacity=2)
    with session_scope() as s:
        form = _form(s.get(CourseRound, ids["r1"]), "scheduled")
    for field, typed, said in (("starts_on", "10 ธันวา", "“10 ธันวา” ไม่ใช่วันที่ กรอกแบบ ปปปป-ดด-วว"),
                               ("daily_end", "4pm", "“4pm” ไม่ใช่เวลา กรอกแบบ ชช:นน")):
        with session_scope() as s, pytest.raises(Refused) as refused:
            save_round(s, ids["r1"], form | {field: typed})
        assert refused.value.in_language("th").startswith(said)

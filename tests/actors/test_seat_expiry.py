"""The scheduler's hold expiry frees unpaid seats once and announces each freed round live."""

import os
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import redis

from actors.push import UI_EVENTS, announced
from actors.seats import expire_seat_holds
from models.base import utcnow
from models.booking import book
from models.commerce import Product
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.rounds import CourseRound
from models.seat_rules import seat_counts

pytestmark = pytest.mark.usefixtures("db")


def test_expired_holds_are_freed_once_and_the_round_is_announced() -> None:
    with session_scope() as s:
        course = Product(sku="CRS-X", name="Wagashi", price=Decimal("9000"))
        s.add(course)
        s.flush()
        rnd = CourseRound(product_id=course.id, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 2), daily_start=time(9),
                          daily_end=time(15), capacity=1)
        s.add(rnd)
        customer, _ = find_or_create_customer(s, "facebook", "PAGE1", "7500000000000009")
        s.flush()
        book(s, customer.id, course.id, [rnd.id], now=utcnow() - timedelta(days=10))
        round_id = rnd.id
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(UI_EVENTS)
    expire_seat_holds()
    expire_seat_holds()  # again: nothing more to free, nothing announced
    events = announced()
    assert [(e["topic"], e["id"]) for e in events] == [("seats", str(round_id)), ("overview", "")]
    with session_scope() as s:
        assert seat_counts(s, [round_id])[round_id].left == 1

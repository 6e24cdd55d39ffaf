import pytest
from sqlmodel import func, select

from models import (
    CannedResponse,
    Conversation,
    Customer,
    Label,
    Message,
    Order,
    Payment,
    Product,
    Seat,
)
from models.db import session_scope
from models.rounds import CourseRound
from models.seat_rules import seat_counts
from vschool.demo import demo_loaded, load_demo_data

pytestmark = pytest.mark.usefixtures("db")


def _counts() -> dict[str, int]:
    with session_scope() as s:
        return {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                for m in (Customer, Conversation, Message, Product, Label, CannedResponse, Order, Payment, CourseRound, Seat)}


def test_demo_data_populates_every_area_in_thai_and_english_and_is_safe_to_run_again() -> None:
    with session_scope() as s:
        assert not demo_loaded(s)
        load_demo_data(s, customers=20, days=7)
    first = _counts()
    assert first["Customer"] == 20 and first["Conversation"] == 20 and first["Message"] >= 30
    assert first["Product"] == 9 and first["Label"] == 5 and first["CannedResponse"] == 5
    assert first["Order"] > 0 and first["Payment"] > first["Order"] - 1
    assert first["CourseRound"] == 15 and first["Seat"] == first["Order"]  # every demo order sits in its course's first round
    with session_scope() as s:
        counts = seat_counts(s, s.exec(select(CourseRound.id)).all()).values()
        assert any(c.taken for c in counts) and any(c.held for c in counts) and any(c.left == c.capacity for c in counts)
    with session_scope() as s:
        load_demo_data(s, customers=20, days=7)
        assert demo_loaded(s)
        texts = [m.text for m in s.exec(select(Message))]
        assert any("คอร์ส" in t for t in texts) and any("English" in t for t in texts)
        assert all(c.first_ad_id for c in s.exec(select(Customer).where(Customer.standard_id.like("%-0001"))))
    assert _counts() == first  # nothing twice


def test_some_demo_customers_wrote_today_so_the_overview_is_alive() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from models.stats import overview_counts

    local = datetime.now(ZoneInfo("Asia/Bangkok"))
    with session_scope() as s:
        load_demo_data(s, customers=40, days=14)
    with session_scope() as s:
        counts = overview_counts(s)
    if local.hour * 60 + local.minute > 60:  # in the first hour after midnight "today" has nothing yet
        assert counts.messages_today > 0
    assert counts.customers == 40

from datetime import timedelta

import pytest
from sqlalchemy.dialects.postgresql import insert
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
from models.base import utcnow
from models.business_hours import is_open, load_calendar
from models.db import session_scope
from models.hours import Holiday
from models.hours_admin import set_week
from models.report_facts import ConversationPeriod
from models.reports import Range, figures
from models.rounds import CourseRound
from models.seat_rules import seat_counts
from models.thai_holidays import seed_holidays
from models.when import in_bangkok
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


def test_demo_replies_fall_inside_opening_hours_so_reports_show_real_response_times() -> None:
    """The school's usual week and holidays, with the last three days closed (a long holiday,
    whatever day the test runs): every demo reply is timed inside hours, so the Reports'
    first-response median is minutes, not 0; what came while closed waits unanswered."""
    today = in_bangkok(utcnow()).date()
    with session_scope() as s:
        set_week(s, ["", *["09:00-12:00, 13:00-18:00"] * 6])  # Tuesday to Sunday with lunch, Monday closed
        seed_holidays(s)
        s.execute(insert(Holiday).values([{"day": today - timedelta(days=d), "name_en": "Long weekend", "name_th": "วันหยุดยาว"}
                                          for d in range(3)]).on_conflict_do_nothing(index_elements=["day"]))
    with session_scope() as s:
        load_demo_data(s, customers=24, days=10)
        cal = load_calendar(s)
        answered = s.exec(select(ConversationPeriod).where(ConversationPeriod.first_response_at.is_not(None))).all()
        assert len(answered) >= 12
        for period in answered:
            assert is_open(period.started_at, cal) and is_open(period.first_response_at, cal)
            assert 2 <= period.first_response_min <= 40  # the reply's own 2–40 minutes, all of them in hours
        timing = figures(s, Range(today - timedelta(days=10), today))["first_response"]["all"]
    assert timing["n"] == len(answered) and timing["median"] >= 2

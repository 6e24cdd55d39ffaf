"""Response-time clocks: a customer message starts one (due in business minutes), a person's
reply ends it, an automatic one does not; breaches are counted; the inbox sorts by time left."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from models.assignment import auto_assign, waiting_for_offer
from models.base import utcnow
from models.db import session_scope
from models.hours import OpeningPeriod, ResponseWait
from models.inbox import Conversation
from models.inbox_queries import set_status
from models.reply_rules import queue_staff_reply
from models.sla import (
    FIRST,
    NEXT,
    count_breaches,
    end_wait,
    forget_calendar,
    running_clocks,
    set_target,
    start_wait,
)
from models.staff import StaffUser
from tests.team_helpers import add_conversation, add_person, add_team

BKK = ZoneInfo("Asia/Bangkok")
TUESDAY = datetime(2026, 12, 8, tzinfo=BKK)


@pytest.fixture
def week(db: None) -> Iterator[None]:
    """Tuesday–Sunday 09:00–12:00 and 13:00–18:00."""
    with session_scope() as s:
        for day in range(1, 7):
            s.add(OpeningPeriod(weekday=day, opens=time(9), closes=time(12)))
            s.add(OpeningPeriod(weekday=day, opens=time(13), closes=time(18)))
    forget_calendar()
    yield
    forget_calendar()


def test_due_times_skip_the_break_and_a_reply_ends_the_wait(week: None) -> None:
    with session_scope() as s:
        set_target(s, FIRST, 15, None)
        set_target(s, NEXT, 30, None)
        conversation = add_conversation(s, "c1")
    with session_scope() as s:
        start_wait(s, conversation, TUESDAY.replace(hour=11, minute=50))
        start_wait(s, conversation, TUESDAY.replace(hour=11, minute=55))  # already waiting: the first message counts
    with session_scope() as s:
        wait = s.exec(select(ResponseWait)).one()
        assert (wait.kind, wait.due_at) == (FIRST, TUESDAY.replace(hour=13, minute=5))
        assert end_wait(s, conversation, TUESDAY.replace(hour=13, minute=10), None)
    with session_scope() as s:
        wait = s.exec(select(ResponseWait)).one()
        assert wait.business_minutes == 20  # 10 before lunch, 10 after
        start_wait(s, conversation, TUESDAY.replace(hour=17, minute=50))  # the customer writes again
    with session_scope() as s:
        nxt = s.exec(select(ResponseWait).where(ResponseWait.answered_at.is_(None))).one()
        assert (nxt.kind, nxt.due_at) == (NEXT, TUESDAY.replace(hour=9, minute=20) + timedelta(days=1))
        breaches = count_breaches(s, TUESDAY, TUESDAY + timedelta(days=1), now=TUESDAY + timedelta(days=1, hours=10))
        assert breaches == {FIRST: 1, NEXT: 1, "total": 2, "waits": 2}
        clock = running_clocks(s, [conversation], now=TUESDAY.replace(hour=17, minute=55))[conversation]
        assert clock.minutes_left == 25  # 5 left today, 20 tomorrow morning
        assert running_clocks(s, [conversation], now=TUESDAY.replace(hour=9, minute=30) + timedelta(days=1))[conversation].minutes_left == -10


def test_a_staff_reply_and_resolving_end_a_wait_and_the_round_robin_moves_an_unanswered_offer(db: None) -> None:
    now = utcnow()
    with session_scope() as s:
        ann, bee = add_person(s, "Ann", seen=now), add_person(s, "Bee", seen=now)
        team = add_team(s, "Front desk", [ann, bee], offer_minutes=5)
        first = add_conversation(s, "c1", team, when=now - timedelta(minutes=20))
        second = add_conversation(s, "c2", team, when=now - timedelta(minutes=20))
        for conversation in (first, second):
            start_wait(s, conversation, now - timedelta(minutes=20))
    with session_scope() as s:
        assert auto_assign(s, first, now - timedelta(minutes=10)) == ann
        assert auto_assign(s, second, now - timedelta(minutes=1)) == bee
    with session_scope() as s:
        assert waiting_for_offer(s, now) == [first]  # Ann has not answered in 10 minutes; Bee's offer is fresh
        assert auto_assign(s, first, now, exclude={ann}) == bee
    with session_scope() as s:
        conv = s.get(Conversation, first)
        conv.last_inbound_at = now
        queue_staff_reply(s, s.get(StaffUser, bee), first, "สวัสดีค่ะ")
        set_status(s, second, "resolved", by_id=bee)
    with session_scope() as s:
        assert s.exec(select(ResponseWait).where(ResponseWait.answered_at.is_(None))).all() == []
        assert {w.answered_by_id for w in s.exec(select(ResponseWait))} == {bee}

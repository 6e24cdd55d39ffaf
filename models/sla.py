"""Response-time targets (SLA): each customer wait, from the first unanswered customer message
to the reply from a person that ends it, measured in business minutes.

A wait starts when a customer writes and no wait is open (`start_wait`, from the inbound
rules); its kind is `first_response` until someone has answered in this conversation, then
`next_response`; its `due_at` is the target added in business minutes (models/business_hours.py).
A person's reply — typed, an AI draft they sent, or one typed in Meta's Page inbox — ends it
(`end_wait`); so does resolving the conversation. The AI's own sends and automatic replies do
not: the targets measure people (as the reports do).

The inbox reads `time_left` per conversation and sorts by `due_at`; reports call
`count_breaches`.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models.base import utcnow
from models.business_hours import Calendar, add_business_minutes, business_minutes, load_calendar
from models.hours import ResponseWait, SlaTarget
from models.refusals import Refused
from models.thai_holidays import DEFAULT_SLA_MINUTES

FIRST, NEXT = "first_response", "next_response"
MAX_TARGET_MINUTES = 7 * 24 * 60
CALENDAR_TTL_S = 30.0
_cached: dict[str, tuple[float, Any]] = {}


def calendar(session: Session) -> Calendar:
    """The school's calendar, loaded at most every `CALENDAR_TTL_S` per process (it changes
    when an admin edits it; `forget_calendar` drops this process's copy at once)."""
    hit = _cached.get("calendar")
    if hit and time.monotonic() - hit[0] < CALENDAR_TTL_S:
        return hit[1]
    loaded = load_calendar(session)
    _cached["calendar"] = (time.monotonic(), loaded)
    return loaded


def forget_calendar() -> None:
    _cached.clear()


def targets(session: Session, fresh: bool = False) -> dict[str, int]:
    """The targets in business minutes, by kind (the defaults where none is stored); cached
    like the calendar unless `fresh`."""
    hit = _cached.get("targets")
    if hit and not fresh and time.monotonic() - hit[0] < CALENDAR_TTL_S:
        return hit[1]
    stored = dict(session.exec(select(SlaTarget.kind, SlaTarget.minutes)).all())
    loaded = {kind: stored.get(kind, minutes) for kind, minutes in DEFAULT_SLA_MINUTES.items()}
    _cached["targets"] = (time.monotonic(), loaded)
    return loaded


def set_target(session: Session, kind: str, minutes: int, staff_id: int | None) -> int | None:
    """Change one target (admins); the previous value. Waits already running keep their due time."""
    if kind not in DEFAULT_SLA_MINUTES:
        raise Refused("error_sla_minutes", limit=MAX_TARGET_MINUTES)
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_TARGET_MINUTES:
        raise Refused("error_sla_minutes", limit=MAX_TARGET_MINUTES)
    row = session.get(SlaTarget, kind, with_for_update=True)
    before = row.minutes if row else None
    row = row or SlaTarget(kind=kind, minutes=minutes)
    row.minutes, row.updated_at, row.updated_by_id = minutes, utcnow(), staff_id
    session.add(row)
    forget_calendar()
    return before


def _answered_before(session: Session, conversation_id: int) -> bool:
    return session.exec(
        select(ResponseWait.id).where(ResponseWait.conversation_id == conversation_id, ResponseWait.answered_at.is_not(None)).limit(1)
    ).first() is not None


def start_wait(session: Session, conversation_id: int, at: datetime) -> None:
    """The customer wrote at `at`: start a wait unless one is already running (safe twice)."""
    cal = calendar(session)
    kind = NEXT if _answered_before(session, conversation_id) else FIRST
    minutes = targets(session)[kind]
    due = add_business_minutes(at, minutes, cal) or at + timedelta(days=800)
    session.execute(
        insert(ResponseWait)
        .values(conversation_id=conversation_id, kind=kind, started_at=at, due_at=due)
        .on_conflict_do_nothing(index_elements=["conversation_id"], index_where=sa.text("answered_at IS NULL"))
    )


def end_wait(session: Session, conversation_id: int, at: datetime, by_id: int | None) -> bool:
    """A person answered at `at` (or resolved the conversation): the running wait ends; False
    when none was running."""
    wait = session.exec(
        select(ResponseWait).where(ResponseWait.conversation_id == conversation_id, ResponseWait.answered_at.is_(None)).with_for_update()
    ).first()
    if wait is None:
        return False
    at = max(at, wait.started_at)
    wait.answered_at, wait.answered_by_id = at, by_id
    wait.business_minutes = business_minutes(wait.started_at, at, calendar(session))
    session.add(wait)
    return True


@dataclass(frozen=True)
class Clock:
    kind: str
    due_at: datetime
    minutes_left: float  # business minutes until due; negative: business minutes overdue


def time_left(due_at: datetime, now: datetime, cal: Calendar) -> float:
    """Business minutes from `now` until `due_at`; negative when overdue."""
    return business_minutes(now, due_at, cal) if now <= due_at else -business_minutes(due_at, now, cal)


def running_clocks(session: Session, conversation_ids: list[int], now: datetime | None = None) -> dict[int, Clock]:
    """The running wait of each of these conversations that has one, with the time left."""
    if not conversation_ids:
        return {}
    now = now or utcnow()
    cal = calendar(session)
    waits = session.exec(
        select(ResponseWait).where(col(ResponseWait.conversation_id).in_(conversation_ids), ResponseWait.answered_at.is_(None))
    ).all()
    return {w.conversation_id: Clock(w.kind, w.due_at, time_left(w.due_at, now, cal)) for w in waits}


def count_breaches(session: Session, start: datetime, end: datetime, now: datetime | None = None) -> dict[str, int]:
    """Waits that began in [start, end) and were answered after their due time, or are still
    running past it at `now`: by kind, with the total and how many waits there were."""
    now = now or utcnow()
    breached = sa.or_(ResponseWait.answered_at > ResponseWait.due_at,
                      sa.and_(ResponseWait.answered_at.is_(None), ResponseWait.due_at < now))
    rows = session.execute(
        sa.select(ResponseWait.kind, sa.func.count(), sa.func.count().filter(breached))
        .where(ResponseWait.started_at >= start, ResponseWait.started_at < end)
        .group_by(ResponseWait.kind)
    ).all()
    out = {FIRST: 0, NEXT: 0, "total": 0, "waits": 0}
    for kind, waits, breaches in rows:
        out[kind] = breaches
        out["total"] += breaches
        out["waits"] += waits
    return out

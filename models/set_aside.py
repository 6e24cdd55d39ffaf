"""Events set aside: a stored webhook event that cannot be applied for a reason retrying cannot
fix (data the schema cannot hold, a payload the rules cannot read, a bug) stops after a few
attempts and waits, with its reason, for an admin to retry or discard it. Nothing is deleted.

A failure is *transient* when the database or Redis could not be reached or gave up for the
moment (a lost connection, a deadlock, a timeout): retrying will fix it, so it is retried until
it succeeds and never set aside. Anything else is *permanent* — but an event still gets
`PERMANENT_AFTER` attempts, so a constraint that failed because of a race gets its retry.

Reads/writes: inbound_event (`attempts`, `error`, `last_attempt_at`, `set_aside_at`,
`discarded_at`); audit_entry for the admin's retry and discard.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
import redis
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from logs import audit
from models.access import Access, may
from models.base import utcnow
from models.inbox import InboundEvent
from models.refusals import Refused
from models.staff import StaffUser

PERMANENT_AFTER = 3  # attempts before a permanent failure sets the event aside
REASON_CHARS = 300
PREVIEW_CHARS = 240  # the payload as the admin list shows it
PREVIEW_TEXT_CHARS = 40  # each string inside the preview

# Retrying fixes these: the database or Redis is away or busy for a moment.
TRANSIENT: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,  # connection lost, server shutting down, deadlock, lock or statement timeout
    psycopg.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,  # no pooled connection in time
    redis.ConnectionError,
    redis.TimeoutError,
    OSError,  # sockets: refused, reset, timed out
)


class EventNotSetAside(Refused):
    """An admin's retry or discard found the event no longer set aside (someone else acted)."""


@dataclass(frozen=True)
class SetAsideEvent:
    """One set-aside event as the admin list shows it."""

    id: int
    kind: str
    received_at: datetime
    set_aside_at: datetime
    reason: str
    attempts: int
    preview: str  # the payload, each text trimmed, the whole cut to PREVIEW_CHARS


def is_transient(exc: BaseException) -> bool:
    """Whether retrying can fix this failure: the database or Redis was away or busy. SQLAlchemy
    wraps the driver's error (`orig`); an invalidated connection counts as away."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    for cause in (exc, getattr(exc, "orig", None), exc.__cause__):
        if isinstance(cause, TRANSIENT):
            return True
    return False


def reason(exc: BaseException) -> str:
    """The failure in one short line: the error's class and the database's own message — never
    the SQL or its parameters (SQLAlchemy's text carries both, and they hold customers' words)."""
    cause = getattr(exc, "orig", None) or exc
    message = ""
    if isinstance(cause, psycopg.Error) and cause.diag.message_primary:
        message = cause.diag.message_primary
    elif not isinstance(cause, sa.exc.StatementError):
        lines = str(cause).splitlines()
        message = lines[0] if lines else ""
    line = f"{type(cause).__name__}: {message}" if message else type(cause).__name__
    return _printable(line)[:REASON_CHARS]


def record_failure(session: Session, event_id: int, exc: BaseException) -> bool:
    """Count a failed attempt to apply the event and keep its reason; a permanent failure on
    attempt `PERMANENT_AFTER` or later sets the event aside. Returns whether it is now set aside
    (its apply actor should stop retrying). An event applied meanwhile is left alone."""
    attempts, now = InboundEvent.attempts + 1, sa.func.clock_timestamp()
    values: dict[str, Any] = {"attempts": attempts, "error": reason(exc), "last_attempt_at": now}
    if not is_transient(exc):
        values["set_aside_at"] = sa.case((attempts >= PERMANENT_AFTER, now), else_=None)
    marked = session.execute(
        sa.update(InboundEvent)
        .where(col(InboundEvent.id) == event_id, col(InboundEvent.processed_at).is_(None))
        .values(values)
        .returning(InboundEvent.set_aside_at)
    ).first()
    return marked is not None and marked[0] is not None


def _waiting_for_an_admin() -> Any:
    return sa.and_(col(InboundEvent.set_aside_at).is_not(None), col(InboundEvent.discarded_at).is_(None))


def count_set_aside(session: Session) -> int:
    """How many events wait for an admin (set aside, not discarded): the `/metrics` gauge."""
    return session.exec(select(func.count()).select_from(InboundEvent).where(_waiting_for_an_admin())).one()


def list_set_aside(session: Session, limit: int = 200) -> list[SetAsideEvent]:
    """The events waiting for an admin, the most recently set aside first."""
    rows = session.exec(
        select(InboundEvent).where(_waiting_for_an_admin()).order_by(col(InboundEvent.set_aside_at).desc()).limit(limit)
    ).all()
    return [
        SetAsideEvent(e.id, e.kind, e.received_at, e.set_aside_at, e.error or "", e.attempts, preview(e.payload))
        for e in rows
    ]


def preview(payload: Any) -> str:
    """The payload as one short line: every string trimmed to PREVIEW_TEXT_CHARS, the whole to
    PREVIEW_CHARS — enough to recognise the event, not to read a conversation."""
    line = json.dumps(_trimmed(payload), ensure_ascii=False, separators=(", ", ": "))
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


def retry(session: Session, actor: StaffUser, event_id: int) -> str:
    """Clear the set-aside mark so the apply actor takes the event again; returns its kind, for
    the caller to enqueue it (`actors.messenger.actor_for`) once this commits (the relay would
    otherwise, within a minute). Its attempts are kept: failing again permanently sets it aside
    again at once. Audited in the caller's transaction."""
    event = _set_aside_for(session, actor, event_id)
    audit.record(session, actor, "event.retry", "inbound_event", event_id, kind=event.kind, reason=event.error, attempts=event.attempts)
    event.set_aside_at = None
    session.add(event)
    return event.kind


def discard(session: Session, actor: StaffUser, event_id: int) -> None:
    """Give up on a set-aside event: it is marked discarded, kept, and no longer listed or
    counted. Audited in the caller's transaction."""
    event = _set_aside_for(session, actor, event_id)
    audit.record(session, actor, "event.discard", "inbound_event", event_id, kind=event.kind, reason=event.error, attempts=event.attempts)
    event.discarded_at = utcnow()
    session.add(event)


def _set_aside_for(session: Session, actor: StaffUser, event_id: int) -> InboundEvent:
    """The event, locked, if `actor` may act on it and it still waits for an admin."""
    if not may(actor.role, Access.ADMIN):
        raise Refused("error_role")
    event = session.exec(select(InboundEvent).where(col(InboundEvent.id) == event_id).with_for_update()).first()
    if event is None or event.set_aside_at is None or event.discarded_at is not None or event.processed_at is not None:
        raise EventNotSetAside("error_event_not_set_aside")
    return event


def _trimmed(value: Any) -> Any:
    if isinstance(value, str):
        text = _printable(value)
        return text if len(text) <= PREVIEW_TEXT_CHARS else text[: PREVIEW_TEXT_CHARS - 1] + "…"
    if isinstance(value, dict):
        return {_trimmed(str(k)): _trimmed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trimmed(v) for v in value]
    return value


def _printable(text: str) -> str:
    """One line PostgreSQL can store and a page can show: no NUL, no control characters."""
    return "".join(ch if ch.isprintable() else " " for ch in text)

"""The set-aside rules on real failures from the real database and Redis: which retrying can fix,
what reason is kept, when an event is set aside, and an admin's audited retry and discard."""

from collections.abc import Callable

import psycopg
import pytest
import redis
import sqlalchemy as sa
from sqlmodel import select

from models import AuditEntry, InboundEvent
from models.db import get_engine, session_scope, sqlalchemy_url
from models.enums import Role
from models.refusals import Refused
from models.set_aside import (
    PERMANENT_AFTER,
    PREVIEW_CHARS,
    EventNotSetAside,
    count_set_aside,
    discard,
    is_transient,
    list_set_aside,
    preview,
    reason,
    record_failure,
    retry,
)
from models.settings import get_settings
from models.staff import StaffUser
from tests.messenger_helpers import envelope, store, text_event
from vschool.harness import free_port
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")

SECRET_WORDS = "ชื่อลูกค้า-สมศรี-0891112222"


def _raised(fn: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as caught:
        fn()
    return caught.value


def _overlong_value() -> BaseException:
    """The database refuses a value longer than its column (a DataError)."""
    with session_scope() as s:
        s.add(InboundEvent(dedupe_key="k-long", kind=SECRET_WORDS * 5, payload={}))
        s.flush()
    raise AssertionError("the database took a value longer than its column")


def _nul_in_text() -> None:
    with session_scope() as s:
        s.add(InboundEvent(dedupe_key="k-nul", kind="message", payload={}, error=f"{SECRET_WORDS}\x00"))
        s.flush()


def _duplicate_key() -> None:
    with session_scope() as s:
        for _ in range(2):
            s.add(InboundEvent(dedupe_key=f"dup:{SECRET_WORDS}", kind="message", payload={}))
            s.flush()


def _closed_port() -> None:
    url = sa.make_url(sqlalchemy_url(get_settings().database_url)).set(host="127.0.0.1", port=free_port())
    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    try:
        engine.connect()
    finally:
        engine.dispose()


def _lock_held_elsewhere() -> None:
    """A row another transaction holds, with a short lock timeout: the database answers but
    gives up for the moment (LockNotAvailable)."""
    (event_id,) = store(envelope(text_event("2400000000000001", "m_lock", "hi", 1_795_000_000_000)))
    with get_engine().connect() as holder, get_engine().connect() as waiter:
        holder.execute(sa.text("SELECT 1 FROM inbound_event WHERE id = :id FOR UPDATE"), {"id": event_id})
        waiter.execute(sa.text("SET lock_timeout = '50ms'"))
        waiter.execute(sa.text("SELECT 1 FROM inbound_event WHERE id = :id FOR UPDATE"), {"id": event_id})


def _redis_away() -> None:
    redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1).ping()


def test_database_and_redis_away_or_busy_are_transient() -> None:
    for failure in (_raised(_closed_port), _raised(_lock_held_elsewhere), _raised(_redis_away)):
        assert is_transient(failure), repr(failure)
    direct = _raised(lambda: psycopg.connect(host="127.0.0.1", port=free_port(), dbname="x", connect_timeout=2))
    assert isinstance(direct, psycopg.OperationalError) and is_transient(direct)


def test_data_errors_constraints_and_parsing_are_permanent_and_their_reason_holds_no_data() -> None:
    overlong, nul, duplicate = _raised(_overlong_value), _raised(_nul_in_text), _raised(_duplicate_key)
    assert isinstance(overlong, sa.exc.DataError) and isinstance(duplicate, sa.exc.IntegrityError)
    parsing = [_raised(lambda: {}["message"]), _raised(lambda: int("๑x")), _raised(lambda: "a" + 1)]
    for failure in (overlong, nul, duplicate, *parsing):
        assert not is_transient(failure), repr(failure)
    assert reason(overlong) == "StringDataRightTruncation: value too long for type character varying(40)"
    assert reason(duplicate).startswith("UniqueViolation: duplicate key value violates unique constraint")
    assert reason(nul).startswith("DataError: ") and "NUL" in reason(nul)
    assert reason(parsing[0]) == "KeyError: 'message'"
    assert SECRET_WORDS not in str(overlong)  # the engine hides a statement's parameters (models/db.py) …
    assert SECRET_WORDS in str(duplicate)  # … but PostgreSQL's own detail can quote the key …
    for failure in (overlong, nul, duplicate):
        assert SECRET_WORDS not in reason(failure) and "INSERT" not in reason(failure)  # … the reason never


def _event(mid: str) -> int:
    (event_id,) = store(envelope(text_event("2400000000000002", mid, "ราคาเท่าไหร่คะ " * 20, 1_795_000_000_000)))
    return event_id


def _row(event_id: int) -> InboundEvent:
    with session_scope() as s:
        return s.get(InboundEvent, event_id)


def test_a_permanent_failure_sets_the_event_aside_on_its_third_attempt_and_a_transient_one_never() -> None:
    permanent, transient = _raised(_overlong_value), _raised(_closed_port)
    poison, waiting = _event("m_poison"), _event("m_waiting")
    for attempt in range(1, PERMANENT_AFTER + 1):
        with session_scope() as s:
            assert record_failure(s, poison, permanent) is (attempt == PERMANENT_AFTER)
    for _ in range(PERMANENT_AFTER * 3):
        with session_scope() as s:
            assert record_failure(s, waiting, transient) is False
    aside, kept_trying = _row(poison), _row(waiting)
    assert aside.set_aside_at is not None and aside.attempts == PERMANENT_AFTER and aside.error.startswith("StringDataRightTruncation")
    assert kept_trying.set_aside_at is None and kept_trying.attempts == PERMANENT_AFTER * 3 and kept_trying.last_attempt_at
    with session_scope() as s:
        (listed,) = list_set_aside(s)
        assert count_set_aside(s) == 1
    assert (listed.id, listed.kind, listed.attempts, listed.reason) == (poison, "message", PERMANENT_AFTER, aside.error)
    assert len(listed.preview) <= PREVIEW_CHARS and "ราคาเท่าไหร่คะ ราคาเท่าไหร่คะ ราคา" in listed.preview
    assert "ราคาเท่าไหร่คะ " * 4 not in listed.preview  # the text is trimmed


def _set_aside(event_id: int) -> None:
    failure = _raised(_overlong_value)
    with session_scope() as s:
        s.execute(sa.update(InboundEvent).where(InboundEvent.id == event_id).values(attempts=PERMANENT_AFTER - 1))
        assert record_failure(s, event_id, failure)


def _staff(role: Role, email: str) -> StaffUser:
    with session_scope() as s:
        return create_staff(s, None, email, email.split("@")[0], role, "a-long-password-1")


def _audit() -> list[tuple[str, str, str]]:
    with session_scope() as s:
        return [(e.action, e.target_id, e.actor_label) for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))
                if e.action.startswith("event.")]


def test_an_admin_retries_or_discards_a_set_aside_event_audited_and_nothing_is_deleted() -> None:
    admin, agent = _staff(Role.ADMIN, "boss@vschool.test"), _staff(Role.AGENT, "nok@vschool.test")
    retried, dropped = _event("m_retried"), _event("m_dropped")
    for event_id in (retried, dropped):
        _set_aside(event_id)
    with session_scope() as s, pytest.raises(Refused, match="role"):
        retry(s, agent, retried)
    with session_scope() as s:
        assert retry(s, admin, retried) == "message"
    with session_scope() as s, pytest.raises(EventNotSetAside):
        retry(s, admin, retried)  # twice from two tabs: the second finds nothing to do
    assert _row(retried).set_aside_at is None and _row(retried).attempts == PERMANENT_AFTER
    with session_scope() as s:
        discard(s, admin, dropped)
    with session_scope() as s, pytest.raises(EventNotSetAside):
        discard(s, admin, dropped)
    kept = _row(dropped)
    assert kept.discarded_at is not None and kept.set_aside_at is not None and kept.payload["message"]["mid"] == "m_dropped"
    with session_scope() as s:
        assert (list_set_aside(s), count_set_aside(s)) == ([], 0)
    assert _audit() == [("event.retry", str(retried), admin.email), ("event.discard", str(dropped), admin.email)]


def test_the_preview_trims_every_text_and_the_whole() -> None:
    shown = preview({"message": {"text": "x" * 500, "mid": "m_1"}, "list": ["y" * 100] * 20})
    assert len(shown) <= PREVIEW_CHARS and shown.endswith("…") and "x" * 40 not in shown and '"mid": "m_1"' in shown
    assert preview({"text": "a\x00b\nc"}) == '{"text": "a b c"}'

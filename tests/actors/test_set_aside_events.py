"""A signed event the schema cannot hold, through the real webhook and a real worker: set aside
after its attempts with its reason, listed and counted in /metrics, left alone by the relay;
an admin's retry applies it once the data is fixed, and a discard keeps the row."""

import json
import os
import subprocess
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
import redis
import sqlalchemy as sa
from sqlmodel import select

from actors.broker import NAMESPACE
from actors.messenger import actor_for, process_inbound_event, relay_unprocessed_events
from models import AuditEntry, Customer, InboundEvent, Message
from models.db import session_scope
from models.enums import Role
from models.set_aside import PERMANENT_AFTER, count_set_aside, discard, list_set_aside, retry
from models.staff import StaffUser
from tests.conftest import wait_until
from tests.messenger_helpers import envelope, signed, store, text_event
from vschool.api import build_api
from vschool.api.inbound_store import inbound_store
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")

TOO_LONG_PSID = "9" * 80  # channel_identity.external_id holds 64
WHEN = 1_795_000_000_000


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    inbound_store.cache_clear()  # a pool bound to this test's event loop
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://app") as c:
        yield c
    store_ = inbound_store()
    if store_._pool is not None:
        await store_._pool.close()
    inbound_store.cache_clear()


def _poison(mid: str) -> dict:
    return envelope(text_event(TOO_LONG_PSID, mid, "สนใจคอร์สราเมงค่ะ", WHEN))


def _rows() -> dict[str, InboundEvent]:
    with session_scope() as s:
        return {e.payload["message"]["mid"]: e for e in s.exec(select(InboundEvent))}


def _both_set_aside() -> dict[str, InboundEvent] | None:
    rows = _rows()
    return rows if len(rows) == 2 and all(e.set_aside_at is not None for e in rows.values()) else None


async def _gauge(client: httpx.AsyncClient) -> str:
    body = (await client.get("/metrics")).text
    return next(line for line in body.splitlines() if line.startswith("vschool_events_set_aside "))


def _admin() -> StaffUser:
    with session_scope() as s:
        return create_staff(s, None, "boss@vschool.test", "Boss", Role.ADMIN, "a-long-password-1")


async def test_a_poison_event_is_set_aside_and_an_admin_retries_it_once_fixed_or_discards_it(
    worker: subprocess.Popen, client: httpx.AsyncClient
) -> None:
    for mid in ("m_poison_fixed", "m_poison_dropped"):
        raw, headers = signed(_poison(mid))
        assert (await client.post("/webhooks/messenger", content=raw, headers=headers)).status_code == 200

    rows = wait_until(_both_set_aside, timeout_s=60)
    for event in rows.values():
        assert event.attempts == PERMANENT_AFTER and event.processed_at is None
        assert event.error == "StringDataRightTruncation: value too long for type character varying(64)"
    with session_scope() as s:
        listed = {e.id: e for e in list_set_aside(s)}
    fixed, dropped = rows["m_poison_fixed"].id, rows["m_poison_dropped"].id
    assert set(listed) == {fixed, dropped} and listed[fixed].kind == "message" and listed[fixed].attempts == PERMANENT_AFTER
    assert "9" * 80 not in listed[fixed].preview and "สนใจคอร์สราเมงค่ะ" in listed[fixed].preview
    assert await _gauge(client) == "vschool_events_set_aside 2.0"
    with session_scope() as s:
        assert s.exec(select(Customer)).all() == []

    admin = _admin()
    with session_scope() as s:  # the bug is fixed: the event's data now applies
        s.execute(sa.text("""UPDATE inbound_event SET payload = jsonb_set(payload, '{sender,id}', '"2400000000000009"')
                             WHERE id = :id"""), {"id": fixed})
        kind = retry(s, admin, fixed)
        discard(s, admin, dropped)
    for _ in range(2):  # a double click, or the relay as well: applied once
        actor_for(kind).send(fixed)

    def applied() -> bool:
        return _rows()["m_poison_fixed"].processed_at is not None

    wait_until(applied, timeout_s=30)
    with session_scope() as s:
        assert [m.mid for m in s.exec(select(Message))] == ["m_poison_fixed"]
        assert len(s.exec(select(Customer)).all()) == 1
        assert (list_set_aside(s), count_set_aside(s)) == ([], 0)
        audited = s.exec(select(AuditEntry).where(AuditEntry.target_type == "inbound_event").order_by(AuditEntry.id))
        assert [(a.action, a.target_id, a.actor_label) for a in audited] == [
            ("event.retry", str(fixed), admin.email), ("event.discard", str(dropped), admin.email),
        ]
    kept = _rows()["m_poison_dropped"]
    assert kept.discarded_at is not None and kept.processed_at is None and kept.payload["sender"]["id"] == TOO_LONG_PSID
    assert await _gauge(client) == "vschool_events_set_aside 0.0"


def _enqueued(event_id: int) -> int:
    """How many `process_inbound_event` messages for this event wait in Redis."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    messages = [json.loads(raw) for raw in client.hvals(f"{NAMESPACE}:interactive.msgs")]
    return sum(1 for m in messages if m["actor_name"] == process_inbound_event.actor_name and m["args"] == [event_id])


def test_the_relay_enqueues_an_event_nobody_applied_but_never_a_set_aside_one() -> None:
    (poison,) = store(_poison("m_poison_relay"))
    (waiting,) = store(envelope(text_event("2400000000000010", "m_waiting_relay", "hi", WHEN)))
    for attempt in range(1, PERMANENT_AFTER + 1):  # the worker's attempts, in this process
        if attempt < PERMANENT_AFTER:
            with pytest.raises(sa.exc.DataError):
                process_inbound_event.fn(poison)
        else:
            process_inbound_event.fn(poison)  # set aside: no exception, so no more retries
    with session_scope() as s:
        s.execute(sa.text("UPDATE inbound_event SET received_at = now() - interval '5 minutes', "
                          "last_attempt_at = now() - interval '5 minutes'"))
    before = _enqueued(poison), _enqueued(waiting)
    relay_unprocessed_events.fn()
    assert (_enqueued(poison), _enqueued(waiting)) == (before[0], before[1] + 1)

"""`/webhooks/messenger` through the real Starlette routes (in process) against real
PostgreSQL and Redis: handshake, signatures, limits, storage before 200, dedupe."""

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
import redis
from sqlmodel import select

from actors.messenger import RECEIPT_PRIORITY, apply_receipt, process_inbound_event
from models import InboundEvent
from models.db import session_scope
from models.settings import get_settings
from tests.messenger_helpers import envelope, shape, signed, text_event
from vschool.api import build_api
from vschool.api.abuse import MAX_REFUSALS, RefusalLimiter, webhook_refusals
from vschool.api.inbound_store import inbound_store, rejected_bodies

pytestmark = pytest.mark.usefixtures("db")


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    inbound_store.cache_clear()  # a pool bound to this test's event loop
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://app") as c:
        yield c
    store = inbound_store()
    if store._pool is not None:
        await store._pool.close()
    inbound_store.cache_clear()


def _rows() -> list[InboundEvent]:
    with session_scope() as s:
        return list(s.exec(select(InboundEvent).order_by(InboundEvent.id)))


async def test_handshake_answers_the_challenge_only_with_the_right_token(client: httpx.AsyncClient) -> None:
    token = get_settings().meta_verify_token.get_secret_value()
    ok = await client.get("/webhooks/messenger", params={"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.text) == (200, "1158201444")
    bad = await client.get("/webhooks/messenger", params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "x"})
    assert bad.status_code == 403 and "1158201444" not in bad.text


async def test_bad_or_missing_signature_is_403_and_stores_nothing(client: httpx.AsyncClient) -> None:
    raw, headers = signed(shape("messenger_webhook_message_text_quick_reply"))
    for header in ({}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}, {"X-Hub-Signature-256": headers["X-Hub-Signature-256"][7:]}):
        response = await client.post("/webhooks/messenger", content=raw, headers=header)
        assert response.status_code == 403
    tampered = raw.replace(b"hello", b"HELLO")
    assert (await client.post("/webhooks/messenger", content=tampered, headers=headers)).status_code == 403
    assert _rows() == []


async def test_a_signed_body_that_is_not_json_is_set_aside_with_200_and_oversized_is_413(client: httpx.AsyncClient) -> None:
    raw, headers = signed(b'{"object": "page", "entry": [')
    answer = await client.post("/webhooks/messenger", content=raw, headers=headers)
    assert (answer.status_code, answer.text) == (200, "EVENT_RECEIVED")  # Meta's: a 400 would only make it resend
    total, newest = rejected_bodies(inbound_store().journal_dir)
    assert total >= 1 and newest[0]["preview"] == raw.decode()  # what the admin's set-aside page shows
    metrics = (await client.get("/metrics")).text
    assert f"vschool_webhook_bodies_rejected {float(total)}" in metrics
    big, headers = signed(b'{"x": "' + b"a" * (1024 * 1024) + b'"}')
    assert (await client.post("/webhooks/messenger", content=big, headers=headers)).status_code == 413
    assert _rows() == []



async def test_every_event_is_stored_before_the_200_and_duplicates_add_nothing(client: httpx.AsyncClient) -> None:
    raw, headers = signed(shape("messenger_webhook_batched"))
    for _ in range(3):  # Meta retries
        response = await client.post("/webhooks/messenger", content=raw, headers=headers)
        assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    rows = _rows()
    assert [(r.kind, r.page_id, r.sender_id) for r in rows] == [
        ("message", "1111111111", "2222222222"),
        ("delivery", "1111111111", "2222222222"),
        ("read", "4444444444", "5555555555"),
    ]
    assert rows[0].payload["message"]["text"] == "first" and rows[0].processed_at is None


async def test_thai_text_and_odd_but_valid_bodies_are_kept(client: httpx.AsyncClient) -> None:
    body = envelope(text_event("24000000000000001", "m_thai_1", "สวัสดีค่ะ สนใจคอร์สราเมงค่ะ\u0000", 1_795_000_000_000))
    raw, headers = signed(body)
    assert (await client.post("/webhooks/messenger", content=raw, headers=headers)).status_code == 200
    raw, headers = signed({"something": "new from Meta"})
    assert (await client.post("/webhooks/messenger", content=raw, headers=headers)).status_code == 200
    rows = _rows()
    assert rows[0].payload["message"]["text"].startswith("สวัสดีค่ะ สนใจคอร์สราเมงค่ะ")
    assert rows[1].kind == "unknown" and rows[1].payload["something"] == "new from Meta"


async def test_a_body_nested_too_deeply_is_answered_200_and_set_aside(client: httpx.AsyncClient) -> None:
    deep = b'{"object": "page", "entry": [{"id": "1", "messaging": [{"sender": {"id": "2"}, "message": {"mid": "m", "x": ' + b"[" * 900 + b"]" * 900 + b"}}]}]}"
    raw, headers = signed(deep)
    response = await client.post("/webhooks/messenger", content=raw, headers=headers)
    assert response.status_code == 200  # never a 500 nor a 400 to Meta; the raw body is kept for a person
    assert rejected_bodies(inbound_store().journal_dir)[1][0]["size"] == len(raw)


async def test_an_address_sending_many_unsigned_posts_is_slowed_but_signed_events_still_land(client: httpx.AsyncClient) -> None:
    webhook_refusals._seen.clear()
    raw, headers = signed(shape("messenger_webhook_message_text_quick_reply"))
    statuses = [
        (await client.post("/webhooks/messenger", content=b'{"object":"page"}', headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})).status_code
        for _ in range(MAX_REFUSALS + 3)
    ]
    assert statuses[:MAX_REFUSALS] == [403] * MAX_REFUSALS and statuses[MAX_REFUSALS:] == [429] * 3
    limited = await client.post("/webhooks/messenger", content=b"{}", headers={"X-Hub-Signature-256": "nope"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert _rows() == []  # nothing stored from the flood

    ok = await client.post("/webhooks/messenger", content=raw, headers=headers)  # the same address, the same minute
    assert ok.status_code == 200 and len(_rows()) == 1


def test_the_refusal_window_forgets_an_address_after_a_minute() -> None:
    now = [1000.0]
    limiter = RefusalLimiter(limit=2, window_s=60, clock=lambda: now[0])
    limiter.refused("203.0.113.9")
    limiter.refused("203.0.113.9")
    assert limiter.blocked("203.0.113.9") and not limiter.blocked("198.51.100.1")
    now[0] += 61
    assert not limiter.blocked("203.0.113.9")


async def test_posts_arriving_together_are_each_stored_once_and_enqueued_once(client: httpx.AsyncClient) -> None:
    bodies = [envelope(text_event(f"2400000000000{n:04d}", f"m_together_{n}", f"ข้อความที่ {n}", 1_795_000_000_000 + n)) for n in range(30)]
    bodies += bodies[:10]  # Meta delivering ten of them twice, at the same moment
    posts = [signed(body) for body in bodies]
    queue = redis.Redis.from_url(get_settings().redis_url)
    before = set(queue.hkeys("vschool:interactive.msgs"))  # earlier tests' messages are not ours
    responses = await asyncio.gather(*(client.post("/webhooks/messenger", content=raw, headers=headers) for raw, headers in posts))
    assert [r.status_code for r in responses] == [200] * 40
    rows = _rows()
    assert sorted(r.payload["message"]["mid"] for r in rows) == sorted(f"m_together_{n}" for n in range(30))

    queued = [
        json.loads(raw)["args"][0]
        for key, raw in queue.hgetall("vschool:interactive.msgs").items()
        if key not in before and json.loads(raw)["actor_name"] == "process_inbound_event"
    ]
    ours = [event_id for event_id in queued if event_id in {r.id for r in rows}]
    assert len(ours) == len(set(ours))  # never handed to the worker twice
    assert all(r.id in ours or r.processed_at is not None for r in rows)  # every one handed over


async def test_receipts_go_to_their_own_queue_after_the_customers(client: httpx.AsyncClient) -> None:
    queue = redis.Redis.from_url(get_settings().redis_url)
    before = {name: set(queue.hkeys(f"vschool:{name}.msgs")) for name in ("interactive", "receipts")}
    raw, headers = signed(shape("messenger_webhook_batched"))  # a message, a delivery and a read
    assert (await client.post("/webhooks/messenger", content=raw, headers=headers)).status_code == 200
    kinds = {r.id: r.kind for r in _rows()}
    routed = {
        json.loads(body)["args"][0]: (name, json.loads(body)["actor_name"])
        for name in ("interactive", "receipts")
        for key, body in queue.hgetall(f"vschool:{name}.msgs").items()
        if key not in before[name] and json.loads(body)["args"] and json.loads(body)["args"][0] in kinds
    }
    assert {kinds[i]: where for i, where in routed.items()} == {
        "message": ("interactive", "process_inbound_event"),
        "delivery": ("receipts", "apply_receipt"),
        "read": ("receipts", "apply_receipt"),
    }
    assert apply_receipt.priority == RECEIPT_PRIORITY > process_inbound_event.priority

"""Where webhook events go before the webhook answers: PostgreSQL, or an fsync'd journal.

The store inserts every event of a body in one statement (`ON CONFLICT (dedupe_key) DO NOTHING`,
so Meta's repeated deliveries add nothing) and hands the new rows' ids to the worker. When the
database cannot be reached, the raw body is appended to `{data}/journal/webhook.jsonl` and
fsync'd; a lifespan task replays the journal (deduped) when the database is back. When Redis is
down, rows simply wait: the outbox relay enqueues unprocessed rows later.
"""

import asyncio
import base64
import hashlib
import json
import logging
import os
import time
from functools import lru_cache
from pathlib import Path

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from logs.jsonl import log_error
from models.db import libpq_url
from models.messenger_events import WebhookEvent, split_webhook
from models.settings import get_settings

log = logging.getLogger("vschool.webhook")

_INSERT = """
INSERT INTO inbound_event (dedupe_key, channel, page_id, sender_id, kind, standby, payload, event_time, received_at, attempts)
SELECT k, c, p, s, kd, sb, pl::jsonb, et, now(), 0
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bool[], %s::text[], %s::timestamptz[])
     AS t(k, c, p, s, kd, sb, pl, et)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""
UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout, OSError)


def _text(value: str) -> str:
    """A string PostgreSQL can store: no NUL, no unpaired surrogates (JSON allows both)."""
    return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def _key(value: str) -> str:
    clean = _text(value)
    if len(clean) <= 300 and clean == value:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _clip(value: str | None, size: int) -> str | None:
    return None if value is None else _text(value)[:size]


def _storable(value: object) -> object:
    """The JSON value with every string made storable (jsonb refuses NUL and lone surrogates)."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {_text(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _payload(payload: dict) -> str:
    return json.dumps(_storable(payload), ensure_ascii=False)


def _columns(events: list[WebhookEvent]) -> list[list]:
    return [
        [_key(e.dedupe_key) for e in events],
        [e.channel for e in events],
        [_clip(e.page_id, 40) for e in events],
        [_clip(e.sender_id, 64) for e in events],
        [e.kind for e in events],
        [e.standby for e in events],
        [_payload(e.payload) for e in events],
        [e.event_time for e in events],
    ]


class InboundStore:
    """One per backend process (`STORE`); its pool opens on the first webhook."""

    def __init__(self, database_url: str | None = None, journal_dir: Path | None = None) -> None:
        self._pool: AsyncConnectionPool | None = None
        self._lock = asyncio.Lock()
        self.database_url = database_url
        self.journal_dir = journal_dir or get_settings().data_dir.resolve() / "journal"

    async def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    pool = AsyncConnectionPool(
                        libpq_url(self.database_url or get_settings().database_url or ""),
                        min_size=2,
                        max_size=8,
                        timeout=1.5,  # Meta waits 5 s; beyond this we journal instead
                        open=False,
                        kwargs={"autocommit": True},
                    )
                    await pool.open(wait=False)
                    self._pool = pool
        return self._pool

    async def insert(self, events: list[WebhookEvent]) -> list[int]:
        """Insert events (one statement); return the ids of the rows that were new."""
        pool = await self.pool()
        async with pool.connection() as conn:
            cur = await conn.execute(_INSERT, _columns(events))
            return [row[0] for row in await cur.fetchall()]

    # --- journal -------------------------------------------------------------------------------

    def journal(self, raw: bytes, name: str = "webhook.jsonl") -> None:
        """Append the raw body durably (fsync) before the webhook answers."""
        self.journal_dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": time.time(), "body": base64.b64encode(raw).decode()}) + "\n"
        fd = os.open(self.journal_dir / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    async def replay(self) -> int:
        """Move the journal aside and store its bodies; return how many new events it added.
        A replay that fails midway keeps its file and is retried (dedupe makes that safe)."""
        live = self.journal_dir / "webhook.jsonl"
        if live.exists() and live.stat().st_size:
            live.rename(self.journal_dir / f"webhook.{time.time_ns()}.replaying")
        added = 0
        for path in sorted(self.journal_dir.glob("webhook.*.replaying")):
            for line in path.read_text().splitlines():
                if not line.strip():
                    continue
                raw = base64.b64decode(json.loads(line)["body"])
                try:
                    added += len(await self.store_body(json.loads(raw)))
                except UNAVAILABLE:
                    raise  # still down: keep the file, try again later
                except (psycopg.Error, RecursionError) as exc:  # this body, not the database
                    self.journal(raw, name="rejected.jsonl")
                    log_error("webhook", "a journaled body was refused on replay", error=repr(exc)[:300])
            path.unlink()
        return added

    async def store_body(self, body: object) -> list[int]:
        """Split, insert, enqueue; return the new rows' ids (raises if the database is away)."""
        events = split_webhook(body)
        ids = await self.insert(events)
        for event in events:
            if event.kind == "unknown":
                log_error("webhook", "unknown webhook event stored", dedupe_key=event.dedupe_key[:80])
        await enqueue(ids)
        return ids


async def enqueue(ids: list[int]) -> None:
    """Hand new events to the worker without blocking the event loop. If Redis is away they
    wait for the outbox relay."""
    if not ids:
        return
    try:
        from actors.async_send import send_async
        from actors.messenger import process_inbound_event

        for event_id in ids:
            await send_async(process_inbound_event, event_id)
    except Exception as exc:  # Redis down or slow: the rows are safe in PostgreSQL
        log.warning("could not enqueue %d inbound events (%s); the relay will", len(ids), exc)


@lru_cache(maxsize=1)
def inbound_store() -> InboundStore:
    """This process's store, made on first use (once the settings are final)."""
    return InboundStore()


async def replay_journal_forever(every_s: float = 2.0) -> None:
    """Lifespan task: replay the journal whenever it has lines and the database answers."""
    while True:
        await asyncio.sleep(every_s)
        store = inbound_store()
        journal_dir = store.journal_dir
        if not journal_dir.exists() or not any(journal_dir.glob("webhook.*")):
            continue
        try:
            added = await store.replay()
            log.info("replayed the webhook journal: %d new events", added)
        except UNAVAILABLE:
            continue  # still down; try again
        except Exception as exc:
            log_error("webhook", "journal replay failed", error=repr(exc)[:500])

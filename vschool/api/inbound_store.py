"""Where webhook events go before the webhook answers: PostgreSQL, or an fsync'd journal.

The store inserts events with `ON CONFLICT (dedupe_key) DO NOTHING` (Meta's repeated deliveries
add nothing) and hands the new rows' ids to the worker. Posts that arrive together are written
together (`coalesce.Coalescer`): one statement, one commit and one Redis pipeline for all of them. When the
database cannot be reached, the raw body is appended to `{data}/journal/webhook.jsonl` and
fsync'd; a lifespan task replays the journal (deduped) when the database is back. When Redis is
down, rows simply wait: the outbox relay enqueues unprocessed rows later.

The backend runs several processes over one journal folder. A writer appends under an exclusive
`flock` and only to the file that is still named `webhook.jsonl`; the replay (one process at a
time, `.replay.lock`) renames that file aside, then takes its lock once, so a line being written
is finished before the file is read and a writer that opened the old file writes to the new one.
"""

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from logs.jsonl import log_error
from models.db import libpq_url
from models.messenger_events import WebhookEvent, split_webhook
from models.settings import get_settings
from vschool.api.coalesce import Coalescer

log = logging.getLogger("vschool.webhook")

_INSERT = """
INSERT INTO inbound_event (dedupe_key, channel, page_id, sender_id, kind, standby, payload, event_time, received_at, attempts)
SELECT k, c, p, s, kd, sb, pl::jsonb, et, now(), 0
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bool[], %s::text[], %s::timestamptz[])
     AS t(k, c, p, s, kd, sb, pl, et)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id, dedupe_key, kind
"""
ENQUEUE_TIMEOUT_S = 2.0  # the rows are committed; past this the outbox relay enqueues them
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
        self._inserts: Coalescer[list[list], list[tuple[int, str]]] = Coalescer(
            self._insert_bodies, size=lambda columns: len(columns[0]), isolate=lambda error: not isinstance(error, UNAVAILABLE)
        )
        self._enqueues: Coalescer[list[tuple[int, str]], None] = Coalescer(_enqueue_batch, size=len)

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
        """Insert events (with whatever other posts are waiting); return the ids of the rows that
        were new. Raises what the database raised for this body."""
        return [event_id for event_id, _ in await self.insert_events(events)]

    async def insert_events(self, events: list[WebhookEvent]) -> list[tuple[int, str]]:
        """`insert`, returning (id, kind) of each new row."""
        columns = _columns(events)
        return await self._inserts(columns) if columns[0] else []

    async def _insert_bodies(self, bodies: list[list[list]]) -> list[list[tuple[int, str]]]:
        """One statement for the events of several bodies; each body gets (id, kind) of its new
        rows (a key sent twice at once is new for the first body only)."""
        merged = [[value for columns in bodies for value in columns[n]] for n in range(len(bodies[0]))]
        pool = await self.pool()
        async with pool.connection() as conn:
            cur = await conn.execute(_INSERT, merged)
            rows = await cur.fetchall()
        owner: dict[str, int] = {}
        for index, columns in enumerate(bodies):
            for key in columns[0]:
                owner.setdefault(key, index)
        new: list[list[tuple[int, str]]] = [[] for _ in bodies]
        for event_id, key, kind in rows:  # committed: from here on nothing may raise
            if key in owner:
                new[owner[key]].append((event_id, kind))
            else:  # cannot happen (keys are stored as given); the relay would enqueue it
                log.warning("inbound event %s came back under an unknown key", event_id)
        return new

    # --- journal -------------------------------------------------------------------------------

    def journal(self, raw: bytes, name: str = "webhook.jsonl") -> None:
        """Append the raw body durably (fsync) before the webhook answers."""
        self.journal_dir.mkdir(parents=True, exist_ok=True)
        line = (json.dumps({"at": time.time(), "body": base64.b64encode(raw).decode()}) + "\n").encode()
        path = self.journal_dir / name
        while True:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if _still_named(fd, path):  # else a replay moved it aside meanwhile: open the new one
                    os.write(fd, line)
                    os.fsync(fd)
                    return
            finally:
                os.close(fd)

    async def replay(self) -> int:
        """Move the journal aside and store its bodies; return how many new events it added.
        A replay that fails midway keeps its file and is retried (dedupe makes that safe).
        Raises UNAVAILABLE, touching nothing, while the database does not answer."""
        with _only_one_replay(self.journal_dir) as mine:
            if not mine:
                return 0  # another backend process is replaying
            await self._ping()
            live = self.journal_dir / "webhook.jsonl"
            if live.exists() and live.stat().st_size:
                aside = self.journal_dir / f"webhook.{time.time_ns()}.replaying"
                live.rename(aside)
                _wait_for_writers(aside)
            added = 0
            for path in sorted(self.journal_dir.glob("webhook.*.replaying")):
                added += await self._replay_file(path)
            return added

    async def _replay_file(self, path: Path) -> int:
        added = 0
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            raw = base64.b64decode(json.loads(line)["body"])
            try:
                added += len(await self.store_body(json.loads(raw)))
            except UNAVAILABLE:
                raise  # down again: keep the file, try again later
            except (psycopg.Error, RecursionError) as exc:  # this body, not the database
                self.journal(raw, name="rejected.jsonl")
                log_error("webhook", "a journaled body was refused on replay", error=repr(exc)[:300])
        path.unlink()
        return added

    async def _ping(self) -> None:
        pool = await self.pool()
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")

    async def store_body(self, body: object) -> list[int]:
        """Split, insert, enqueue; return the new rows' ids (raises if the database is away)."""
        events = split_webhook(body)
        new = await self.insert_events(events)
        for event in events:
            if event.kind == "unknown":
                log_error("webhook", "unknown webhook event stored", dedupe_key=event.dedupe_key[:80])
        if new:
            await self._enqueues(new)
        return [event_id for event_id, _ in new]


def _still_named(fd: int, path: Path) -> bool:
    """Whether the open file is still the one at `path` (not renamed aside by a replay)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _wait_for_writers(path: Path) -> None:
    """Return once no writer holds the file's lock: a line being appended is complete."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)


REJECTED_SHOWN = 50
PREVIEW_CHARS = 200


def rejected_bodies(journal_dir: Path | None = None) -> tuple[int, list[dict[str, object]]]:
    """Signed bodies that could not be stored at all (not JSON, nested too deeply, refused by
    the database), kept whole in this host's `rejected.jsonl` for a person: how many, and the
    newest few as (time, size, the start of the body as text)."""
    path = (journal_dir or get_settings().data_dir.resolve() / "journal") / "rejected.jsonl"
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return 0, []
    shown = []
    for line in reversed(lines[-REJECTED_SHOWN:]):
        try:
            entry = json.loads(line)
            raw = base64.b64decode(entry["body"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a crash mid-append
        shown.append({"at": float(entry.get("at", 0)), "size": len(raw), "preview": raw[:PREVIEW_CHARS].decode("utf-8", "replace")})
    return len(lines), shown


@contextlib.contextmanager
def _only_one_replay(journal_dir: Path) -> Iterator[bool]:
    """True while this process holds the journal's replay lock; False if another one does."""
    journal_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(journal_dir / ".replay.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


async def _enqueue_batch(new_lists: list[list[tuple[int, str]]]) -> list[None]:
    """Hand new events to the worker (one Redis pipeline; each kind to its actor) without
    blocking the event loop. If Redis is away they wait for the outbox relay."""
    new = [pair for new_list in new_lists for pair in new_list]
    try:
        from actors.async_send import send_many_async
        from actors.messenger import actor_for

        async with asyncio.timeout(ENQUEUE_TIMEOUT_S):  # a hung Redis must not hold Meta's answer
            await send_many_async([(actor_for(kind), (event_id,)) for event_id, kind in new])
    except Exception as exc:  # Redis down or slow: the rows are safe in PostgreSQL
        log.warning("could not enqueue %d inbound events (%s); the relay will", len(new), exc)
    return [None] * len(new_lists)


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

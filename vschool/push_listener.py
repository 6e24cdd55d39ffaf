"""The push path's last hop, run as a lifespan task in every Reflex backend process.

Every process reads every `announce()` off one capped Redis stream (XREAD, no consumer group),
waits 20 ms for the rest of a burst (during a burst, until 100 ms after its previous bump),
and then bumps the announced topics' numbers in the `Feed` of each tab whose socket *this*
process holds. The pages' computed vars that read those numbers recompute for that tab and its
delta goes straight down its own socket. A process only ever works for its own tabs, so adding
app hosts spreads the refresh work instead of leaving it all to whichever process took the event.
"""

import asyncio
import json
import logging
import time

import redis.asyncio as aioredis
import reflex as rx
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy.exc import OperationalError

from actors.broker import redis_url
from actors.push import TOPICS, UI_EVENTS
from models.db import session_scope
from models.staff import StaffUser
from vschool import auth
from vschool.api.session_cookie import session_token_from
from vschool.state.feeds import Feed
from vschool.state.per_bump import BumpScope, bump_scope

log = logging.getLogger("vschool.push")
DRAIN = 200  # events taken in one go after a wake-up; a burst becomes one bump per tab
GATHER_S = 0.02  # after a wake-up, let what one piece of work announces arrive: one bump, not five
BUMP_EVERY_S = 0.1  # under a burst, at most ten bumps a second per process: more only costs CPU
AT_ONCE = 32  # tabs refreshed concurrently: their queries overlap, their locks do not pile up

PUSH_METRICS = CollectorRegistry()
EVENTS = Counter("vschool_push_events", "announce() events applied to feeds", ["topic"], registry=PUSH_METRICS)
LAG = Histogram(
    "vschool_push_lag_seconds",
    "announce() to feed bump",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
    registry=PUSH_METRICS,
)


def _topics(raw_events: list[bytes]) -> set[str]:
    topics = set()
    now = time.time()
    for raw in raw_events:
        try:
            event = json.loads(raw)
            topic = event["topic"]
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed ui event: %r", raw[:200])
            continue
        if topic in TOPICS:
            topics.add(topic)
            EVENTS.labels(topic=topic).inc()
            LAG.observe(max(0.0, now - float(event.get("at", now))))
    return topics


def _local_sockets(app: rx.App) -> dict[str, str]:
    """Client token → socket id, for the tabs whose sockets this process holds."""
    if app.event_namespace is None:
        return {}
    manager = app.event_namespace._token_manager
    mine = manager.instance_id
    return {token: record.sid for token, record in list(manager.token_to_socket.items()) if record.instance_id == mine}


def read_sessions(app: rx.App, sids: list[str]) -> dict[str, StaffUser | None]:
    """The sessions of these sockets' cookies, read from the database in one query (the gate's
    re-read for a whole bump: each tab then takes its own token's row, vschool/state/per_bump.py)."""
    namespace = app.event_namespace.namespace if app.event_namespace else "/_event"
    tokens = set()
    for sid in sids:
        environ = app.sio.get_environ(sid, namespace) if app.sio else None
        if environ:
            tokens.add(session_token_from(environ.get("HTTP_COOKIE", "")))
    tokens.discard("")
    if not tokens:
        return {}
    try:
        with session_scope() as session:
            return auth.users_for_tokens(session, tokens)
    except OperationalError:
        return {}  # each tab reads its own session then, and shows what the database allows


async def bump(app: rx.App, topics: set[str]) -> None:
    """Move `topics` forward in the Feed of every tab connected here; each tab gets its own delta."""
    gate = asyncio.Semaphore(AT_ONCE)
    sockets = _local_sockets(app)

    async def one(token: str) -> None:
        async with gate:
            try:
                async with app.modify_state(rx.BaseStateToken(ident=token, cls=Feed)) as root:
                    feed = await root.get_state(Feed)
                    for topic in topics:
                        setattr(feed, topic, getattr(feed, topic) + 1)
            except Exception:
                log.exception("push listener: could not refresh one tab; the others go on")

    # Tasks copy the context when created: every tab's refresh sees this bump's scope.
    with bump_scope(BumpScope(sessions=read_sessions(app, list(sockets.values())))):
        await asyncio.gather(*(one(token) for token in sockets))


async def _read(client: aioredis.Redis, after: bytes, block_ms: int | None = None) -> tuple[bytes, list[bytes]]:
    """Events after stream id `after` (waiting up to `block_ms` for the first; None: no wait), and the new last id."""
    answer = await client.xread({UI_EVENTS: after}, count=DRAIN, block=block_ms)
    if not answer:
        return after, []
    entries = answer[0][1]
    return entries[-1][0], [fields[b"event"] for _, fields in entries]


async def listen(app: rx.App) -> None:
    # Its own connection: XREAD blocks for up to 5 s, longer than other calls' timeouts.
    client = aioredis.Redis.from_url(redis_url(), socket_timeout=15, socket_connect_timeout=5)
    loop = asyncio.get_running_loop()
    last_bump, after = 0.0, b"$"
    while True:
        try:
            after, events = await _read(client, after, 5000)
            if not events:
                continue
            # Each bump recomputes this process's tabs' vars: fewer is cheaper. A lone event waits
            # GATHER_S; during a burst the bumps are BUMP_EVERY_S apart and carry more each.
            await asyncio.sleep(max(GATHER_S, last_bump + BUMP_EVERY_S - loop.time()))
            while True:  # take what arrived during the wait, all of it
                after, more = await _read(client, after)
                events += more
                if len(more) < DRAIN:
                    break
            topics = _topics(events)
            if topics:
                last_bump = loop.time()
                await bump(app, topics)
        except asyncio.CancelledError:
            raise
        except (aioredis.RedisError, OSError) as exc:
            log.warning("push listener: Redis unavailable (%s); retrying in 1 s", exc)
            await asyncio.sleep(1)
        except Exception:
            log.exception("push listener: failed to apply events; continuing")
            await asyncio.sleep(0.1)

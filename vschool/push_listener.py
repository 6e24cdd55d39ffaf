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

from actors.broker import redis_url
from actors.push import TOPICS, UI_EVENTS
from vschool.state.feeds import Feed

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


def local_tabs(app: rx.App) -> list[str]:
    """The client tokens of the tabs whose sockets this process holds."""
    if app.event_namespace is None:
        return []
    manager = app.event_namespace._token_manager
    mine = manager.instance_id
    return [token for token, record in list(manager.token_to_socket.items()) if record.instance_id == mine]


async def bump(app: rx.App, topics: set[str]) -> None:
    """Move `topics` forward in the Feed of every tab connected here; each tab gets its own delta."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(token: str) -> None:
        async with gate:
            try:
                async with app.modify_state(rx.BaseStateToken(ident=token, cls=Feed)) as root:
                    feed = await root.get_state(Feed)
                    for topic in topics:
                        setattr(feed, topic, getattr(feed, topic) + 1)
            except Exception:
                log.exception("push listener: could not refresh one tab; the others go on")

    await asyncio.gather(*(one(token) for token in local_tabs(app)))


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

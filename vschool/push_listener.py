"""The push path's last hop, run as a lifespan task in every Reflex backend process.

It pops `announce()` events off one Redis list (BLPOP: each event goes to exactly one process),
waits 20 ms for the rest of a burst (during a burst, until 100 ms after its previous bump),
drains whatever is waiting, and bumps each mentioned topic once on the shared feed
through the state manager's `modify_state_with_links` (see `bump`). Reflex relays the change to
every linked tab, including tabs connected to other backend processes (through Redis).
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
from vschool.state.feeds import FEED_TOKEN, Feed

log = logging.getLogger("vschool.push")
DRAIN = 200  # events taken in one go after a wake-up; a burst becomes one state change
GATHER_S = 0.02  # after a wake-up, let what one piece of work announces arrive: one bump, not five
BUMP_EVERY_S = 0.1  # under a burst, at most ten bumps a second per process: more only costs CPU

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


async def bump(app: rx.App, topics: set[str]) -> None:
    # Not `app.modify_state`: after the block it builds and emits a delta for the token itself,
    # which for the feed token means computing every page var that reads the feed (~23, in the
    # feed's own state tree) for a token that has no browser. The state manager's
    # `modify_state_with_links` does only what a bump needs: the lock, and on exit the relay of
    # the feed's changed vars to every linked tab, where those vars then recompute. The rest is
    # what `app.modify_state` does around it: `set_contexts()` gives the relay the app, and
    # `_clean()` records the changed vars for the relay (only a delta is skipped).
    token = rx.BaseStateToken(ident=FEED_TOKEN, cls=Feed)
    with app.set_contexts():
        async with app.state_manager.modify_state_with_links(token) as root:
            feed = await root.get_state(Feed)
            for topic in topics:
                setattr(feed, topic, getattr(feed, topic) + 1)
            root._clean()


async def listen(app: rx.App) -> None:
    # Its own connection: BLPOP holds it for up to 5 s, longer than other calls' timeouts.
    client = aioredis.Redis.from_url(redis_url(), socket_timeout=15, socket_connect_timeout=5)
    loop = asyncio.get_running_loop()
    last_bump = 0.0
    while True:
        try:
            first = await client.blpop([UI_EVENTS], timeout=5)
            if first is None:
                continue
            # Each bump recomputes the linked tabs' vars: fewer is cheaper. A lone event waits
            # GATHER_S; during a burst the bumps are BUMP_EVERY_S apart and carry more each.
            await asyncio.sleep(max(GATHER_S, last_bump + BUMP_EVERY_S - loop.time()))
            rest = await client.lpop(UI_EVENTS, DRAIN) or []
            topics = _topics([first[1], *rest])
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

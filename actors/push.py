"""`announce(topic, id)`: the one way actors (and anything else) tell open browsers that
something changed. Every Reflex backend process pops these off one Redis list, so each event is
handled once however many processes run, and bumps the matching feed that pages link to.

Topics (the `id` says which row changed; pages reload only what they show):
- `overview`      counters on the Overview page changed (id: "" )
- `customer`      a customer was created or changed (id: customer id)
- `conversation`  a conversation's status, assignee, labels or last message changed (id: conversation id)
- `message`       a message was added or its delivery status changed (id: conversation id)
- `staff`         a staff user was created or changed (id: staff user id)
- `ad_sync`       an ad sync started, progressed or finished (id: sync run id)
- `marketing`     the marketing snapshots were rebuilt (ad figures or revenue moved) (id: when)
- `seats`         seats in a course round were booked, paid, freed or moved, or the round or
                  its waitlist changed (id: round id)
"""

import json
import time
from functools import lru_cache

import redis

from actors.broker import NAMESPACE, redis_url

UI_EVENTS = f"{NAMESPACE}:ui-events"
TOPICS = frozenset({"overview", "customer", "conversation", "message", "staff", "ad_sync", "marketing", "knowledge", "seats"})
MAX_BACKLOG = 10_000  # with no app running, keep the list from growing without bound


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(redis_url())


def announce(topic: str, id: object = "") -> None:
    """Tell every open browser that `topic` row `id` changed. Call it after the commit."""
    announce_all((topic, id))


def announce_all(*changes: tuple[str, object]) -> None:
    """Several `announce(topic, id)` in one Redis round trip (what one piece of work changed)."""
    if not changes:
        return
    unknown = [topic for topic, _ in changes if topic not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic {unknown[0]!r}; known: {sorted(TOPICS)}")
    now = time.time()
    pipe = _client().pipeline(transaction=False)
    pipe.rpush(UI_EVENTS, *[json.dumps({"topic": topic, "id": str(id), "at": now}) for topic, id in changes])
    pipe.ltrim(UI_EVENTS, -MAX_BACKLOG, -1)
    pipe.execute()

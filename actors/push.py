"""`announce(topic, id)`: the one way actors (and anything else) tell open browsers that
something changed. Announces go on one capped Redis stream; every Reflex backend process, on
every app host, reads all of it and bumps the matching feed number of the tabs connected to
*that* process, so the work of refreshing tabs is spread over the hosts that hold them.

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
MAX_BACKLOG = 10_000  # the stream is capped: readers that fall further behind start again from now


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
    for topic, id in changes:
        pipe.xadd(UI_EVENTS, {"event": json.dumps({"topic": topic, "id": str(id), "at": now})}, maxlen=MAX_BACKLOG, approximate=True)
    pipe.execute()


def announced() -> list[dict]:
    """The announces still on the stream, oldest first: what open tabs were told (tests and operators)."""
    return [json.loads(fields[b"event"]) for _, fields in _client().xrange(UI_EVENTS)]

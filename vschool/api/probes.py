"""What the backend can see of its dependencies: database, Redis, workers, queues, and the
webhook events set aside for an admin."""

import asyncio
import weakref
from dataclasses import dataclass
from datetime import datetime

import redis.asyncio as aioredis
import sqlalchemy as sa

from actors.broker import HEARTBEAT_PREFIX, NAMESPACE, broker, redis_url
from actors.outbound import UNHEALTHY_KEY
from models.db import session_scope
from models.set_aside import count_set_aside
from models.stats import last_ad_sync

# One client per event loop: a client's connections belong to the loop that opened them (one loop
# per backend process in production; a test opens a new loop each time).
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = weakref.WeakKeyDictionary()


def async_redis() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = aioredis.Redis.from_url(redis_url(), socket_timeout=2, socket_connect_timeout=2)
    return client


@dataclass
class Probe:
    db: bool
    redis: bool
    workers: int
    last_ad_sync: datetime | None
    queue_depths: dict[str, int]
    messenger_problem: str | None = None  # set by a Send API token error until someone clears it
    events_set_aside: int = 0  # webhook events that wait for an admin (models/set_aside.py)


def _database() -> tuple[bool, datetime | None, int]:
    try:
        with session_scope() as session:
            session.execute(sa.text("SELECT 1"))
            return True, last_ad_sync(session), count_set_aside(session)
    except Exception:  # any failure means "not healthy"; the reason goes to the error log
        return False, None, 0


async def probe() -> Probe:
    db_ok, synced, set_aside = await asyncio.to_thread(_database)
    client = async_redis()
    try:
        workers = len([k async for k in client.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=100)])
        depths = {}
        for queue in sorted(broker.get_declared_queues()):
            depths[queue] = int(await client.llen(f"{NAMESPACE}:{queue}"))
        problem = await client.get(UNHEALTHY_KEY)
        redis_ok = True
    except (aioredis.RedisError, OSError):
        workers, depths, redis_ok, problem = 0, {}, False, None
    return Probe(db_ok, redis_ok, workers, synced, depths, problem.decode() if problem else None, set_aside)

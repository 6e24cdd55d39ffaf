"""What the backend can see of its dependencies: database, Redis, workers, queues."""

import asyncio
from dataclasses import dataclass
from datetime import datetime

import redis.asyncio as aioredis
import sqlalchemy as sa

from actors.broker import HEARTBEAT_PREFIX, NAMESPACE, broker, redis_url
from actors.outbound import UNHEALTHY_KEY
from models.db import session_scope
from models.stats import last_ad_sync

_redis: aioredis.Redis | None = None


def async_redis() -> aioredis.Redis:
    global _redis
    if _redis is None:
        _redis = aioredis.Redis.from_url(redis_url(), socket_timeout=2, socket_connect_timeout=2)
    return _redis


@dataclass
class Probe:
    db: bool
    redis: bool
    workers: int
    last_ad_sync: datetime | None
    queue_depths: dict[str, int]
    messenger_problem: str | None = None  # set by a Send API token error until someone clears it


def _database() -> tuple[bool, datetime | None]:
    try:
        with session_scope() as session:
            session.execute(sa.text("SELECT 1"))
            return True, last_ad_sync(session)
    except Exception:  # any failure means "not healthy"; the reason goes to the error log
        return False, None


async def probe() -> Probe:
    db_ok, synced = await asyncio.to_thread(_database)
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
    return Probe(db_ok, redis_ok, workers, synced, depths, problem.decode() if problem else None)

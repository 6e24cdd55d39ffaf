"""Enqueue actor messages from async code without blocking the event loop.

The webhook runs in the backend's event loop; Dramatiq's own `actor.send` is a synchronous
Redis round trip (~0.3 ms) that stalls every other request meanwhile. This sends the very same
message through the broker's own `dispatch` Lua script on an asyncio Redis client, with the
broker's middleware hooks and its doorbell, so workers cannot tell the difference; many messages
go in one pipeline (the webhook enqueues whole batches). It relies on the RedisBroker
internals of the pinned Dramatiq (2.2.1): its namespace, broker id, timeouts and script.
"""

import asyncio
import weakref
from collections import Counter
from uuid import uuid4

import dramatiq
import redis.asyncio as aioredis
from dramatiq.common import current_millis
from redis.exceptions import NoScriptError

from actors.broker import broker, redis_url
from actors.doorbell import ring

_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[aioredis.Redis, object]]" = weakref.WeakKeyDictionary()


def _client() -> tuple[aioredis.Redis, object]:
    """One asyncio client per event loop (its connections belong to the loop that made them)."""
    loop = asyncio.get_running_loop()
    if loop not in _clients:
        client = aioredis.Redis.from_url(redis_url(), socket_timeout=5, socket_connect_timeout=1)
        _clients[loop] = (client, client.register_script(broker.scripts["dispatch"].script))  # sha + text
    return _clients[loop]


def _max_unpack() -> int:
    # Asked of Redis once per process (the broker caches it); raises like any Redis call when
    # Redis is away, so callers see it where they expect Redis errors.
    return broker._max_unpack_size()


async def send_async(actor: dramatiq.Actor, *args: object) -> None:
    """`actor.send(*args)`, awaited instead of blocking."""
    await send_many_async([(actor, args)])


async def send_many_async(calls: list[tuple[dramatiq.Actor, tuple]]) -> None:
    """`actor.send(*args)` for each (actor, args) in `calls`, in one Redis round trip."""
    if not calls:
        return
    client, dispatch = _client()
    messages = [actor.message(*args).copy(options={"redis_message_id": str(uuid4())}) for actor, args in calls]
    for message in messages:
        broker.emit_before("enqueue", message, None)
    max_unpack = _max_unpack()
    waiting = messages
    for attempt in (1, 2):
        pipe = client.pipeline(transaction=False)
        for message in waiting:
            pipe.evalsha(
                dispatch.sha, 1, broker.namespace,
                "enqueue", current_millis(), message.queue_name, broker.broker_id, broker.heartbeat_timeout,
                broker.dead_message_ttl, 0, max_unpack, message.options["redis_message_id"], message.encode(),
            )
        for queue_name, count in Counter(message.queue_name for message in waiting).items():
            ring(pipe, broker.namespace, queue_name, count)
        results = await pipe.execute(raise_on_error=False)
        errors = [(message, result) for message, result in zip(waiting, results, strict=False) if isinstance(result, Exception)]
        if not errors:
            break
        if attempt == 2 or not all(isinstance(error, NoScriptError) for _, error in errors):
            raise errors[0][1]
        # A Redis that restarted has forgotten the script: load it and send again only what it refused.
        await client.script_load(dispatch.script)
        waiting = [message for message, _ in errors]
    for message in messages:
        broker.emit_after("enqueue", message, None)

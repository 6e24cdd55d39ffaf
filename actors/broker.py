"""The Dramatiq broker: Redis, our namespace, and the middleware we chose on purpose.

- AgeLimit, TimeLimit, ShutdownNotifications: the stock safety belts (stale messages dropped,
  runaway actors interrupted, actors told when the worker stops).
- Retries: 8 tries with backoff from 1 s up to 5 min. Dramatiq's defaults (20 tries from 15 s)
  suit batch work; a customer waiting for a reply wants a faster, shorter ladder. Actors that
  talk to Meta override it per error class.
- CurrentMessage: actors can read their own message id (used as an idempotency key).
- WorkerHeartbeat: each worker process refreshes a key in Redis, so `/healthz` sees live workers.
- StopWithTheMaster: a worker process stops when its Dramatiq master dies (no orphans).

The broker is Dramatiq's Redis broker with a doorbell (`actors.doorbell`): idle workers wake as
soon as a message is enqueued instead of at their next poll.

No Results backend and no Prometheus middleware: actors communicate through PostgreSQL and
`announce`, and `/metrics` reads queue depths straight from Redis.
"""

import ctypes
import logging
import os
import signal
import socket
import sys
import threading

import dramatiq
import redis
from dramatiq.middleware import (
    AgeLimit,
    CurrentMessage,
    Middleware,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from actors.doorbell import DoorbellBroker
from models.settings import get_settings

NAMESPACE = "vschool"
HEARTBEAT_PREFIX = f"{NAMESPACE}:worker-heartbeat:"
HEARTBEAT_EVERY_S = 5
HEARTBEAT_TTL_S = 20


class WorkerHeartbeat(Middleware):
    """Refreshes `vschool:worker-heartbeat:{host}:{pid}` every few seconds while a worker runs."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.stopping = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        key = f"{HEARTBEAT_PREFIX}{socket.gethostname()}:{os.getpid()}"
        threading.Thread(target=self._beat, args=(key,), daemon=True, name="heartbeat").start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.set()

    def _beat(self, key: str) -> None:
        while not self.stopping.is_set():
            try:
                self.client.set(key, "1", ex=HEARTBEAT_TTL_S)
            except redis.RedisError:
                pass  # Redis away: /healthz will show it; keep trying
            self.stopping.wait(HEARTBEAT_EVERY_S)
        try:
            self.client.delete(key)
        except redis.RedisError:
            pass


class StopWithTheMaster(Middleware):
    """A worker process whose Dramatiq master died (killed, out of memory) is told to stop
    (Linux's parent-death signal), instead of consuming on where no supervisor sees it."""

    PR_SET_PDEATHSIG = 1

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if not sys.platform.startswith("linux"):
            return
        ctypes.CDLL(None).prctl(self.PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:  # the master died before the line above
            os.kill(os.getpid(), signal.SIGTERM)


BOOT_WARMERS: list = []  # functions a worker process runs once before it takes messages


def warm_at_boot(fn):
    """Register `fn` to run once in each worker process before it consumes (e.g. loading a Thai
    dictionary that the first customer would otherwise wait seconds for)."""
    BOOT_WARMERS.append(fn)
    return fn


class WarmUp(Middleware):
    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        for fn in BOOT_WARMERS:
            try:
                fn()
            except Exception:  # a warm-up is an optimisation: the first message pays instead
                logging.getLogger("vschool.worker").exception("warm-up %s failed", getattr(fn, "__name__", fn))


def redis_url() -> str:
    url = get_settings().redis_url
    if not url:
        raise RuntimeError(
            "No Redis: set REDIS_URL, or start the embedded one with `vschool services start`."
        )
    return url


def make_broker(url: str) -> DoorbellBroker:
    client = redis.Redis.from_url(url)
    middleware = [
        AgeLimit(),
        TimeLimit(),
        ShutdownNotifications(),
        Retries(max_retries=8, min_backoff=1_000, max_backoff=300_000),
        CurrentMessage(),
        WorkerHeartbeat(client),
        StopWithTheMaster(),
        WarmUp(),
    ]
    # Short socket timeouts: a webhook that enqueues must fail fast (and leave the row to the
    # relay) rather than hang when Redis is away.
    settings = get_settings()
    return DoorbellBroker(
        # Our own client: `url=` would build a pool that ignores the socket timeouts.
        client=redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=1),
        namespace=NAMESPACE,
        middleware=middleware,
        heartbeat_timeout=settings.worker_heartbeat_timeout_ms,
        maintenance_chance=settings.broker_maintenance_chance,
    )


broker = make_broker(redis_url())
dramatiq.set_broker(broker)

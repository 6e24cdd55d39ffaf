"""A doorbell per queue, so an idle worker takes a new message at once instead of at its next poll.

Dramatiq's Redis consumer polls an empty queue with a growing pause (up to `--worker-timeout`,
100 ms): a customer's message arriving at an idle worker waited half that on average, at every
queue hop. Here, every enqueue also pushes a token onto `vschool:doorbell:{queue}` (the list is
trimmed to a few tokens and expires), and an idle consumer waits on that list with BLPOP for its
pause instead of sleeping. A token wakes one consumer, which fetches as usual; a stale token only
costs one empty fetch. Nothing depends on the bell: a consumer that misses it still polls, as
before, at the end of its pause.
"""

import logging
import time

import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import compute_backoff
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message

TOKENS_KEPT = 8  # more waiting tokens than this would only wake consumers with nothing to do
TOKEN_TTL_MS = 60_000
BUSY_PAUSE_MS = 10  # every prefetched slot taken: look again soon, without taking a token
MIN_WAIT_MS, MAX_WAIT_MS = 5, 4_000  # BLPOP 0 would wait forever; over the 5 s socket timeout it would fail
log = logging.getLogger("vschool.worker")


def doorbell_key(namespace: str, queue_name: str) -> str:
    return f"{namespace}:doorbell:{queue_name}"


def ring(pipe: "redis.client.Pipeline | redis.asyncio.client.Pipeline", namespace: str, queue_name: str, tokens: int = 1) -> None:
    """Add the doorbell commands for `tokens` new messages on `queue_name` to a pipeline."""
    key = doorbell_key(namespace, queue_name)
    pipe.rpush(key, *["1"] * min(tokens, TOKENS_KEPT))
    pipe.ltrim(key, -TOKENS_KEPT, -1)
    pipe.pexpire(key, TOKEN_TTL_MS)


class DoorbellConsumer(_RedisConsumer):
    """Dramatiq's Redis consumer, waiting on the doorbell instead of sleeping when idle."""

    def __init__(self, broker: "DoorbellBroker", queue_name: str, prefetch: int, timeout: int) -> None:
        super().__init__(broker, queue_name, prefetch, 0)  # the parent never sleeps; we wait here
        self.idle_ms = timeout
        self.bell = doorbell_key(broker.namespace, queue_name)
        self.empty_fetches = 0

    def __next__(self):
        message = super().__next__()
        if message is not None:
            self.empty_fetches = 0
            return message
        if self.outstanding_message_count >= self.prefetch:
            time.sleep(BUSY_PAUSE_MS / 1000)
            return None
        self.empty_fetches, pause_ms = compute_backoff(self.empty_fetches, max_backoff=self.idle_ms)
        wait_ms = min(max(pause_ms, MIN_WAIT_MS), MAX_WAIT_MS)
        try:
            if self.broker.client.blpop([self.bell], timeout=wait_ms / 1000) is not None:
                self.empty_fetches = 0  # rung: the next pause starts short again
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise ConnectionClosed(exc) from None
        return None


class DoorbellBroker(RedisBroker):
    """Dramatiq's Redis broker whose consumers wait on the doorbell and whose enqueues ring it."""

    @property
    def consumer_class(self) -> type[DoorbellConsumer]:
        return DoorbellConsumer

    def enqueue(self, message: Message, *, delay: int | None = None) -> Message:
        enqueued = super().enqueue(message, delay=delay)
        if delay is None:  # delayed messages wait for their time anyway
            try:
                pipe = self.client.pipeline(transaction=False)
                ring(pipe, self.namespace, enqueued.queue_name)
                pipe.execute()
            except redis.RedisError as exc:  # the message is queued; without the bell it waits for a poll
                log.warning("could not ring the doorbell of %s: %s", enqueued.queue_name, exc)
        return enqueued


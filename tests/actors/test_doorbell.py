"""The doorbell: an enqueue wakes an idle consumer at once instead of at its next poll."""

import threading
import time

from actors.broker import broker
from actors.doorbell import TOKENS_KEPT, doorbell_key
from actors.messenger import relay_unprocessed_events


def _drain(consumer) -> None:
    """Take whatever earlier tests left on the queue, so the consumer starts idle."""
    while (message := next(consumer)) is not None:
        consumer.ack(message)


def test_an_enqueue_wakes_a_consumer_that_would_otherwise_sleep_for_half_a_minute() -> None:
    consumer = broker.consume("interactive", prefetch=1, timeout=30_000)
    _drain(consumer)
    broker.client.delete(doorbell_key(broker.namespace, "interactive"))
    consumer.empty_fetches = 30  # as after a long idle spell: its pause is now the full 30 s

    threading.Timer(0.3, relay_unprocessed_events.send).start()
    started = time.monotonic()
    while (message := next(consumer)) is None and time.monotonic() - started < 20:
        pass
    assert message is not None and message.actor_name == "relay_unprocessed_events"
    assert time.monotonic() - started < 10  # woken by the bell, long before the 30 s pause ended
    consumer.ack(message)
    consumer.close()


def test_the_doorbell_keeps_only_a_few_tokens_and_expires() -> None:
    key = doorbell_key(broker.namespace, "interactive")
    broker.client.delete(key)
    for _ in range(TOKENS_KEPT + 5):
        relay_unprocessed_events.send()
    assert broker.client.llen(key) == TOKENS_KEPT
    assert 0 < broker.client.pttl(key) <= 60_000
    consumer = broker.consume("interactive", prefetch=20, timeout=100)
    _drain(consumer)
    consumer.close()

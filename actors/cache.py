"""Cache actors: rebuild the marketing snapshots after anything that moves the figures (an ad
sync, an order or payment change), then tell open marketing panels to reload.

Idempotent: a rebuild computes everything from PostgreSQL and replaces each file atomically, so
running it twice (or two at once) leaves the same files."""

import dramatiq

from actors.push import announce
from cache.marketing import refresh_marketing_snapshots


@dramatiq.actor(queue_name="bulk", max_retries=5, min_backoff=2_000, max_backoff=120_000)
def refresh_marketing_cache() -> None:
    """Reads: ads, insights, hourly totals, conversations, customers, orders, payments.
    Writes: {data_dir}/cache/analytics/*.json and cache/campaigns/*.json (and the hourly
    pre-aggregate for days whose sync runs finished since the last refresh). Announces
    `marketing`."""
    written = refresh_marketing_snapshots()
    announce("marketing", written.get("generated_at", ""))


@dramatiq.actor(queue_name="bulk", max_retries=5, min_backoff=1_000, max_backoff=60_000)
def orders_changed(order_id: int = 0) -> None:
    """An order or payment was recorded, changed or refunded: the revenue side of every figure
    moved. Same work as `refresh_marketing_cache` (kept as its own name so callers say why)."""
    refresh_marketing_cache.fn()

"""`GET /metrics`: Prometheus text. Gauges are read at scrape time; counters/histograms that the
backend itself records (push latency, push events) live in `vschool.push_listener`."""

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from vschool.api.inbound_store import rejected_bodies
from vschool.api.probes import probe
from vschool.push_listener import PUSH_METRICS


async def metrics(request: Request) -> Response:
    found = await probe()
    registry = CollectorRegistry()
    Gauge("vschool_up_db", "1 when PostgreSQL answers", registry=registry).set(int(found.db))
    Gauge("vschool_up_redis", "1 when Redis answers", registry=registry).set(int(found.redis))
    Gauge("vschool_workers", "worker processes with a fresh heartbeat", registry=registry).set(found.workers)
    depth = Gauge("vschool_queue_depth", "messages waiting in a Dramatiq queue", ["queue"], registry=registry)
    for queue, n in found.queue_depths.items():
        depth.labels(queue=queue).set(n)
    Gauge("vschool_webhook_bodies_rejected", "signed webhook bodies that could not be stored, kept in this host's rejected.jsonl",
          registry=registry).set(rejected_bodies()[0])
    Gauge("vschool_events_set_aside", "webhook events set aside for an admin (not discarded)", registry=registry).set(
        found.events_set_aside
    )
    if found.last_ad_sync:
        Gauge("vschool_last_ad_sync_timestamp_seconds", "end of the last good ad sync", registry=registry).set(
            found.last_ad_sync.timestamp()
        )
    body = generate_latest(registry) + generate_latest(PUSH_METRICS)
    return Response(body, media_type=CONTENT_TYPE_LATEST)

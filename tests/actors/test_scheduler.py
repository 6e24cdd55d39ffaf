import json
import os

import redis

from actors.ads import sync_ads
from actors.ai import relay_unanswered_messages
from actors.broker import NAMESPACE
from actors.housekeeping import prune_ai_tasks, wake_snoozed_conversations
from actors.integrity import check_integrity
from actors.messenger import relay_unprocessed_events
from actors.outbound import refresh_stale_profiles, relay_pending_replies
from actors.schedule import build_scheduler


def test_scheduler_sends_each_periodic_actor_to_its_queue(db: None) -> None:
    scheduler = build_scheduler("Asia/Bangkok")
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        wake_snoozed_conversations.actor_name, relay_unprocessed_events.actor_name, prune_ai_tasks.actor_name, refresh_stale_profiles.actor_name,
        relay_pending_replies.actor_name, f"{sync_ads.actor_name}:hourly", f"{sync_ads.actor_name}:daily", check_integrity.actor_name,
        relay_unanswered_messages.actor_name,
    }
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    waiting = {q: f"{NAMESPACE}:{q}.msgs" for q in ("interactive", "bulk")}  # no worker runs here
    before = {q: client.hlen(key) for q, key in waiting.items()}
    for job in jobs.values():
        job.func(*job.args, **job.kwargs)  # what the clock does
    assert {q: client.hlen(key) - before[q] for q, key in waiting.items()} == {"interactive": 4, "bulk": 5}
    _drop_queued(client, sync_ads.actor_name)  # no later test's worker should run a real ad sync
    _drop_queued(client, check_integrity.actor_name)


def _drop_queued(client: redis.Redis, actor_name: str) -> None:
    for message_id, raw in client.hgetall(f"{NAMESPACE}:bulk.msgs").items():
        if json.loads(raw)["actor_name"] == actor_name:
            client.hdel(f"{NAMESPACE}:bulk.msgs", message_id)
            client.lrem(f"{NAMESPACE}:bulk", 0, message_id)

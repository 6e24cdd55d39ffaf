import os

import redis

from actors.broker import NAMESPACE
from actors.housekeeping import prune_ai_tasks, wake_snoozed_conversations
from actors.messenger import relay_unprocessed_events
from actors.outbound import refresh_stale_profiles, relay_pending_replies
from actors.schedule import build_scheduler


def test_scheduler_sends_each_periodic_actor_to_its_queue(db: None) -> None:  # noqa: ARG001
    scheduler = build_scheduler("Asia/Bangkok")
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        wake_snoozed_conversations.actor_name, relay_unprocessed_events.actor_name, prune_ai_tasks.actor_name, refresh_stale_profiles.actor_name,
        relay_pending_replies.actor_name,
    }
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    waiting = {q: f"{NAMESPACE}:{q}.msgs" for q in ("interactive", "bulk")}  # no worker runs here
    before = {q: client.hlen(key) for q, key in waiting.items()}
    for job in jobs.values():
        job.func()  # what the clock does
    assert {q: client.hlen(key) - before[q] for q, key in waiting.items()} == {"interactive": 3, "bulk": 2}

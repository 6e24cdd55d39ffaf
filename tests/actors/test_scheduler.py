import json
import os
import signal
import subprocess
import sys
from collections import Counter

import redis

from actors.ads import sync_ads
from actors.ai import relay_unanswered_messages
from actors.broker import NAMESPACE
from actors.housekeeping import prune_ai_tasks, wake_snoozed_conversations
from actors.integrity import check_integrity
from actors.lease import FENCE_KEY, FIRES_KEY, LEASE_KEY, SchedulerLease, fires
from actors.messenger import relay_unprocessed_events
from actors.outbound import refresh_stale_profiles, relay_pending_replies
from actors.schedule import build_scheduler
from actors.teams import hand_out_waiting
from tests.conftest import ROOT, wait_until


def _client() -> redis.Redis:
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(LEASE_KEY, FIRES_KEY, *client.scan_iter(f"{NAMESPACE}:scheduler:fired:*"))
    return client


def test_scheduler_sends_each_periodic_actor_to_its_queue(db: None) -> None:
    client = _client()
    lease = SchedulerLease(client)
    assert lease.hold()
    scheduler = build_scheduler("Asia/Bangkok", lease)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        wake_snoozed_conversations.actor_name, relay_unprocessed_events.actor_name, prune_ai_tasks.actor_name, refresh_stale_profiles.actor_name,
        relay_pending_replies.actor_name, f"{sync_ads.actor_name}:hourly", f"{sync_ads.actor_name}:daily", check_integrity.actor_name,
        relay_unanswered_messages.actor_name, hand_out_waiting.actor_name,
    }
    waiting = {q: f"{NAMESPACE}:{q}.msgs" for q in ("interactive", "bulk")}  # no worker runs here
    before = {q: client.hlen(key) for q, key in waiting.items()}
    for job in jobs.values():
        assert job.func(*job.args, **job.kwargs)  # what the clock does
        assert not job.func(*job.args, **job.kwargs)  # the same run again: already fired
    assert {q: client.hlen(key) - before[q] for q, key in waiting.items()} == {"interactive": 4, "bulk": 6}
    _drop_queued(client, sync_ads.actor_name)  # no later test's worker should run a real ad sync
    _drop_queued(client, check_integrity.actor_name)
    _drop_queued(client, hand_out_waiting.actor_name)
    lease.release()


def test_one_lease_fenced_and_taken_over_when_its_holder_stops_renewing() -> None:
    client = _client()
    first, second = SchedulerLease(client, "host-a", ttl_ms=400), SchedulerLease(client, "host-b", ttl_ms=400)
    assert first.hold() and not second.hold()
    assert first.fire("job", 1, 60) and not second.fire("job", 2, 60)  # only the holder fires
    wait_until(lambda: second.hold(), timeout_s=10)  # `first` stopped renewing (a pause, a death)
    assert second.token > first.token
    assert first.value is not None  # it still believes it holds the lease…
    assert not first.fire("job", 2, 60)  # …and is fenced off all the same
    assert not second.fire("job", 1, 60)  # a run fired before the hand-over is not fired again
    assert second.fire("job", 2, 60)
    assert [(f["job"], f["slot"], f["lease"]) for f in fires(client)] == [("job", "1", first.value), ("job", "2", second.value)]
    second.release()
    assert first.hold() and first.token == int(client.get(FENCE_KEY))  # given up: taken at once, newer token


def test_two_schedulers_fire_each_job_once_and_the_survivor_takes_over(db: None) -> None:
    client = _client()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = [
        subprocess.Popen([sys.executable, "-m", "vschool.cli", "scheduler"], cwd=ROOT, env=env, start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        job = relay_unprocessed_events.actor_name  # every 10 s
        wait_until(lambda: len([f for f in fires(client) if f["job"] == job]) >= 2, timeout_s=40)
        holder = client.get(LEASE_KEY).decode()
        dying = next(p for p in procs if f":{p.pid}:" in holder)
        dying.send_signal(signal.SIGKILL)  # no clean release: the survivor waits out the lease
        dying.wait(timeout=10)
        wait_until(lambda: any(f["lease"] != holder for f in fires(client) if f["job"] == job), timeout_s=60)
        runs = Counter((f["job"], f["slot"]) for f in fires(client))
        assert runs and max(runs.values()) == 1  # each run of each job fired once
        assert {f["lease"] for f in fires(client)} <= {holder, client.get(LEASE_KEY).decode()}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
        _drop_queued(client, sync_ads.actor_name)
        _drop_queued(client, check_integrity.actor_name)


def _drop_queued(client: redis.Redis, actor_name: str) -> None:
    for message_id, raw in client.hgetall(f"{NAMESPACE}:bulk.msgs").items():
        if json.loads(raw)["actor_name"] == actor_name:
            client.hdel(f"{NAMESPACE}:bulk.msgs", message_id)
            client.lrem(f"{NAMESPACE}:bulk", 0, message_id)

"""The periodic-job process: APScheduler sending actor messages on a clock.

Only messages leave this process; the work happens in the workers. Every host may run a
scheduler (`vschool scheduler`): they share one lease in Redis (`actors.lease`, ADR 013), only
its holder fires, and each run of each job is claimed once, so however many schedulers run,
each job is sent once per run; when the holder dies another takes over within `LEASE_TTL_S`.
Interval jobs run on epoch-aligned clocks (every scheduler's 10-second job is due at the same
instants), which is what lets a run be named the same by every scheduler. `max_instances=1`
and `coalesce` keep a slow clock from piling up sends.
"""

import logging
import signal
import threading
from datetime import UTC, datetime
from typing import Any

import dramatiq
import redis
from apscheduler.schedulers.blocking import BlockingScheduler

from actors.ads import sync_ads
from actors.ai import relay_unanswered_messages
from actors.broker import redis_url
from actors.housekeeping import prune_ai_tasks, wake_snoozed_conversations
from actors.integrity import check_integrity
from actors.lease import LEASE_TTL_S, RENEW_EVERY_S, SchedulerLease, slot_of
from actors.messenger import relay_unprocessed_events
from actors.outbound import refresh_stale_profiles, relay_pending_replies
from actors.teams import hand_out_waiting

log = logging.getLogger("vschool.scheduler")

JOBS = [
    # (actor, seconds between sends — or cron fields in the school's time zone[, keyword arguments])
    (wake_snoozed_conversations, 30),
    (relay_unprocessed_events, 10),
    (relay_pending_replies, 30),
    (relay_unanswered_messages, 60),
    (hand_out_waiting, 15),  # the round-robin: unheld conversations, and offers left unanswered
    (prune_ai_tasks, 3600),
    (refresh_stale_profiles, 86_400),
    (sync_ads, {"minute": 7}, {"kind": "hourly"}),  # the last 3 days, every hour
    (sync_ads, {"hour": 3, "minute": 37}, {"kind": "daily"}),  # the last 30 days, every night
    (check_integrity, {"hour": "*/6", "minute": 17}),  # after syncs and a working day's orders
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CRON_SLOT_S = 60  # a cron job's run is named by its minute


def fire(lease: SchedulerLease, job_id: str, every_s: int, actor: dramatiq.Actor, kwargs: dict[str, Any]) -> bool:
    """One tick of one job: send the actor's message if this scheduler holds the lease and this
    run was not fired yet (by it or by a scheduler that held the lease before). True if sent."""
    try:
        claimed = lease.fire(job_id, slot_of(every_s), slot_ttl_s=max(2 * every_s, 3600))
    except redis.RedisError as exc:
        log.warning("job %s not fired: Redis unavailable (%s)", job_id, exc)
        return False
    if claimed:
        actor.send(**kwargs)
    return claimed


def build_scheduler(timezone: str, lease: SchedulerLease) -> BlockingScheduler:
    """Every job of `JOBS` on its clock, each tick going through `fire` under `lease`."""
    scheduler = BlockingScheduler(timezone=timezone)
    for actor, when, *rest in JOBS:
        kwargs = rest[0] if rest else {}
        if isinstance(when, int):
            trigger, every_s = {"trigger": "interval", "seconds": when, "start_date": EPOCH}, when
        else:
            trigger, every_s = {"trigger": "cron", **when}, CRON_SLOT_S
        job_id = ":".join([actor.actor_name, *map(str, kwargs.values())])
        scheduler.add_job(fire, args=(lease, job_id, every_s, actor, kwargs), id=job_id, max_instances=1, coalesce=True, **trigger)
    return scheduler


def keep_lease(lease: SchedulerLease, stop: threading.Event) -> None:
    """Take or renew the lease every `RENEW_EVERY_S` until `stop`; then give it up."""
    while not stop.is_set():
        try:
            lease.hold()
        except redis.RedisError as exc:
            log.warning("scheduler lease: Redis unavailable (%s); firing nothing until it answers", exc)
            lease.value = None
        stop.wait(RENEW_EVERY_S)
    try:
        lease.release()
    except redis.RedisError:
        pass  # it expires by itself within LEASE_TTL_S


def run_scheduler(timezone: str) -> None:
    """Run until SIGTERM/SIGINT: the clock, and the lease that decides whether ticks fire."""
    lease = SchedulerLease(redis.Redis.from_url(redis_url(), socket_timeout=5, socket_connect_timeout=5))
    scheduler = build_scheduler(timezone, lease)
    stop = threading.Event()
    keeper = threading.Thread(target=keep_lease, args=(lease, stop), name="scheduler-lease", daemon=True)
    keeper.start()
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler %s started (lease %d s): %s", lease.holder, LEASE_TTL_S, ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        keeper.join(timeout=10)

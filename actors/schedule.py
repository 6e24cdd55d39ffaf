"""The one periodic-job process: APScheduler sending actor messages on a clock.

Only messages leave this process; the work happens in the workers. Run exactly one scheduler
per installation (`vschool scheduler`); `max_instances=1` and `coalesce` keep a slow clock from
piling up sends.
"""

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler

from actors.ads import sync_ads
from actors.ai import relay_unanswered_messages
from actors.housekeeping import prune_ai_tasks, wake_snoozed_conversations
from actors.integrity import check_integrity
from actors.messenger import relay_unprocessed_events
from actors.outbound import refresh_stale_profiles, relay_pending_replies

log = logging.getLogger("vschool.scheduler")

JOBS = [
    # (actor, seconds between sends — or cron fields in the school's time zone[, keyword arguments])
    (wake_snoozed_conversations, 30),
    (relay_unprocessed_events, 10),
    (relay_pending_replies, 30),
    (relay_unanswered_messages, 60),
    (prune_ai_tasks, 3600),
    (refresh_stale_profiles, 86_400),
    (sync_ads, {"minute": 7}, {"kind": "hourly"}),  # the last 3 days, every hour
    (sync_ads, {"hour": 3, "minute": 37}, {"kind": "daily"}),  # the last 30 days, every night
    (check_integrity, {"hour": "*/6", "minute": 17}),  # after syncs and a working day's orders
]


def build_scheduler(timezone: str) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=timezone)
    for actor, when, *rest in JOBS:
        kwargs = rest[0] if rest else {}
        trigger = {"trigger": "interval", "seconds": when} if isinstance(when, int) else {"trigger": "cron", **when}
        job_id = ":".join([actor.actor_name, *map(str, kwargs.values())])
        scheduler.add_job(actor.send, kwargs=kwargs, id=job_id, max_instances=1, coalesce=True, **trigger)
    return scheduler


def run_scheduler(timezone: str) -> None:
    scheduler = build_scheduler(timezone)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler started: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass

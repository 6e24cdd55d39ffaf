"""The one periodic-job process: APScheduler sending actor messages on a clock.

Only messages leave this process; the work happens in the workers. Run exactly one scheduler
per installation (`vschool scheduler`); `max_instances=1` and `coalesce` keep a slow clock from
piling up sends.
"""

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler

from actors.housekeeping import prune_ai_tasks, wake_snoozed_conversations
from actors.messenger import relay_unprocessed_events
from actors.outbound import refresh_stale_profiles, relay_pending_replies

log = logging.getLogger("vschool.scheduler")

JOBS = [
    # (actor, seconds between sends)
    (wake_snoozed_conversations, 30),
    (relay_unprocessed_events, 10),
    (relay_pending_replies, 30),
    (prune_ai_tasks, 3600),
    (refresh_stale_profiles, 86_400),
]


def build_scheduler(timezone: str) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=timezone)
    for actor, every in JOBS:
        scheduler.add_job(
            actor.send, "interval", seconds=every, id=actor.actor_name, max_instances=1, coalesce=True
        )
    return scheduler


def run_scheduler(timezone: str) -> None:
    scheduler = build_scheduler(timezone)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler started: %s", ", ".join(a.actor_name for a, _ in JOBS))
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass

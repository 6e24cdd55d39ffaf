"""The integrity check on a clock: findings kept, serious new ones opening an incident."""

import logging

import dramatiq

from actors.push import announce
from logs.integrity import run_check
from models.db import session_scope

log = logging.getLogger("vschool.integrity")


@dramatiq.actor(queue_name="bulk", max_retries=3, min_backoff=10_000)
def check_integrity() -> None:
    """Reads: customers, orders, payments, referrals, ads, insights. Writes: integrity findings
    (new ones added, gone ones resolved), an incident + post-mortem file for new serious ones.
    Idempotent: a second run finds the same things and adds nothing. Announces `overview`."""
    with session_scope() as session:
        report = run_check(session)
    if report.new_findings or report.resolved_findings:
        log.warning("integrity: %s new, %s resolved, incident %s", report.new_findings, report.resolved_findings, report.incident_id)
        announce("overview")

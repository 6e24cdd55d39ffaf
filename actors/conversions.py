"""Conversions API for business messaging: send the queued `conversion_event` rows to the Page's
dataset, each once (ADR 016).

The row is locked (`FOR UPDATE SKIP LOCKED`) for the whole call and marked sent in the same
transaction, so a re-delivered message, a second worker or the relay finds it locked or sent and
sends nothing. A worker killed mid-call rolls its transaction back: the row stays queued and is
sent once later. Temporary errors set `next_try_at` (backoff from 15 s to an hour); the relay,
on the scheduler's clock, sends what is due. A refusal (bad request, token) marks it failed
with Meta's reason; staff see it on the customer's timeline.
"""

from datetime import timedelta

import dramatiq
from sqlmodel import select

from actors.meta.graph import GraphError, graph
from actors.push import announce
from logs.jsonl import log_error
from models.base import utcnow
from models.conversion_rules import event_payload
from models.db import session_scope
from models.meta_reports import ConversionEvent, ReportStatus

MAX_ATTEMPTS = 30  # with the backoff: more than a day of Meta being away


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 15 * 2 ** max(0, attempts - 1)))


@dramatiq.actor(queue_name="bulk", max_retries=0)
def send_conversion_event(event_row_id: int) -> None:
    """Send one queued event to the dataset. Reads/writes: conversion_event. Safe to run twice
    or concurrently: a locked or settled row is left alone."""
    with session_scope() as session:
        row = session.exec(select(ConversionEvent).where(ConversionEvent.id == event_row_id).with_for_update(skip_locked=True)).first()
        if row is None or row.status != ReportStatus.QUEUED:
            return
        row.attempts += 1
        client = graph()
        try:
            client.send_events(client.dataset_id(), [event_payload(row)])
        except GraphError as exc:
            row.error = f"{exc.code or exc.http_status or ''} {exc.message}"[:2000]
            if exc.kind == "retry" and row.attempts < MAX_ATTEMPTS:
                row.next_try_at = utcnow() + max(backoff(row.attempts), timedelta(seconds=exc.retry_after_s or 0))
            else:
                row.status = ReportStatus.FAILED
            log_error("capi", "dataset refused an event", kind=exc.kind, code=exc.code, event=row.event_name, row=row.id, attempts=row.attempts)
            customer_id = row.customer_id
        else:
            row.status, row.sent_at, row.error = ReportStatus.SENT, utcnow(), None
            customer_id = row.customer_id
        session.add(row)
    announce("customer", customer_id)


@dramatiq.actor(queue_name="bulk", max_retries=1)
def relay_conversion_events() -> None:
    """On the scheduler's clock: send every queued event that is due (new ones and retries).
    Safe to run twice: each send locks its row and sends it once."""
    with session_scope() as session:
        due = session.exec(
            select(ConversionEvent.id).where(ConversionEvent.status == ReportStatus.QUEUED, ConversionEvent.next_try_at <= utcnow())
            .order_by(ConversionEvent.id).limit(500)
        ).all()
    for row_id in due:
        send_conversion_event.send(row_id)

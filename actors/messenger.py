"""Messenger actors: apply stored webhook events, and relay the ones Redis never saw.

What a customer says (messages, postbacks, referrals) goes to `process_inbound_event` on the
`interactive` queue: it is answered from there. Receipts — echoes of what the school sent,
deliveries, reads, reactions — go to `apply_receipt` on their own `receipts` queue, at a lower
priority: under a burst a worker answers customers first and moves the ticks a moment later
(ADR 008). Both apply an event the same way. An event that cannot be applied for a reason
retrying cannot fix is set aside after a few attempts for an admin (`models.set_aside`); the
actors stop retrying it and the relay leaves it alone.
"""

from datetime import timedelta

import dramatiq
import sqlalchemy as sa
from sqlmodel import col, select

from actors.ai import answer_soon
from actors.automation import rules_now
from actors.outbound import fetch_customer_profile, send_message
from actors.push import announce_all
from actors.teams import after_customer_wrote
from logs.jsonl import log_error
from models.base import utcnow
from models.conversation_rules import ReceiptTooEarly, apply_event
from models.db import session_scope
from models.inbox import InboundEvent
from models.set_aside import reason, record_failure

RELAY_BATCH = 500
RECEIPT_KINDS = frozenset({"echo", "delivery", "read", "reaction"})
RECEIPT_RETRY_MS = 500  # a receipt that came before its reply's send settled tries again then
RECEIPT_PRIORITY = 50  # Dramatiq runs lower numbers first; customer messages are 0


@dramatiq.actor(queue_name="interactive", max_retries=10)
def process_inbound_event(event_id: int) -> None:
    """Apply one stored webhook event (see `actor_for`: receipts come through `apply_receipt`)."""
    _apply(event_id)


@dramatiq.actor(queue_name="receipts", max_retries=10, priority=RECEIPT_PRIORITY)
def apply_receipt(event_id: int) -> None:
    """Apply an echo, delivery, read or reaction: `process_inbound_event`, after the customers."""
    _apply(event_id)


def actor_for(kind: str) -> dramatiq.Actor:
    """The actor that applies an event of this kind."""
    return apply_receipt if kind in RECEIPT_KINDS else process_inbound_event


# Built once: these run for every webhook event (statement building costs more than running
# them). Plain rows, not ORM objects: the event is read and marked, never changed otherwise.
_EVENTS = InboundEvent.__table__
_EVENT_TO_APPLY = sa.select(_EVENTS).where(_EVENTS.c.id == sa.bindparam("event_id")).with_for_update(skip_locked=True)
_APPLIED = (
    sa.update(_EVENTS)
    .where(_EVENTS.c.id == sa.bindparam("event_id"))
    .values(processed_at=sa.func.clock_timestamp(), attempts=_EVENTS.c.attempts + 1, error=None)
)


def _apply(event_id: int) -> None:
    """Apply one stored webhook event: customer, conversation, message, referral, status.

    Reads/writes: inbound_event (marks it processed), customer, channel_identity, conversation,
    message, ad_referral. Announces `conversation` and `message` for what changed, `customer`
    and `overview` for new customers; sends a new customer message to the AI reply actor. Safe
    to run twice: the row is locked while applied and marked processed in the same transaction,
    so a second run finds it done (or skips it while another worker holds it). A failure is
    counted on the row; once the event is set aside (`models.set_aside`) no retry follows.
    """
    try:
        with session_scope() as session:
            event = session.execute(_EVENT_TO_APPLY, {"event_id": event_id}).first()
            if event is None or event.processed_at is not None or event.set_aside_at is not None:
                return
            applied = apply_event(session, event)
            session.execute(_APPLIED, {"event_id": event_id})
    except ReceiptTooEarly as early:  # not a failure: the reply's send is still settling
        raise dramatiq.Retry(str(early), delay=RECEIPT_RETRY_MS) from early
    except Exception as exc:
        if _set_aside_after(event_id, exc):
            return
        raise
    changes: list[tuple[str, object]] = []
    for conversation_id in applied.conversation_ids:
        changes += [("conversation", conversation_id), ("message", conversation_id)]
    if applied.customer_created:
        changes.append(("customer", applied.customer_id))
    if changes:
        announce_all(*changes, ("overview", ""))
    for message_id in applied.to_send:  # automated replies (a rating's thank-you)
        send_message.send(message_id)
    if applied.message_id is not None:
        rules_now(applied.message_id)  # before the AI: a rule may set its level
        answer_soon(applied.message_id)
        for conversation_id in applied.conversation_ids:  # out-of-hours reply, round-robin (actors/teams.py)
            after_customer_wrote.send(conversation_id, applied.message_id)
    if applied.customer_created:  # after the answer: the reply should not share the CPU with it
        fetch_customer_profile.send(applied.customer_id)


def _set_aside_after(event_id: int, exc: Exception) -> bool:
    """Count the failed attempt; whether the event is now set aside (then nothing retries it)."""
    try:
        with session_scope() as session:
            set_aside = record_failure(session, event_id, exc)
    except Exception:  # the database itself may be what failed; the retry will tell
        set_aside = False
    what = "it is set aside for an admin" if set_aside else "it will be retried"
    log_error("messenger", f"applying an inbound event failed; {what}", event_id=event_id, error=reason(exc))
    return set_aside


@dramatiq.actor(queue_name="interactive", max_retries=3)
def relay_unprocessed_events() -> None:
    """The outbox relay: enqueue stored events that no worker has applied yet (Redis was down
    when they arrived, or their message was lost, or their retries ran out while the database
    was away). Only rows received and last tried over a minute ago, so a busy queue or a running
    retry is not doubled; never a set-aside one (an admin decides on those). Safe to run twice:
    `process_inbound_event` is idempotent."""
    cutoff = utcnow() - timedelta(seconds=60)
    with session_scope() as session:
        rows = session.exec(
            select(InboundEvent.id, InboundEvent.kind)
            .where(
                InboundEvent.processed_at.is_(None),
                InboundEvent.set_aside_at.is_(None),
                InboundEvent.received_at < cutoff,
                sa.or_(InboundEvent.last_attempt_at.is_(None), InboundEvent.last_attempt_at < cutoff),
            )
            .order_by(col(InboundEvent.received_at))
            .limit(RELAY_BATCH)
        ).all()
    for event_id, kind in rows:
        actor_for(kind).send(event_id)

"""Reminders Meta accepts, sent by the scheduler (ADR 016; the rules: `models.reminder_rules`).

- `sync_message_templates`: Meta's review state of the Page's utility templates into
  `message_template`; our templates missing from the Page's library are created there.
- `queue_reminders`: the reminders due now, each queued once (the unique key), then sent.
- `send_reminder`: one reminder through the one Graph client; the attempt is on record before the
  call (`outbound_send`, key `message:{id}`), so a retry settles or repeats that same request.
"""

from datetime import datetime

import dramatiq
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select

from actors.meta.graph import GraphError, graph
from actors.outbound import call_send_api
from actors.push import announce
from logs.jsonl import log_error
from models.base import utcnow
from models.db import session_scope
from models.meta_reports import MessageTemplate, Reminder, ReminderStatus, TemplateStatus
from models.reminder_rules import (
    TEMPLATES,
    prepare_reminder,
    select_due,
    settle_reminder,
    template_name,
    template_request,
)


@dramatiq.actor(queue_name="bulk", max_retries=6, min_backoff=5_000, max_backoff=600_000)
def send_reminder(reminder_id: int) -> None:
    """Send one queued reminder (a message inside the window, an approved utility template
    outside it) or record why it cannot be sent. Safe to run twice: a settled reminder is left
    alone and an open attempt is settled by its echo before it is repeated."""
    with session_scope() as session:
        planned = prepare_reminder(session, reminder_id)
    if planned is not None:
        call_send_api(planned.message_id, planned.body)  # settles the message; raises Retry when Meta asks
    with session_scope() as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None:
            return
        if planned is not None:
            settle_reminder(session, reminder)
        customer_id = reminder.customer_id
    announce("customer", customer_id)


@dramatiq.actor(queue_name="bulk", max_retries=1)
def queue_reminders() -> None:
    """On the scheduler's clock: queue the reminders due now and send them; also send any
    queued earlier whose message never ran. Safe to run twice: each is queued once."""
    with session_scope() as session:
        new = select_due(session)
        stale = session.exec(select(Reminder.id).where(Reminder.status == ReminderStatus.QUEUED).limit(2000)).all()
    for reminder_id in sorted(set(new) | set(stale)):
        send_reminder.send(reminder_id)


_UPSERT = insert(MessageTemplate)
_UPSERT = _UPSERT.on_conflict_do_update(
    constraint="uq_message_template_name_language",
    set_={"status": _UPSERT.excluded.status, "meta_id": _UPSERT.excluded.meta_id, "body": _UPSERT.excluded.body,
          "category": _UPSERT.excluded.category, "synced_at": _UPSERT.excluded.synced_at},
)


def _row(template: dict, now: datetime) -> dict:
    status = str(template.get("status") or "PENDING").upper()
    body = next((c.get("text") or "" for c in template.get("components") or [] if str(c.get("type")).upper() == "BODY"), template.get("body") or "")
    return {"name": str(template["name"])[:512], "language": str(template.get("language") or "")[:16], "category": str(template.get("category") or "UTILITY")[:24],
            "status": status if status in TemplateStatus.__members__ else TemplateStatus.PENDING.value, "meta_id": str(template.get("id") or "")[:64] or None,
            "body": body, "synced_at": now}


@dramatiq.actor(queue_name="bulk", max_retries=3, min_backoff=10_000)
def sync_message_templates() -> None:
    """Read the Page's templates and their review states into `message_template`; create ours
    that are missing. Safe to run twice: an upsert by (name, language)."""
    client = graph()
    try:
        found = client.message_templates()
        have = {(t.get("name"), t.get("language")) for t in found}
        for kind, language in TEMPLATES:
            if (template_name(kind, language), language) not in have:
                answer = client.create_template(template_request(kind, language))
                found.append({**template_request(kind, language), "id": answer.get("id"), "status": answer.get("status")})
    except GraphError as exc:
        log_error("templates", "template sync failed", kind=exc.kind, code=exc.code)
        if exc.kind == "retry":
            raise
        return
    now = utcnow()
    rows = [_row(t, now) for t in found if t.get("name") and t.get("language")]
    with session_scope() as session:
        for row in rows:
            session.execute(_UPSERT, row)


"""One customer's story, newest first: every chat message, ad referral, order, payment, note,
reminder and report to Meta, read a page at a time (keyset pagination on (time, kind, id), so page 200 costs what page 1 does).

The customer page and the REST timeline read this; nothing here formats for a screen beyond
plain strings, and money stays Decimal until the caller shows it.
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from models.access import Access, may
from models.enums import Role

PAGE = 50


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # message, referral, order, payment, note, reminder, report (to Meta), activity (who assigned, resolved, labelled …: models/activity.py)
    id: int
    subtype: str  # inbound/outbound for messages; the payment kind; the order status; the referral source; the activity kind
    text: str
    amount: Decimal | None
    ref: str  # the conversation id, the order number or the ad id it belongs to
    extra: str  # who wrote it (the staff member's name, else the sender kind), the attachments, the campaign — one short phrase

    @property
    def cursor(self) -> str:
        return f"{self.at.isoformat()}|{self.kind}|{self.id}"


_BRANCHES = {
    "message": """
        SELECT m.sent_at AS at, 'message' AS kind, m.id, m.direction AS subtype,
               left(coalesce(m.text, ''), 500) AS text, NULL::numeric AS amount,
               m.conversation_id::text AS ref,
               coalesce(s.display_name, m.sender_kind)
               || CASE WHEN jsonb_array_length(m.attachments) > 0
                       THEN ' · ' || jsonb_array_length(m.attachments) || ' attachment(s)' ELSE '' END AS extra
        FROM message m JOIN conversation c ON c.id = m.conversation_id
        LEFT JOIN staff_user s ON s.id = m.staff_user_id AND m.sender_kind = 'staff'
        WHERE c.customer_id = :customer {after}""",
    "referral": """
        SELECT r.occurred_at, 'referral', r.id, r.source,
               coalesce(ad.name, r.context->>'ad_title', r.ref, ''), NULL::numeric,
               coalesce(r.ad_id, ''), coalesce(cp.name, '')
        FROM ad_referral r LEFT JOIN ad ON ad.id = r.ad_id LEFT JOIN campaign cp ON cp.id = ad.campaign_id
        WHERE r.customer_id = :customer {after}""",
    "order": """
        SELECT o.created_at, 'order', o.id, o.status,
               coalesce((SELECT string_agg(p.name, ', ' ORDER BY i.id) FROM order_item i JOIN product p ON p.id = i.product_id
                         WHERE i.order_id = o.id), ''),
               o.total, o.order_number, coalesce(o.attributed_ad_id, '')
        FROM orders o WHERE o.customer_id = :customer {after}""",
    "payment": """
        SELECT p.paid_at, 'payment', p.id, p.kind, coalesce(p.reference, ''), p.amount, o.order_number, p.method
        FROM payment p JOIN orders o ON o.id = p.order_id
        WHERE o.customer_id = :customer {after}""",
    "note": """
        SELECT n.created_at, 'note', n.id, 'note', left(n.body, 500), NULL::numeric,
               coalesce(n.conversation_id::text, ''), coalesce(s.display_name, '')
        FROM note n LEFT JOIN staff_user s ON s.id = n.author_id
        WHERE n.customer_id = :customer {after}""",
    # ADR 016: each reminder (sent, or not sent with the reason's i18n key) and each report to Meta
    "reminder": """
        SELECT r.created_at, 'reminder', r.id, r.status, r.kind, NULL::numeric, o.order_number,
               coalesce(r.reason, r.template_name, r.messaging_type, '')
        FROM reminder r JOIN orders o ON o.id = r.order_id
        WHERE r.customer_id = :customer {after}""",
    "report": """
        SELECT e.created_at, 'report', e.id, e.status,
               e.event_name || CASE WHEN e.status = 'failed' THEN ' — ' || left(coalesce(e.error, ''), 300) ELSE '' END,
               e.value, coalesce(o.order_number, ''), coalesce(e.ad_id, '')
        FROM conversion_event e LEFT JOIN orders o ON o.id = e.order_id
        WHERE e.customer_id = :customer {after}""",
    "activity": """
        SELECT a.at, 'activity', a.id, a.kind, a.detail::text, NULL::numeric,
               a.conversation_id::text, coalesce(s.display_name, a.actor_label)
        FROM conversation_activity a JOIN conversation c ON c.id = a.conversation_id
        LEFT JOIN staff_user s ON s.id = a.actor_id
        WHERE c.customer_id = :customer {after}""",
}
_TIME_COLUMN = {"message": "m.sent_at", "referral": "r.occurred_at", "order": "o.created_at", "payment": "p.paid_at", "note": "n.created_at",
                "reminder": "r.created_at", "report": "e.created_at", "activity": "a.at"}
_ID_COLUMN = {"message": "m.id", "referral": "r.id", "order": "o.id", "payment": "p.id", "note": "n.id", "reminder": "r.id", "report": "e.id",
              "activity": "a.id"}


ATTACHMENTS = re.compile(r"^(\d+) attachment\(s\)$")


def message_author(extra: str) -> tuple[str, int]:
    """A message entry's `extra` taken apart: who wrote it (a staff member's name or a sender
    kind) and how many attachments it carried."""
    who, _, rest = extra.partition(" · ")
    found = ATTACHMENTS.match(rest)
    return who, int(found.group(1)) if found else 0


def _branch(kind: str, after: bool, limit: int) -> str:
    # Each branch is cut to one page on its own (its index does the work), then merged.
    condition = f"AND ({_TIME_COLUMN[kind]}, '{kind}', {_ID_COLUMN[kind]}) < (:at, :kind, :id)" if after else ""
    return f"({_BRANCHES[kind].format(after=condition)} ORDER BY 1 DESC, 3 DESC LIMIT {limit})"


def timeline(session: Session, customer_id: int, before: str | None = None, limit: int = PAGE) -> tuple[list[Entry], str | None]:
    """A page of the customer's story before `before` (an `Entry.cursor`); and the next cursor,
    None when this page reached the beginning."""
    params: dict = {"customer": customer_id}
    if before:
        at, kind, entry_id = before.split("|")
        params.update(at=datetime.fromisoformat(at), kind=kind, id=int(entry_id))
    union = " UNION ALL ".join(_branch(kind, bool(before), limit + 1) for kind in _BRANCHES)
    rows = session.execute(sa.text(f"SELECT * FROM ({union}) t ORDER BY 1 DESC, 2 DESC, 3 DESC LIMIT {limit + 1}"), params).all()
    entries = [Entry(*row) for row in rows[:limit]]
    return entries, (entries[-1].cursor if len(rows) > limit else None)


CHAT_KINDS = ("message", "note")


def as_seen_by(entries: list[Entry], role: Role | str) -> list[Entry]:
    """The entries a role may read: without the inbox (marketing), a message or note keeps its
    time, kind and direction but not its words or who wrote it."""
    if may(role, Access.INBOX):
        return entries
    return [replace(e, text="", extra="") if e.kind in CHAT_KINDS else e for e in entries]

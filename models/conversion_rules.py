"""Back to Meta: which changes are reported to the Page's dataset (Conversions API for business
messaging), for whom, and exactly once. ADR 016; the marketing panel counts with these rules.

- A customer is *attributed* to an ad when they have an ad referral (Click-to-Messenger) within
  `attribution_days` (28 by default) before the moment that counts: the order's creation for an
  order, the qualification itself for a lead. The first such referral names the ad.
- `Purchase`: once per order, when its seat becomes taken (the deposit rule met); value = the
  order total in THB. `QualifiedLead`: once per customer, when staff set the stage to qualified.
  `OrderCanceled` / `OrderReturned`: one of them per order, only after its Purchase (same ad,
  same person): a full refund is reported as a return 10 minutes later unless the order is
  cancelled meanwhile (then as a cancellation: a cancel always follows a full refund here).
- Each is a `conversion_event` row written in the caller's transaction (so it exists exactly
  when the change does); the unique `key` names the change, `event_id` is our own id sent to Meta
  (Meta does not deduplicate). `actors.conversions` sends queued rows.
"""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.base import utcnow
from models.commerce import Order
from models.customers import AdReferral, ChannelIdentity
from models.meta_reports import ConversionEvent
from models.settings import get_settings

PURCHASE, QUALIFIED_LEAD, ORDER_CANCELED, ORDER_RETURNED = "Purchase", "QualifiedLead", "OrderCanceled", "OrderReturned"
ACTION_SOURCE, CHANNEL = "business_messaging", "messenger"
UNDO_EVENTS = (ORDER_CANCELED, ORDER_RETURNED)
UNDO_GRACE = timedelta(minutes=10)  # a full refund is reported this long after, unless the order is cancelled meanwhile


def attributed_ad(session: Session, customer_id: int, at: datetime) -> str | None:
    """The ad of the customer's first ad referral within the attribution window before `at`."""
    since = at - timedelta(days=get_settings().attribution_days)
    return session.exec(
        select(AdReferral.ad_id)
        .where(AdReferral.customer_id == customer_id, AdReferral.ad_id.is_not(None), AdReferral.occurred_at >= since, AdReferral.occurred_at <= at)
        .order_by(AdReferral.occurred_at, AdReferral.id)
        .limit(1)
    ).first()


def _psid(session: Session, customer_id: int) -> str | None:
    return session.exec(
        select(ChannelIdentity.external_id).where(ChannelIdentity.customer_id == customer_id, ChannelIdentity.page_id == get_settings().page_id)
    ).first()


_QUEUE = insert(ConversionEvent).on_conflict_do_nothing(index_elements=["key"]).returning(ConversionEvent.id)


def _queue(session: Session, key: str, event_name: str, customer_id: int, ad_id: str, psid: str, now: datetime,
           order_id: int | None = None, value: Decimal | None = None) -> int | None:
    row: dict[str, Any] = dict(
        key=key, event_id=uuid.uuid4().hex, event_name=event_name, customer_id=customer_id, order_id=order_id, ad_id=ad_id,
        page_id=get_settings().page_id, psid=psid, value=value, currency="THB" if value is not None else None, event_time=now,
        status="queued", attempts=0, next_try_at=now, created_at=now,
    )
    return session.execute(_QUEUE, row).scalar()


def report_seat_taken(session: Session, order: Order, now: datetime | None = None) -> int | None:
    """Queue the order's `Purchase` (once), if its customer is attributed to an ad. Returns the
    new row's id, None when nothing new is queued."""
    ad_id = attributed_ad(session, order.customer_id, order.created_at)
    psid = _psid(session, order.customer_id)
    if ad_id is None or psid is None:
        return None
    return _queue(session, f"{PURCHASE}:order:{order.id}", PURCHASE, order.customer_id, ad_id, psid, now or utcnow(), order.id, order.total)


def report_order_undone(session: Session, order: Order, event_name: str, now: datetime | None = None) -> int | None:
    """Queue the order's one undo event after its Purchase: `OrderReturned` for a full refund
    (held back `UNDO_GRACE`), `OrderCanceled` for a cancellation — which, within the grace,
    replaces the refund it follows (the school refunds, then cancels: Meta hears "cancelled")."""
    if event_name not in (ORDER_CANCELED, ORDER_RETURNED):
        raise ValueError(f"not an order event: {event_name}")
    purchase = session.exec(select(ConversionEvent).where(ConversionEvent.key == f"{PURCHASE}:order:{order.id}")).first()
    if purchase is None:
        return None
    now = now or utcnow()
    undone = session.exec(select(ConversionEvent).where(ConversionEvent.order_id == order.id, ConversionEvent.event_name.in_(UNDO_EVENTS))
                          .with_for_update()).first()
    if undone is not None:
        if event_name == ORDER_CANCELED and undone.event_name == ORDER_RETURNED and undone.status == "queued":
            undone.event_name, undone.key, undone.event_time, undone.next_try_at = ORDER_CANCELED, f"{ORDER_CANCELED}:order:{order.id}", now, now
            session.add(undone)
            return undone.id
        return None
    row_id = _queue(session, f"{event_name}:order:{order.id}", event_name, order.customer_id, purchase.ad_id or "", purchase.psid,
                    now, order.id, order.total)
    if row_id is not None and event_name == ORDER_RETURNED:
        session.execute(sa.update(ConversionEvent).where(ConversionEvent.id == row_id).values(next_try_at=now + UNDO_GRACE))
    return row_id


def report_qualified(session: Session, customer_id: int, now: datetime | None = None) -> int | None:
    """Queue the customer's `QualifiedLead` (once ever), if attributed to an ad."""
    now = now or utcnow()
    ad_id = attributed_ad(session, customer_id, now)
    psid = _psid(session, customer_id)
    if ad_id is None or psid is None:
        return None
    return _queue(session, f"{QUALIFIED_LEAD}:customer:{customer_id}", QUALIFIED_LEAD, customer_id, ad_id, psid, now)


def event_payload(row: ConversionEvent) -> dict[str, Any]:
    """The event as the dataset takes it (reference/api_shapes/capi_business_messaging_purchase_request.json)."""
    event: dict[str, Any] = {
        "event_name": row.event_name,
        "event_time": int(row.event_time.timestamp()),
        "event_id": row.event_id,
        "action_source": ACTION_SOURCE,
        "messaging_channel": CHANNEL,
        "user_data": {"page_id": row.page_id, "page_scoped_user_id": row.psid},
    }
    if row.value is not None:
        event["custom_data"] = {"currency": row.currency or "THB", "value": float(row.value)}
    return event


def reported_counts(session: Session, ad_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per ad: events sent to Meta by name (the marketing panel's "reported to Meta")."""
    rows = session.execute(
        sa.select(ConversionEvent.ad_id, ConversionEvent.event_name, sa.func.count())
        .where(ConversionEvent.ad_id.in_(ad_ids), ConversionEvent.status == "sent")
        .group_by(ConversionEvent.ad_id, ConversionEvent.event_name)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for ad_id, name, n in rows:
        counts.setdefault(ad_id, {})[name] = n
    return counts

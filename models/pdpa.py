"""Thailand's PDPA for one customer: their consent recorded, everything we hold about them
exported, and their personal data erased on request — each audited by the caller.

Erasure keeps what the law and the books need — the standard id, orders and payments (amounts,
dates) and the ad attribution, which hold nothing personal — and removes the rest: name, picture,
phone, e-mail, locale, tags, every message's text and attachments, notes, the raw webhook bodies
and Send API requests that carried their words, the AI's prompts and answers about them, and the
Messenger identity (should they write again, they are a new customer).
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.base import utcnow
from models.commerce import Order, OrderItem, Payment
from models.customers import AdReferral, ChannelIdentity, Customer, Note
from models.inbox import Conversation, InboundEvent, Message, OutboundSend
from models.ops import AiTask


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    out = {}
    for key, value in obj.model_dump().items():
        if key in skip:
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else (str(value) if hasattr(value, "as_tuple") else value)
    return out


def export_customer(session: Session, customer: Customer) -> dict[str, Any]:
    """Everything held about one customer, as JSON-ready data (the data subject's copy)."""
    conversations = session.exec(select(Conversation).where(Conversation.customer_id == customer.id).order_by(Conversation.id)).all()
    orders = session.exec(select(Order).where(Order.customer_id == customer.id).order_by(Order.id)).all()
    order_ids = [o.id for o in orders]
    return {
        "exported_at": utcnow().isoformat(),
        "customer": _row(customer, "search_text"),
        "identities": [_row(i) for i in session.exec(select(ChannelIdentity).where(ChannelIdentity.customer_id == customer.id))],
        "ad_referrals": [_row(r) for r in session.exec(select(AdReferral).where(AdReferral.customer_id == customer.id).order_by(AdReferral.id))],
        "conversations": [
            {**_row(c), "messages": [_row(m) for m in session.exec(select(Message).where(Message.conversation_id == c.id).order_by(Message.id))]}
            for c in conversations
        ],
        "notes": [_row(n) for n in session.exec(select(Note).where(Note.customer_id == customer.id).order_by(Note.id))],
        "orders": [
            {**_row(o),
             "items": [_row(i) for i in session.exec(select(OrderItem).where(OrderItem.order_id == o.id).order_by(OrderItem.id))],
             "payments": [_row(p) for p in session.exec(select(Payment).where(Payment.order_id == o.id).order_by(Payment.id))]}
            for o in orders
        ] if order_ids else [],
    }


def record_consent(session: Session, customer: Customer, now: datetime | None = None) -> None:
    customer.consent_at = now or utcnow()
    session.add(customer)


def erase_customer(session: Session, customer: Customer, now: datetime | None = None) -> dict[str, int]:
    """Remove the customer's personal data (see the module docstring); returns what was cleared."""
    now = now or utcnow()
    conversation_ids = select(Conversation.id).where(Conversation.customer_id == customer.id).scalar_subquery()
    psids = list(session.exec(select(ChannelIdentity.external_id).where(ChannelIdentity.customer_id == customer.id)))
    if psids:  # the raw webhook bodies from and to them (kept for replay and audit) say what they wrote
        session.execute(sa.update(InboundEvent).where(sa.or_(
            col(InboundEvent.sender_id).in_(psids), InboundEvent.payload["recipient"]["id"].astext.in_(psids)
        )).values(payload={"erased": now.isoformat()}))
    session.execute(sa.update(OutboundSend).where(col(OutboundSend.conversation_id).in_(conversation_ids)).values(request={}))
    session.execute(sa.update(AiTask).where(col(AiTask.conversation_id).in_(conversation_ids)).values(prompt="", answer=None, sources=[]))
    messages = session.execute(
        sa.update(Message).where(col(Message.conversation_id).in_(conversation_ids))
        .values(text=None, attachments=[], reactions={}, quick_reply_payload=None)
    ).rowcount
    notes = session.execute(sa.delete(Note).where(Note.customer_id == customer.id)).rowcount
    identities = session.execute(sa.delete(ChannelIdentity).where(ChannelIdentity.customer_id == customer.id)).rowcount
    session.execute(sa.update(AdReferral).where(AdReferral.customer_id == customer.id).values(context={}, ref=None))
    for field in ("display_name", "first_name", "last_name", "profile_pic_url", "phone", "email", "locale"):
        setattr(customer, field, None)
    customer.tags, customer.erased_at, customer.updated_at = [], now, now
    session.add(customer)
    return {"messages": messages, "notes": notes, "identities": identities}

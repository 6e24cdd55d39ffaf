"""How Messenger events change customers, conversations and messages. Plain functions over a
session, shared by the inbound actor and (for staff replies) the inbox. Each is safe to apply
twice and in any order: messages are unique by `mid`, times only move forward, and deliveries
and reads are watermarks."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models.activity import record_activity
from models.base import utcnow
from models.csat import survey_reply, thank
from models.customer_rules import find_or_create_customer
from models.customers import AdReferral, ChannelIdentity, Customer
from models.enums import (
    ActivityKind,
    Channel,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    SenderKind,
)
from models.inbox import Conversation, Message
from models.messenger_events import PAGE_INBOX_APP_ID, parse_time
from models.report_facts import open_period, record_human_reply
from models.sla import end_wait, start_wait

CUSTOMER_WROTE = "customer wrote"  # the activity label when a customer's message reopens a conversation


class StoredEvent(Protocol):
    """An `inbound_event` row as applied: the actor reads it as a plain row, not an ORM object."""

    kind: str
    channel: str
    page_id: str | None
    sender_id: str | None
    payload: dict[str, Any]
    event_time: datetime | None
    received_at: datetime


@dataclass
class Applied:
    """What applying one event changed, so the actor can announce it and start follow-ups."""

    conversation_ids: set[int] = field(default_factory=set)
    customer_id: int | None = None
    customer_created: bool = False
    message_id: int | None = None  # a new inbound customer message (the AI may answer it)
    to_send: list[int] = field(default_factory=list)  # automated replies stored as pending


def current_conversation(
    session: Session, customer: Customer, page_id: str, channel: str, now: datetime, new_customer: bool = False
) -> Conversation:
    """The customer's conversation on this Page: the latest one unless it was resolved.
    The customer row is locked first, so two workers never open two conversations at once; a
    customer this transaction just created is invisible to the others and has none to look for."""
    if not new_customer:
        session.exec(select(Customer.id).where(Customer.id == customer.id).with_for_update()).one()
        latest = session.exec(
            select(Conversation)
            .where(Conversation.customer_id == customer.id, Conversation.page_id == page_id)
            .order_by(col(Conversation.id).desc())
            .limit(1)
            .with_for_update()
        ).first()
        if latest and latest.status != ConversationStatus.RESOLVED:
            return latest
    conversation = Conversation(customer_id=customer.id, page_id=page_id, channel=channel, created_at=now, updated_at=now)
    session.add(conversation)
    session.flush()
    open_period(session, conversation.id, now)
    return conversation


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((t for t in (a, b) if t is not None), default=None)


def _customer_of(session: Session, event: StoredEvent, customer_id_field: str = "sender") -> tuple[Customer, bool]:
    psid = str((event.payload.get(customer_id_field) or {}).get("id") or event.sender_id or "unknown")
    when = event.event_time or event.received_at
    return find_or_create_customer(session, Channel(event.channel), event.page_id or "unknown", psid, when)


def _customer_side(session: Session, event: StoredEvent, customer_id_field: str = "sender") -> tuple[Customer, Conversation, bool]:
    customer, created = _customer_of(session, event, customer_id_field)
    when = event.event_time or event.received_at
    conversation = current_conversation(session, customer, event.page_id or "unknown", event.channel, when, new_customer=created)
    return customer, conversation, created


def _opened_window(conversation: Conversation, when: datetime, count_unread: bool) -> None:
    conversation.last_inbound_at = _later(conversation.last_inbound_at, when)
    conversation.last_message_at = _later(conversation.last_message_at, when)
    if count_unread:
        conversation.unread_count += 1
    if conversation.status in (ConversationStatus.SNOOZED, ConversationStatus.PENDING):
        conversation.status, conversation.snoozed_until = ConversationStatus.OPEN, None
    conversation.updated_at = utcnow()


_INSERT_MESSAGE = insert(Message).returning(Message.id)  # built once: every inbound message runs it
_INSERT_MESSAGE_ONCE = insert(Message).on_conflict_do_nothing(index_elements=["mid"]).returning(Message.id)


def add_message(session: Session, **values: Any) -> int | None:
    """Insert a message unless its `mid` is already stored; return the new id or None."""
    row = session.execute(_INSERT_MESSAGE_ONCE if values.get("mid") else _INSERT_MESSAGE, values).first()
    return row[0] if row else None


def record_referral(session: Session, customer: Customer, conversation: Conversation, referral: dict[str, Any], when: datetime) -> None:
    """Keep every referral on the timeline; the earliest ad referral attributes the customer."""
    ad_id = referral.get("ad_id")
    session.add(
        AdReferral(
            customer_id=customer.id,
            conversation_id=conversation.id,
            source=str(referral.get("source") or "UNKNOWN")[:20],
            ad_id=str(ad_id)[:40] if ad_id else None,
            ref=str(referral.get("ref"))[:250] if referral.get("ref") else None,
            context=referral.get("ads_context_data") or {},
            occurred_at=when,
        )
    )
    session.flush()
    if ad_id:
        conversation.source_ad_id = conversation.source_ad_id or str(ad_id)[:40]
        customer.first_ad_id = session.exec(
            select(AdReferral.ad_id)
            .where(AdReferral.customer_id == customer.id, AdReferral.ad_id.is_not(None))
            .order_by(AdReferral.occurred_at, AdReferral.id)
            .limit(1)
        ).one()
        session.add(customer)


def apply_event(session: Session, event: StoredEvent) -> Applied:
    handler = _HANDLERS.get(event.kind)
    return handler(session, event) if handler else Applied()


def _customer_wrote(
    session: Session, customer: Customer, conversation: Conversation, created: bool, message_id: int | None, referral: Any, when: datetime
) -> Applied:
    """What any customer message or postback does besides storing itself: open the window,
    count it unread (once), and record the ad referral it may carry."""
    status_before = conversation.status
    _opened_window(conversation, when, count_unread=message_id is not None)
    if conversation.status != status_before:  # a snoozed or pending conversation reopens: say so in the thread
        record_activity(session, conversation.id, ActivityKind.STATUS, None, {"to": conversation.status, "from": status_before},
                        actor_label=CUSTOMER_WROTE)
    if message_id is not None:
        start_wait(session, conversation.id, when)  # the response-time clock (models/sla.py)
    if isinstance(referral, dict):
        record_referral(session, customer, conversation, referral, when)
    session.add(conversation)
    return Applied({conversation.id}, customer.id, created, message_id)


def _message(session: Session, event: StoredEvent) -> Applied:
    msg = event.payload["message"]
    when = event.event_time or event.received_at
    customer, created = _customer_of(session, event)
    text = msg.get("text") if isinstance(msg.get("text"), str) else None
    quick_reply = str((msg.get("quick_reply") or {}).get("payload") or "")[:1000] or None
    answered = None if created else survey_reply(session, customer.id, quick_reply, text, when)
    if answered is not None:
        return _survey_answer(session, event, customer, answered, text, quick_reply, when)
    conversation = current_conversation(session, customer, event.page_id or "unknown", event.channel, when, new_customer=created)
    message_id = add_message(
        session,
        conversation_id=conversation.id,
        direction=Direction.INBOUND,
        sender_kind=SenderKind.CUSTOMER,
        mid=str(msg.get("mid"))[:200],
        text=text,
        attachments=[a for a in msg.get("attachments") or [] if isinstance(a, dict)],
        reply_to_mid=str((msg.get("reply_to") or {}).get("mid") or "")[:200] or None,
        quick_reply_payload=quick_reply,
        status=DeliveryStatus.SENT,
        sent_at=when,
    )
    return _customer_wrote(session, customer, conversation, created, message_id, msg.get("referral"), when)


def _survey_answer(
    session: Session, event: StoredEvent, customer: Customer, answered: tuple[Conversation, str], text: str | None, quick_reply: str | None, when: datetime
) -> Applied:
    """A rating (or its comment) lands on the resolved conversation it answers: stored there,
    opening the window, without reopening it, counting it unread or waking the AI. A new score
    is thanked (inviting the comment)."""
    conversation, kind = answered
    message_id = add_message(
        session,
        conversation_id=conversation.id,
        direction=Direction.INBOUND,
        sender_kind=SenderKind.CUSTOMER,
        mid=str(event.payload["message"].get("mid"))[:200],
        text=text,
        quick_reply_payload=quick_reply,
        status=DeliveryStatus.SENT,
        sent_at=when,
    )
    conversation.last_inbound_at = _later(conversation.last_inbound_at, when)
    conversation.last_message_at = _later(conversation.last_message_at, when)
    session.add(conversation)
    to_send = [thank(session, conversation, when).id] if kind == "score" and message_id is not None else []
    return Applied({conversation.id}, customer.id, False, None, to_send)


_MESSAGE_BY_MID = select(Message.id).where(Message.mid == sa.bindparam("mid"))


def _echo(session: Session, event: StoredEvent) -> Applied:
    """A copy of what the Page sent. Ours are already stored (matched by mid or metadata);
    replies typed in Meta's Page inbox (or by another app) are stored as outgoing messages."""
    msg = event.payload["message"]
    mid = str(msg.get("mid"))[:200]
    if session.exec(_MESSAGE_BY_MID, params={"mid": mid}).first():
        return Applied()
    metadata = str(msg.get("metadata") or "")
    if metadata.startswith("vschool:message:"):
        ours = session.get(Message, int(metadata.rsplit(":", 1)[1])) if metadata.rsplit(":", 1)[1].isdigit() else None
        if ours is not None:
            ours.mid = ours.mid or mid
            session.add(ours)
            return Applied({ours.conversation_id})
    when = event.event_time or event.received_at
    customer, conversation, created = _customer_side(session, event, customer_id_field="recipient")
    by_page_inbox = str(msg.get("app_id")) == PAGE_INBOX_APP_ID
    if by_page_inbox:  # a person typed it in Meta's Page inbox: a human reply for the reports
        record_human_reply(session, conversation.id, None, when)
    add_message(
        session,
        conversation_id=conversation.id,
        direction=Direction.OUTBOUND,
        sender_kind=SenderKind.PAGE_INBOX if by_page_inbox else SenderKind.SYSTEM,
        mid=mid,
        text=msg.get("text") if isinstance(msg.get("text"), str) else None,
        attachments=[a for a in msg.get("attachments") or [] if isinstance(a, dict)],
        status=DeliveryStatus.SENT,
        sent_at=when,
    )
    conversation.last_message_at = _later(conversation.last_message_at, when)
    session.add(conversation)
    if by_page_inbox:  # a person answered in Meta's own inbox: the customer's wait ends
        end_wait(session, conversation.id, when, None)
    return Applied({conversation.id}, customer.id, created)


def _postback(session: Session, event: StoredEvent) -> Applied:
    postback = event.payload["postback"]
    when = event.event_time or event.received_at
    customer, conversation, created = _customer_side(session, event)
    message_id = add_message(
        session,
        conversation_id=conversation.id,
        direction=Direction.INBOUND,
        sender_kind=SenderKind.CUSTOMER,
        mid=str(postback.get("mid"))[:200] if postback.get("mid") else None,
        text=str(postback.get("title") or postback.get("payload") or ""),
        quick_reply_payload=str(postback.get("payload") or "")[:1000] or None,
        status=DeliveryStatus.SENT,
        sent_at=when,
    )
    return _customer_wrote(session, customer, conversation, created, message_id, postback.get("referral"), when)


def _referral(session: Session, event: StoredEvent) -> Applied:
    when = event.event_time or event.received_at
    customer, conversation, created = _customer_side(session, event)
    # An ad click-through or m.me link opens the window; there is no message to count unread.
    return _customer_wrote(session, customer, conversation, created, None, event.payload["referral"], when)


def _reaction(session: Session, event: StoredEvent) -> Applied:
    reaction = event.payload["reaction"]
    message = session.exec(select(Message).where(Message.mid == str(reaction.get("mid"))).with_for_update()).first()
    if message is None:
        return Applied()
    who = event.sender_id or "customer"
    when = (event.event_time or event.received_at).isoformat()
    current = message.reactions.get(who)
    if current and current.get("at", "") > when:
        return Applied()  # an older event arriving late changes nothing
    reactions = dict(message.reactions)
    if reaction.get("action") == "unreact":
        reactions[who] = {"removed": True, "at": when}
    else:
        reactions[who] = {"emoji": reaction.get("emoji") or reaction.get("reaction"), "reaction": reaction.get("reaction"), "at": when}
    message.reactions = reactions
    session.add(message)
    conversation = session.get(Conversation, message.conversation_id)
    if conversation is not None:
        _opened_window(conversation, event.event_time or event.received_at, count_unread=False)
        session.add(conversation)
    return Applied({message.conversation_id})


def _watermark(session: Session, event: StoredEvent, key: str, to: DeliveryStatus, before: tuple[DeliveryStatus, ...]) -> Applied:
    body = event.payload[key]
    mark = parse_time(body.get("watermark"))
    mids = [str(m) for m in body.get("mids") or []]
    if key == "read" and body.get("mid"):
        mids.append(str(body["mid"]))
    conversations = (
        select(Conversation.id)
        .join(ChannelIdentity, ChannelIdentity.customer_id == Conversation.customer_id)
        .where(
            ChannelIdentity.external_id == event.sender_id,
            ChannelIdentity.page_id == event.page_id,
            Conversation.page_id == event.page_id,
        )
    )
    which = [Message.mid.in_(mids)] if mids else []
    if mark is not None:
        which.append(Message.sent_at <= mark)
    if not which:
        return Applied()
    changed = session.execute(
        sa.update(Message)
        .where(
            Message.direction == Direction.OUTBOUND,
            Message.mid.is_not(None),  # only what Meta accepted can be delivered or read
            Message.status.in_(before),
            Message.conversation_id.in_(conversations),
            sa.or_(*which),
        )
        .values(status=to)
        .returning(Message.conversation_id)
    ).all()
    if _still_sending(session, conversations, mark, event):
        raise ReceiptTooEarly(f"{key} {event.sender_id}: a reply it covers is still being sent")
    return Applied({row[0] for row in changed})


class ReceiptTooEarly(Exception):
    """A delivery or read arrived while a reply it covers is still being sent (its Meta mid not
    yet stored: the phone can read a reply before our send call returns). Applying it now would
    miss that reply for good; the actor tries again shortly instead."""


RECEIPT_WAITS_S = 120  # after this, a receipt is applied to what it can find and done


def _still_sending(session: Session, conversations: Any, mark: datetime | None, event: StoredEvent) -> bool:
    if (utcnow() - event.received_at).total_seconds() > RECEIPT_WAITS_S:
        return False
    unsettled = select(Message.id).where(
        Message.conversation_id.in_(conversations),
        Message.direction == Direction.OUTBOUND,
        Message.status == DeliveryStatus.PENDING,
        Message.mid.is_(None),
    )
    if mark is not None:
        unsettled = unsettled.where(Message.sent_at <= mark)
    return session.exec(unsettled.limit(1)).first() is not None


def _delivery(session: Session, event: StoredEvent) -> Applied:
    return _watermark(session, event, "delivery", DeliveryStatus.DELIVERED, (DeliveryStatus.PENDING, DeliveryStatus.SENT))


def _read(session: Session, event: StoredEvent) -> Applied:
    return _watermark(
        session, event, "read", DeliveryStatus.READ, (DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    )


_HANDLERS = {
    "message": _message,
    "echo": _echo,
    "postback": _postback,
    "referral": _referral,
    "reaction": _reaction,
    "delivery": _delivery,
    "read": _read,
}

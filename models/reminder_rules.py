"""Reminders Meta accepts (ADR 016): which orders get which reminder, and how it may be sent.

- Kinds: the class starts in `reminder_class_days` (3) days; money is owed and the round starts
  within `reminder_balance_days` (7) days; the round was cancelled; the seat moved to another
  round. Each at most once per order, kind and round (`reminder`'s unique key).
- Inside the 24-hour window a normal message (`messaging_type: UPDATE`). Outside it, a utility
  template chosen by rule: the kind's template in the customer's language, else in the other
  language — only one Meta reports APPROVED (synced into `message_template`). Nothing else: the
  HUMAN_AGENT tag is for a person's reply, and the retired tags are never sent.
- A reminder that cannot be sent is kept as `not_sent` with the reason (an i18n key) on the
  customer's timeline, so staff can call instead.
- Reminders are selected only in the school's daytime (09:00–20:00 Bangkok).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.base import utcnow
from models.commerce import Order, Product
from models.customers import ChannelIdentity, Customer
from models.enums import DeliveryStatus, Direction, OrderStatus, SenderKind, SendStatus
from models.inbox import Conversation, Message, OutboundSend
from models.meta_reports import (
    MessageTemplate,
    Reminder,
    ReminderKind,
    ReminderStatus,
    TemplateStatus,
)
from models.reply_rules import window
from models.rounds import CourseRound
from models.settings import get_settings

ECHO_GRACE = timedelta(seconds=60)  # an attempt whose outcome is unknown waits this long for its echo
DAYTIME = range(9, 20)  # Bangkok hours in which reminders are selected
LANGUAGES = ("th", "en")
# Our utility templates, created in the Page's library by the template sync: (kind, language) → body.
TEMPLATES: dict[tuple[str, str], str] = {
    ("class_starts", "th"): "สวัสดีค่ะคุณ{{1}} คลาส{{2}}ของคุณจะเริ่มวันที่ {{3}} เวลา {{4}} น. (คำสั่งซื้อ {{5}})",
    ("class_starts", "en"): "Hi {{1}}, your {{2}} class starts on {{3}} at {{4}} (order {{5}}).",
    ("balance_due", "th"): "สวัสดีค่ะคุณ{{1}} ยอดคงเหลือ {{2}} ของคำสั่งซื้อ {{3}} ครบกำหนดชำระก่อนวันที่ {{4}}",
    ("balance_due", "en"): "Hi {{1}}, the balance of {{2}} for order {{3}} is due before {{4}}.",
    ("round_cancelled", "th"): "สวัสดีค่ะคุณ{{1}} รอบเรียน{{2}}วันที่ {{3}} ถูกยกเลิก ทีมงานจะติดต่อเพื่อเลือกรอบใหม่หรือคืนเงิน (คำสั่งซื้อ {{4}})",
    ("round_cancelled", "en"): "Hi {{1}}, the {{2}} round on {{3}} is cancelled; we will contact you to choose a new round or a refund (order {{4}}).",
    ("round_moved", "th"): "สวัสดีค่ะคุณ{{1}} ที่นั่งคลาส{{2}}ของคุณย้ายไปรอบวันที่ {{3}} แล้ว (คำสั่งซื้อ {{4}})",
    ("round_moved", "en"): "Hi {{1}}, your {{2}} seat has moved to the round starting {{3}} (order {{4}}).",
}
CLOSED_ORDERS = (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value)


def template_name(kind: str, language: str) -> str:
    return f"vschool_{kind}_{language}"


def template_request(kind: str, language: str) -> dict[str, Any]:
    """The body that creates one of our templates in the Page's library (positional values)."""
    body = TEMPLATES[(kind, language)]
    examples = {"class_starts": ["Mali", "Professional Sushi", "4 Jan 2027", "09:30", "VS-26-00012"],
                "balance_due": ["Mali", "฿17,430.00", "VS-26-00012", "28 Dec 2026"],
                "round_cancelled": ["Mali", "Professional Sushi", "4 Jan 2027", "VS-26-00012"],
                "round_moved": ["Mali", "Professional Sushi", "1 Feb 2027", "VS-26-00012"]}[kind]
    return {"name": template_name(kind, language), "language": language, "category": "UTILITY",
            "components": [{"type": "BODY", "text": body, "example": {"body_text": [examples]}}]}


def _candidates_sql(kind: str) -> str:
    """Orders with a live seat in a round starting within the kind's days (money still owed for
    a balance reminder): one INSERT … SELECT, the unique key skipping those already reminded."""
    owed = """AND o.total > coalesce((SELECT sum(CASE WHEN p.kind = 'refund' THEN -p.amount ELSE p.amount END)
                                      FROM payment p WHERE p.order_id = o.id), 0)""" if kind == "balance_due" else ""
    states = "('held', 'taken')" if kind == "balance_due" else "('taken')"
    return f"""
        INSERT INTO reminder (order_id, customer_id, kind, subject, starts_on, status, created_at)
        SELECT DISTINCT o.id, o.customer_id, '{kind}', r.id::text, r.starts_on, 'queued', :now
        FROM seat s JOIN course_round r ON r.id = s.round_id JOIN orders o ON o.id = s.order_id
        WHERE s.state IN {states} AND r.status <> 'cancelled' AND o.status NOT IN ('cancelled', 'refunded')
          AND r.starts_on > :today AND r.starts_on <= :until {owed}
        ON CONFLICT (order_id, kind, subject) DO NOTHING
        RETURNING id"""


def select_due(session: Session, now: datetime | None = None) -> list[int]:
    """Queue every reminder due now (class starts, balance due); returns the new reminders' ids.
    Outside the school's daytime nothing is selected."""
    now = now or utcnow()
    settings = get_settings()
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.hour not in DAYTIME:
        return []
    today = local.date()
    ids: list[int] = []
    for kind, days in ((ReminderKind.CLASS_STARTS, settings.reminder_class_days), (ReminderKind.BALANCE_DUE, settings.reminder_balance_days)):
        ids += session.execute(sa.text(_candidates_sql(kind.value)), {"now": now, "today": today, "until": today + timedelta(days=days)}).scalars().all()
    return ids


def queue_round_change(session: Session, order_id: int, round_id: int, kind: ReminderKind, subject: str = "") -> int | None:
    """Queue "round cancelled" or "seat moved" for an order (once per order, kind and subject —
    the round, or the round and its new date), in the caller's transaction. Returns its id."""
    order = session.get(Order, order_id)
    rnd = session.get(CourseRound, round_id)
    if order is None or rnd is None:
        return None
    return session.execute(
        insert(Reminder).values(order_id=order_id, customer_id=order.customer_id, kind=kind.value, subject=subject or str(round_id),
                                starts_on=rnd.starts_on, status=ReminderStatus.QUEUED.value, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["order_id", "kind", "subject"]).returning(Reminder.id)
    ).scalar()


def queue_round_cancelled(session: Session, round_id: int) -> list[int]:
    """Queue "round cancelled" for every order with a live seat in the round (call it when a
    round is cancelled, before its seats are released)."""
    order_ids = session.execute(sa.text("SELECT DISTINCT order_id FROM seat WHERE round_id = :r AND state IN ('held', 'taken')"),
                                {"r": round_id}).scalars().all()
    return [rid for oid in order_ids if (rid := queue_round_change(session, oid, round_id, ReminderKind.ROUND_CANCELLED))]


def queue_round_news(session: Session, round_id: int, was_status: str | None, was_starts: date | None) -> list[int]:
    """After staff saved a round: "round cancelled" to its booked orders when it became
    cancelled, "round moved" when its first day changed (once per order and new date)."""
    rnd = session.get(CourseRound, round_id)
    if rnd is None:
        return []
    if rnd.status == "cancelled" and was_status != "cancelled":
        return queue_round_cancelled(session, round_id)
    if was_starts is None or rnd.starts_on == was_starts or rnd.status == "cancelled":
        return []
    order_ids = session.execute(sa.text("SELECT DISTINCT order_id FROM seat WHERE round_id = :r AND state IN ('held', 'taken')"),
                                {"r": round_id}).scalars().all()
    return [rid for oid in order_ids
            if (rid := queue_round_change(session, oid, round_id, ReminderKind.ROUND_MOVED, subject=f"{round_id}@{rnd.starts_on.isoformat()}"))]


def choose_template(session: Session, kind: str, language: str) -> tuple[MessageTemplate | None, str | None]:
    """The approved template for a kind, the customer's language first; or None and the reason
    (an i18n key) when Meta has approved none."""
    order = [language, *[lang for lang in LANGUAGES if lang != language]]
    found = {t.language: t for t in session.exec(select(MessageTemplate).where(
        MessageTemplate.name.in_([template_name(kind, lang) for lang in LANGUAGES])))}
    for lang in order:
        if lang in found and found[lang].status == TemplateStatus.APPROVED:
            return found[lang], None
    return None, "reminder_template_not_approved" if found else "reminder_template_missing"


@dataclass(frozen=True)
class Planned:
    message_id: int
    body: dict[str, Any]


_MONTHS = {"en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
           "th": ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]}


def _day(day: date, language: str) -> str:
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def _values(session: Session, reminder: Reminder, order: Order, customer: Customer, language: str) -> list[str]:
    """The template's values, in order (the same words make the in-window message)."""
    round_id = reminder.subject.split("@")[0]
    rnd = session.get(CourseRound, int(round_id)) if round_id.isdigit() else None
    product = session.get(Product, rnd.product_id) if rnd else None
    course = (product.name_th if language == "th" and product and product.name_th else product.name if product else "")
    name = customer.first_name or customer.display_name or ("ลูกค้า" if language == "th" else "there")
    day = _day(reminder.starts_on, language) if reminder.starts_on else ""
    if reminder.kind == ReminderKind.CLASS_STARTS:
        return [name, course, day, rnd.daily_start.strftime("%H:%M") if rnd else "", order.order_number]
    if reminder.kind == ReminderKind.BALANCE_DUE:
        kept = session.execute(sa.text("SELECT coalesce(sum(CASE WHEN kind = 'refund' THEN -amount ELSE amount END), 0) FROM payment WHERE order_id = :o"),
                               {"o": order.id}).scalar_one()
        return [name, f"฿{max(order.total - kept, 0):,.2f}", order.order_number, day]
    return [name, course, day, order.order_number]


def _render(kind: str, language: str, values: list[str]) -> str:
    text = TEMPLATES[(kind, language)]
    for i, value in enumerate(values, start=1):
        text = text.replace("{{" + str(i) + "}}", value)
    return text


def _no_longer_due(session: Session, reminder: Reminder, order: Order) -> bool:
    if order.status in CLOSED_ORDERS and reminder.kind in (ReminderKind.CLASS_STARTS, ReminderKind.BALANCE_DUE):
        return True
    if reminder.kind == ReminderKind.BALANCE_DUE:
        values = _values(session, reminder, order, session.get(Customer, order.customer_id), "en")
        return values[1] == "฿0.00"
    return False


def _not_sent(reminder: Reminder, reason: str) -> None:
    reminder.status, reminder.reason = ReminderStatus.NOT_SENT, reason


def _body(session: Session, reminder: Reminder, conversation: Conversation, psid: str, customer: Customer, order: Order) -> tuple[dict, str] | None:
    """The Send API body and the text the customer reads; None (and the reason on the reminder)
    when no allowed way exists."""
    language = "en" if (customer.locale or "").lower().startswith("en") else "th"
    if window(conversation).state == "open":
        text = _render(reminder.kind, language, _values(session, reminder, order, customer, language))
        reminder.messaging_type = "UPDATE"
        return {"recipient": {"id": psid}, "messaging_type": "UPDATE", "message": {"text": text}}, text
    template, reason = choose_template(session, reminder.kind, language)
    if template is None:
        _not_sent(reminder, reason or "reminder_template_missing")
        return None
    values = _values(session, reminder, order, customer, template.language)
    reminder.messaging_type, reminder.template_name = "UTILITY", template.name
    body = {"recipient": {"id": psid}, "messaging_type": "UTILITY",
            "message": {"template": {"name": template.name, "language": {"code": template.language},
                                     "components": [{"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}]}}}
    return body, _render(reminder.kind, template.language, values)


def prepare_reminder(session: Session, reminder_id: int, now: datetime | None = None) -> Planned | None:
    """Decide how a queued reminder goes out and put it on record (the message on the customer's
    thread, the Send API attempt), or mark it not sent with the reason. A reminder already
    attempted is settled from its attempt or its stored request is returned to send again."""
    now = now or utcnow()
    reminder = session.exec(select(Reminder).where(Reminder.id == reminder_id).with_for_update()).first()
    if reminder is None or reminder.status != ReminderStatus.QUEUED:
        return None
    if reminder.message_id is not None:
        return _again(session, reminder, now)
    order = session.get(Order, reminder.order_id)
    if _no_longer_due(session, reminder, order):
        _not_sent(reminder, "reminder_no_longer_due")
        return None
    customer = session.get(Customer, reminder.customer_id)
    page_id = get_settings().page_id
    psid = session.exec(select(ChannelIdentity.external_id).where(ChannelIdentity.customer_id == customer.id, ChannelIdentity.page_id == page_id)).first()
    conversation = session.exec(select(Conversation).where(Conversation.customer_id == customer.id, Conversation.page_id == page_id)
                                .order_by(Conversation.last_inbound_at.desc().nulls_last(), Conversation.id.desc())).first()
    if psid is None or conversation is None:
        _not_sent(reminder, "reminder_no_messenger")
        return None
    planned = _body(session, reminder, conversation, psid, customer, order)
    if planned is None:
        return None
    body, text = planned
    message = Message(conversation_id=conversation.id, direction=Direction.OUTBOUND, sender_kind=SenderKind.SYSTEM, text=text,
                      status=DeliveryStatus.PENDING, sent_at=now)
    session.add(message)
    session.flush()
    body["metadata"] = f"vschool:message:{message.id}"  # its echo settles it (models.conversation_rules._echo)
    session.add(OutboundSend(idempotency_key=f"message:{message.id}", conversation_id=conversation.id, message_id=message.id, recipient_id=psid,
                             request=body, messaging_type=body["messaging_type"], attempts=1, sent_at=now))
    reminder.message_id = message.id
    session.add(reminder)
    return Planned(message.id, body)


def _again(session: Session, reminder: Reminder, now: datetime) -> Planned | None:
    send = session.exec(select(OutboundSend).where(OutboundSend.message_id == reminder.message_id).with_for_update()).first()
    message = session.get(Message, reminder.message_id)
    if send is None or message is None:
        _not_sent(reminder, "reminder_meta_refused")
        return None
    if send.status == SendStatus.QUEUED and not message.mid:
        if send.sent_at and now - send.sent_at < ECHO_GRACE:
            return None  # the last call may have got through: its echo settles it, or a later run sends again
        send.attempts, send.sent_at = send.attempts + 1, now
        return Planned(message.id, dict(send.request))
    settle_reminder(session, reminder, message)
    return None


def settle_reminder(session: Session, reminder: Reminder, message: Message | None = None) -> None:
    """After the Send API call: sent when its message went out, not sent when Meta refused it."""
    message = message or session.get(Message, reminder.message_id)
    if message is not None and message.status == DeliveryStatus.FAILED:
        _not_sent(reminder, "reminder_meta_refused")
    elif message is not None and (message.mid or message.status != DeliveryStatus.PENDING):
        reminder.status, reminder.sent_at = ReminderStatus.SENT, utcnow()
    session.add(reminder)

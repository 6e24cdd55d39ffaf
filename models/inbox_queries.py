"""The inbox's reads and small state changes, as plain functions (the inbox page calls them;
tests call them). Lists are always one page; times are shown in the school's time zone."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.activity import activity_lines, record_activity, sentence
from models.base import utcnow
from models.commerce import Order, Payment
from models.csat import ask as ask_csat
from models.customers import AdReferral, Customer, Note
from models.enums import ActivityKind, ConversationStatus, Direction, PaymentKind
from models.hours import ResponseWait
from models.inbox import CannedResponse, Conversation, ConversationLabel, Label, Message
from models.listings import baht, like_pattern
from models.refusals import Refused
from models.reply_rules import window
from models.report_facts import open_period, record_resolved
from models.settings import get_settings
from models.sla import Clock, end_wait, running_clocks
from models.staff import StaffUser
from models.when import shown

LIST_PAGE = 30
THREAD_LIMIT = 200
TICKS = {"pending": "🕓", "sent": "✓", "delivered": "✓✓", "read": "✓✓ read", "failed": "⚠"}


def local(value: datetime | None, language: str) -> str:
    """A message's time as the inbox shows it: day, month and hh:mm in Bangkok, in the reader's language."""
    return shown(value, language, year=False)


def in_language(language: str, english: str, thai: str) -> str:
    return thai if language == "th" else english


@dataclass(frozen=True)
class ListFilter:
    status: str = ConversationStatus.OPEN.value
    scope: str = "all"  # all | mine | unassigned
    search: str = ""
    page: int = 0
    label: str = ""  # a label name, or "" for any
    sort: str = "recent"  # recent | due (the response-time clock: least time left first)


def list_conversations(session: Session, staff_id: int, f: ListFilter, language: str = "en") -> tuple[list[dict[str, str]], int]:
    last_text = (
        select(Message.text)
        .where(Message.conversation_id == Conversation.id)
        .order_by(col(Message.sent_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    q = (
        sa.select(Conversation, Customer.display_name, Customer.standard_id, last_text.label("last_text"))
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.status == f.status)
    )
    if f.scope == "mine":
        q = q.where(Conversation.assignee_id == staff_id)
    elif f.scope == "unassigned":
        q = q.where(Conversation.assignee_id.is_(None))
    if f.label:
        q = q.where(Conversation.id.in_(
            select(ConversationLabel.conversation_id).join(Label, Label.id == ConversationLabel.label_id).where(Label.name == f.label)
        ))
    if f.search.strip():
        like = like_pattern(f.search.strip())
        q = q.where(sa.or_(Customer.display_name.ilike(like), Customer.standard_id.ilike(like),
                           Conversation.id.in_(select(Message.conversation_id).where(Message.text.ilike(like)))))
    total = session.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
    order = [col(Conversation.last_message_at).desc().nulls_last(), col(Conversation.id).desc()]
    if f.sort == "due":
        q = q.outerjoin(ResponseWait, sa.and_(ResponseWait.conversation_id == Conversation.id, ResponseWait.answered_at.is_(None)))
        order.insert(0, col(ResponseWait.due_at).asc().nulls_last())
    rows = session.execute(q.order_by(*order).offset(f.page * LIST_PAGE).limit(LIST_PAGE)).all()
    clocks = running_clocks(session, [c.id for c, *_ in rows])
    return [
        {
            "id": str(c.id),
            "name": name or "",
            "standard_id": sid,
            "snippet": (text or "📎").replace("\n", " ")[:80],
            "when": local(c.last_message_at, language),
            "unread": str(c.unread_count),
            "from_ad": "1" if c.source_ad_id else "",
            **clock_shown(clocks.get(c.id), language),
        }
        for c, name, sid, text in rows
    ], total


def clock_shown(clock: Clock | None, language: str) -> dict[str, str]:
    """A conversation's response-time clock for the list: "12m left" / "overdue 1h 05m" (Thai:
    "เหลือ 12 นาที" / "เกินเวลา 1 ชม. 05 นาที"), and "1" in `overdue` when it is."""
    if clock is None:
        return {"due": "", "overdue": ""}
    minutes = abs(int(clock.minutes_left))
    span = (in_language(language, f"{minutes // 60}h {minutes % 60:02d}m", f"{minutes // 60} ชม. {minutes % 60:02d} นาที") if minutes >= 60
            else in_language(language, f"{minutes}m", f"{minutes} นาที"))
    if clock.minutes_left < 0:
        return {"due": in_language(language, f"overdue {span}", f"เกินเวลา {span}"), "overdue": "1"}
    return {"due": in_language(language, f"{span} left", f"เหลือ {span}"), "overdue": ""}


def _attachments(message: Message) -> list[str]:
    return [str((a.get("payload") or {}).get("url")) for a in message.attachments if isinstance(a.get("payload"), dict) and a["payload"].get("url")]


def _who(m: Message, authors: dict[int, str], language: str) -> str:
    if m.sender_kind == "ai":  # the AI's words: sent by itself (L3) or by the person who approved the draft
        return f"AI · {authors.get(m.staff_user_id, '')}" if m.staff_user_id else "AI"
    if m.staff_user_id:
        return authors.get(m.staff_user_id, "")
    if m.sender_kind == "page_inbox":
        return in_language(language, "Facebook inbox", "กล่องข้อความ Facebook")
    return in_language(language, "Page", "เพจ") if m.sender_kind == "system" else ""


def thread(session: Session, conversation_id: int, language: str = "en") -> list[dict[str, str]]:
    """The newest messages and notes of a conversation, oldest first."""
    messages = session.exec(
        select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.sent_at).desc()).limit(THREAD_LIMIT)
    ).all()
    notes = session.exec(select(Note).where(Note.conversation_id == conversation_id).order_by(col(Note.id).desc()).limit(50)).all()
    staff_ids = {m.staff_user_id for m in messages if m.staff_user_id} | {n.author_id for n in notes if n.author_id}
    authors = dict(session.exec(select(StaffUser.id, StaffUser.display_name).where(col(StaffUser.id).in_(staff_ids))).all()) if staff_ids else {}
    items: list[tuple[datetime, dict[str, str]]] = []
    for m in messages:
        reactions = " ".join(r.get("emoji") or "" for r in m.reactions.values() if not r.get("removed"))
        items.append((m.sent_at, {
            "id": f"m{m.id}",
            "side": "in" if m.direction == Direction.INBOUND else ("ai" if m.sender_kind == "ai" else "out"),
            "who": _who(m, authors, language),
            "text": m.text or "",
            "images": " ".join(_attachments(m)),
            "when": local(m.sent_at, language),
            "tick": TICKS.get(m.status, "") if m.direction == Direction.OUTBOUND else "",
            "status": m.status,
            "reactions": reactions,
            "error": m.error or "",
        }))
    for line in activity_lines(session, conversation_id):
        items.append((line.at, {"id": f"a{line.id}", "side": "activity", "who": line.who, "text": sentence(line, language), "images": "",
                                "when": local(line.at, language), "tick": "", "status": "", "reactions": "", "error": ""}))
    for n in notes:
        items.append((n.created_at, {"id": f"n{n.id}", "side": "note", "who": authors.get(n.author_id, ""), "text": n.body,
                                      "images": "", "when": local(n.created_at, language), "tick": "", "status": "", "reactions": "", "error": ""}))
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def panel(session: Session, conversation_id: int, now: datetime | None = None, language: str = "en") -> dict[str, str]:
    """The customer side panel and the conversation's header facts."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return {}
    customer = session.get(Customer, conversation.customer_id)
    assignee = session.get(StaffUser, conversation.assignee_id) if conversation.assignee_id else None
    first_ad = session.exec(  # the referral that attributes the customer (see record_referral)
        select(AdReferral).where(AdReferral.customer_id == customer.id, AdReferral.ad_id == customer.first_ad_id).order_by(AdReferral.occurred_at, AdReferral.id).limit(1)
    ).first() if customer.first_ad_id else None
    past = session.exec(
        select(sa.func.count()).select_from(Conversation).where(Conversation.customer_id == customer.id, Conversation.id != conversation.id)
    ).one()
    current = window(conversation, now)
    left = (current.closes_at - (now or utcnow())) if current.closes_at else timedelta(0)
    hours, minutes = int(left.total_seconds() // 3600), int(left.total_seconds() % 3600 // 60)
    return {
        "id": str(conversation.id),
        "status": conversation.status,
        "name": customer.display_name or "",
        "standard_id": customer.standard_id,
        "customer_id": str(customer.id),
        "picture": customer.profile_pic_url or "",
        "lead_stage": customer.lead_stage,
        "tags": ", ".join(customer.tags),
        "assignee": assignee.display_name if assignee else "",
        "source_ad": (first_ad.context or {}).get("ad_title") or first_ad.ad_id if first_ad else "",
        "source_ad_id": first_ad.ad_id if first_ad else "",
        "past": str(past),
        "orders": _orders_line(session, customer.id, language),
        "window": current.state,
        "window_left": in_language(language, f"{hours}h {minutes:02d}m", f"{hours} ชม. {minutes:02d} นาที") if current.closes_at else "",
        "ai_paused": "1" if conversation.ai_paused else "",
        "labels": ", ".join(conversation_labels(session, conversation.id)),
    }


def _orders_line(session: Session, customer_id: int, language: str) -> str:
    """'2 orders · ฿29,900.00 paid' (Thai: '2 คำสั่งซื้อ · ชำระแล้ว ฿29,900.00') for the side
    panel, refunds subtracted; '' when none."""
    signed = sa.case((Payment.kind == PaymentKind.REFUND, -Payment.amount), else_=Payment.amount)
    orders, paid = session.execute(
        sa.select(sa.func.count(sa.distinct(Order.id)), sa.func.coalesce(sa.func.sum(signed), 0))
        .select_from(Order).outerjoin(Payment, Payment.order_id == Order.id).where(Order.customer_id == customer_id)
    ).one()
    if not orders:
        return ""
    return in_language(language, f"{orders} order{'s' if orders > 1 else ''} · {baht(paid)} paid", f"{orders} คำสั่งซื้อ · ชำระแล้ว {baht(paid)}")


def mark_read(session: Session, conversation_id: int) -> bool:
    """Clear the unread count; True if there was something unread."""
    changed = session.execute(
        sa.update(Conversation).where(Conversation.id == conversation_id, Conversation.unread_count > 0).values(unread_count=0)
    ).rowcount
    return bool(changed)


def hours_until_tomorrow_morning(now: datetime | None = None, hour: int = 9) -> int:
    """Whole hours from now until tomorrow at `hour` o'clock in the school's time zone."""
    tz = ZoneInfo(get_settings().timezone)
    local_now = (now or utcnow()).astimezone(tz)
    target = (local_now + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return max(1, round((target - local_now).total_seconds() / 3600))


def set_status(
    session: Session, conversation_id: int, status: str, snooze_hours: int = 0, by_id: int | None = None, by_label: str = "",
    now: datetime | None = None,
) -> int | None:
    """Change the status; a change leaves an activity line by `by_id` (or `by_label`), and
    resolving stops the response-time clock. Resolving also ends the conversation's measured
    period (credited to the assignee, else to `by_id`) and asks the customer for a rating when
    allowed (models/csat.py): the id of that question, for the caller to send after commit.
    Reopening starts a new period (ADR 018)."""
    now = now or utcnow()
    status = ConversationStatus(status)
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    was = conversation.status
    if conversation.status != status:
        record_activity(session, conversation_id, ActivityKind.STATUS, by_id, {"to": status.value, "from": conversation.status},
                        actor_label=by_label, at=now)
    if status == ConversationStatus.RESOLVED:
        end_wait(session, conversation_id, now, by_id)
    conversation.status = status
    conversation.snoozed_until = now + timedelta(hours=snooze_hours) if status == ConversationStatus.SNOOZED else None
    if status == ConversationStatus.RESOLVED:
        conversation.ai_paused = False  # a staff takeover lasts until the conversation is resolved
    conversation.updated_at = now
    session.add(conversation)
    session.flush()
    if status == ConversationStatus.RESOLVED and was != ConversationStatus.RESOLVED:
        agent_id = conversation.assignee_id or by_id
        record_resolved(session, conversation_id, agent_id, now)
        question = ask_csat(session, conversation_id, agent_id, now)
        return question.id if question else None
    if was == ConversationStatus.RESOLVED and status != ConversationStatus.RESOLVED:
        open_period(session, conversation_id, now, reopened=True)
    return None


def add_note(session: Session, author: StaffUser, conversation_id: int, body: str) -> None:
    body = body.strip()
    if not body:
        raise Refused("error_type_note")
    conversation = session.get(Conversation, conversation_id)
    session.add(Note(customer_id=conversation.customer_id, conversation_id=conversation_id, author_id=author.id, body=body[:5000]))


def all_labels(session: Session) -> list[dict[str, str]]:
    return [{"id": str(label.id), "name": label.name, "color": label.color} for label in session.exec(select(Label).order_by(Label.name))]


def conversation_labels(session: Session, conversation_id: int) -> list[str]:
    return list(
        session.exec(
            select(Label.name).join(ConversationLabel, ConversationLabel.label_id == Label.id).where(ConversationLabel.conversation_id == conversation_id)
        )
    )


def toggle_label(session: Session, conversation_id: int, label_name: str, by_id: int | None = None, by_label: str = "") -> bool:
    """Add the label if the conversation lacks it, else remove it; True if it is now on. Either
    way an activity line records it, by `by_id` (or `by_label`)."""
    label = session.exec(select(Label).where(Label.name == label_name)).first()
    if label is None:
        raise Refused("error_no_label", name=label_name)
    link = session.get(ConversationLabel, (conversation_id, label.id))
    record_activity(session, conversation_id, ActivityKind.LABEL, by_id, {"label": label.name, "on": not link}, actor_label=by_label)
    if link:
        session.delete(link)
        return False
    session.add(ConversationLabel(conversation_id=conversation_id, label_id=label.id))
    return True


def canned_responses(session: Session) -> list[dict[str, str]]:
    return [{"code": c.short_code, "content": c.content} for c in session.exec(select(CannedResponse).order_by(CannedResponse.short_code))]


def attention(session: Session, staff_id: int) -> dict[str, str]:
    """What should catch this staff member's eye in any tab: how many open conversations that
    are theirs or nobody's have unread messages (the tab title's count), and the newest such
    conversation (a browser notification when a new one appears)."""
    mine_or_nobodys = sa.and_(Conversation.status == ConversationStatus.OPEN,
                              sa.or_(Conversation.assignee_id == staff_id, Conversation.assignee_id.is_(None)))
    unread = session.execute(
        sa.select(sa.func.count()).select_from(Conversation).where(mine_or_nobodys, Conversation.unread_count > 0)
    ).scalar_one()
    newest = session.execute(
        sa.select(Conversation.id, Customer.display_name, Customer.standard_id)
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(mine_or_nobodys).order_by(col(Conversation.id).desc()).limit(1)
    ).first()
    return {"unread": str(unread), "newest": str(newest[0]) if newest else "0",
            "newest_name": (newest[1] or newest[2]) if newest else ""}

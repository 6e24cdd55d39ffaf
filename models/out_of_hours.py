"""The out-of-hours reply: a customer who writes while the school is closed is told, in their
language, when the school will answer — once per conversation per closed stretch, and only
while Messenger's 24-hour window is open (an automatic message has no tag to go out after it).

`queue_out_of_hours_reply` stores the reply as a pending outbound message (sender `system`: an
automatic message, not a person's answer, so it does not stop the response-time clock) and
records the stretch in `out_of_hours_reply` in the same transaction; the caller hands the
message to the existing send path after commit.
"""

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.ai_drafts import person_wrote_since
from models.base import utcnow
from models.business_hours import closed_since, next_opening
from models.customers import Customer
from models.enums import DeliveryStatus, Direction, SenderKind
from models.hours import OutOfHoursReply
from models.inbox import Conversation, Message
from models.reply_rules import window
from models.sla import calendar
from models.when import day_shown, in_bangkok

THAI = re.compile(r"[\u0E00-\u0E7F]")
LATIN = re.compile(r"[A-Za-z]")
THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
ENGLISH_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def customer_language(text: str | None, locale: str | None) -> str:
    """Thai or English for an automatic message: the script the customer wrote in, else their
    Facebook locale, else Thai (most of the school's customers)."""
    if text and THAI.search(text):
        return "th"
    if locale and locale.lower().startswith("th"):
        return "th"
    if (text and LATIN.search(text)) or locale:
        return "en"
    return "th"


def reply_text(opens: datetime | None, language: str) -> str:
    """The message: we are closed, and when we answer (Bangkok time)."""
    if opens is None:
        return ("สวัสดีค่ะ ขณะนี้ V School ปิดทำการ เจ้าหน้าที่จะตอบกลับโดยเร็วที่สุดเมื่อเปิดทำการค่ะ" if language == "th"
                else "Hello! V School is closed at the moment; we will answer as soon as we open again.")
    local = in_bangkok(opens)
    if language == "th":
        return (f"สวัสดีค่ะ ขณะนี้อยู่นอกเวลาทำการของ V School เจ้าหน้าที่จะตอบกลับตั้งแต่วัน{THAI_WEEKDAYS[local.weekday()]}ที่ "
                f"{day_shown(local.date(), 'th', year=False)} เวลา {local:%H:%M} น. ค่ะ")
    return (f"Hello! V School is closed right now. We will answer from {ENGLISH_WEEKDAYS[local.weekday()]} "
            f"{day_shown(local.date(), 'en', year=False)}, {local:%H:%M} (Bangkok time).")


def _answered(session: Session, conversation_id: int, since: datetime) -> bool:
    """A person replied after the customer's message (this job runs in the background pool and
    may come seconds after it): "we will answer when we open" would then be wrong. The
    conversation row is locked by the caller, as `queue_staff_reply` locks it, so a reply is
    either seen here or stored after this one."""
    return session.exec(select(sa.literal(1)).where(person_wrote_since(conversation_id, since))).first() is not None


def queue_out_of_hours_reply(session: Session, conversation_id: int, message_id: int, now: datetime | None = None) -> int | None:
    """If the customer's message came while the school was closed, the window is open and this
    closed stretch has not had its reply yet, and no person has answered since: store the reply
    (pending) and return its id."""
    now = now or utcnow()
    message = session.get(Message, message_id)
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if message is None or conversation is None or message.direction != Direction.INBOUND:
        return None
    cal = calendar(session)
    since = closed_since(message.sent_at, cal)
    if since is None or window(conversation, now).state != "open" or _answered(session, conversation_id, message.sent_at):
        return None
    claimed = session.execute(
        insert(OutOfHoursReply).values(conversation_id=conversation_id, closed_since=since)
        .on_conflict_do_nothing().returning(OutOfHoursReply.conversation_id)
    ).first()
    if claimed is None:
        return None  # this stretch already had its reply
    customer = session.get(Customer, conversation.customer_id)
    language = customer_language(message.text, customer.locale if customer else None)
    reply = Message(conversation_id=conversation_id, direction=Direction.OUTBOUND, sender_kind=SenderKind.SYSTEM,
                    text=reply_text(next_opening(now, cal), language), status=DeliveryStatus.PENDING, sent_at=now)
    session.add(reply)
    session.flush()
    session.execute(
        OutOfHoursReply.__table__.update()
        .where(OutOfHoursReply.conversation_id == conversation_id, OutOfHoursReply.closed_since == since)
        .values(message_id=reply.id)
    )
    conversation.last_message_at = max(conversation.last_message_at or now, now)
    session.add(conversation)
    return reply.id

"""What staff (and later the AI) may send, and when: Messenger's 24-hour window and the 7-day
HUMAN_AGENT tag. The inbox and the send actor both ask these functions."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from models.base import utcnow
from models.enums import DeliveryStatus, Direction, DraftStatus, SenderKind
from models.inbox import Conversation, Message
from models.ops import AiTask
from models.refusals import Refused
from models.report_facts import record_human_reply
from models.sla import end_wait
from models.staff import StaffUser

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
MAX_TEXT = 2000  # Messenger's limit for a text message


class ReplyRefused(Refused):
    """The reply cannot be sent; the sentence says why and what to do instead."""


@dataclass(frozen=True)
class Window:
    state: str  # open | human_agent | closed
    closes_at: datetime | None  # when the current state ends

    @property
    def messaging_type(self) -> str | None:
        return {"open": "RESPONSE", "human_agent": "MESSAGE_TAG"}.get(self.state)

    @property
    def tag(self) -> str | None:
        return "HUMAN_AGENT" if self.state == "human_agent" else None


def window(conversation: Conversation, now: datetime | None = None) -> Window:
    """Where a conversation stands: the customer's last message (or postback, ad click,
    reaction) opens 24 hours for any reply and 7 days for replies written by a person."""
    now = now or utcnow()
    last = conversation.last_inbound_at
    if last is None:
        return Window("closed", None)
    if now < last + STANDARD_WINDOW:
        return Window("open", last + STANDARD_WINDOW)
    if now < last + HUMAN_AGENT_WINDOW:
        return Window("human_agent", last + HUMAN_AGENT_WINDOW)
    return Window("closed", None)


def queue_staff_reply(session: Session, staff: StaffUser, conversation_id: int, text: str, now: datetime | None = None) -> Message:
    """Store a staff reply as pending (the send actor delivers it). A staff reply pauses the AI
    for this conversation, marks it read and closes the AI's open drafts (they answered the
    question this person just answered)."""
    now = now or utcnow()
    text = text.strip()
    if not text:
        raise ReplyRefused("error_type_reply")
    if len(text) > MAX_TEXT:
        raise ReplyRefused("error_too_long", limit=MAX_TEXT)
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise ReplyRefused("error_conversation_gone")
    if window(conversation, now).state == "closed":
        raise ReplyRefused("error_window_closed")
    message = Message(
        conversation_id=conversation.id,
        direction=Direction.OUTBOUND,
        sender_kind=SenderKind.STAFF,
        staff_user_id=staff.id,
        text=text,
        status=DeliveryStatus.PENDING,
        sent_at=now,
    )
    session.add(message)
    conversation.ai_paused = True
    conversation.unread_count = 0
    conversation.last_message_at = max(conversation.last_message_at or now, now)
    conversation.updated_at = now
    session.add(conversation)
    supersede_drafts(session, conversation.id)
    record_human_reply(session, conversation.id, staff.id, now)
    end_wait(session, conversation.id, now, staff.id)  # a person answered: the response-time clock stops
    session.flush()
    return message


def supersede_drafts(session: Session, conversation_id: int) -> None:
    """A person answered in their own words: the AI's open drafts (one per earlier customer
    message) answer what the person has now answered, and none is left to send twice."""
    session.execute(
        sa.update(AiTask)
        .where(AiTask.conversation_id == conversation_id, AiTask.draft_status == DraftStatus.OPEN)
        .values(draft_status=DraftStatus.SUPERSEDED)
    )

"""Customer satisfaction (CSAT): one question when a conversation is resolved, answered with a
Messenger quick reply (1–5), and an optional comment in the customer's next message.

Asked at most once per conversation (the survey row is unique per conversation) and only while
Messenger's 24-hour window is open: no message tag covers surveys, so outside the window nothing
is sent and nothing is recorded. The tap carries the conversation in its payload, so the answer
lands on the resolved conversation without reopening it (or starting a new one), and never
wakes the AI.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, Session, SQLModel, col, select

from models.ai_rules import detect_language
from models.base import timestamp, utcnow
from models.customers import Customer
from models.enums import ConversationStatus, DeliveryStatus, Direction, SenderKind
from models.inbox import Conversation, Message
from models.reply_rules import window

PAYLOAD_PREFIX = "CSAT:"
COMMENT_WITHIN = timedelta(minutes=30)  # a text this soon after the score is its comment
SCORES = (1, 2, 3, 4, 5)

QUESTION = {
    "th": "ขอบคุณที่ติดต่อ V School ค่ะ 🙏 ความพึงพอใจต่อการดูแลครั้งนี้เป็นอย่างไรคะ (1 = ไม่พอใจ, 5 = พอใจมาก)",
    "en": "Thank you for contacting V School 🙏 How satisfied were you with our help? (1 = not at all, 5 = very)",
}
THANKS = {
    "th": "ขอบคุณสำหรับคะแนนค่ะ ถ้าอยากเล่าเพิ่มเติม พิมพ์ข้อความถัดไปได้เลยนะคะ (ไม่บังคับ)",
    "en": "Thank you for your rating! If you'd like to tell us more, just write it in your next message (optional).",
}
SCORE_TITLES = {
    "th": {1: "1 😞", 2: "2 🙁", 3: "3 😐", 4: "4 🙂", 5: "5 😍"},
    "en": {1: "1 😞", 2: "2 🙁", 3: "3 😐", 4: "4 🙂", 5: "5 😍"},
}


class CsatSurvey(SQLModel, table=True):
    """The one satisfaction question of a resolved conversation, and its answer."""

    __tablename__ = "csat_survey"
    __table_args__ = (
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score_valid"),
        sa.Index("ix_csat_survey_answered_at", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE", sa_column_kwargs={"unique": True})
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")  # the question
    agent_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")  # who is rated
    language: str = Field(max_length=8)
    asked_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    score: int | None = Field(default=None)
    answered_at: datetime | None = timestamp()
    comment: str | None = Field(default=None, sa_type=sa.Text)
    commented_at: datetime | None = timestamp()


def customer_language(session: Session, conversation: Conversation) -> str:
    """The customer's language: their Messenger locale, else the script of what they wrote."""
    locale = session.exec(select(Customer.locale).where(Customer.id == conversation.customer_id)).first() or ""
    if locale[:2] in ("th", "en"):
        return locale[:2]
    said = session.exec(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.direction == Direction.INBOUND, Message.text.is_not(None))
        .order_by(col(Message.sent_at).desc())
        .limit(1)
    ).first()
    return detect_language(said, default="th") if said else "th"


def payload(conversation_id: int, score: int) -> str:
    return f"{PAYLOAD_PREFIX}{conversation_id}:{score}"


def parse_payload(value: str | None) -> tuple[int, int] | None:
    """(conversation id, score) from a quick reply's payload, or None if it is not ours."""
    if not value or not value.startswith(PAYLOAD_PREFIX):
        return None
    parts = value[len(PAYLOAD_PREFIX):].split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[1]) not in SCORES:
        return None
    return int(parts[0]), int(parts[1])


def _automated(session: Session, conversation: Conversation, text: str, now: datetime, quick_replies: list[dict] | None = None) -> Message:
    message = Message(
        conversation_id=conversation.id,
        direction=Direction.OUTBOUND,
        sender_kind=SenderKind.SYSTEM,
        text=text,
        attachments=[{"type": "quick_replies", "quick_replies": quick_replies}] if quick_replies else [],
        status=DeliveryStatus.PENDING,
        sent_at=now,
    )
    session.add(message)
    session.flush()
    return message


_NEW_SURVEY = insert(CsatSurvey).on_conflict_do_nothing(index_elements=["conversation_id"]).returning(CsatSurvey.id)


def ask(session: Session, conversation_id: int, agent_id: int | None = None, now: datetime | None = None) -> Message | None:
    """Ask a resolved conversation's customer for a rating: the question to send, or None when
    it was asked before, the conversation is not resolved, or the 24-hour window is closed."""
    now = now or utcnow()
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None or conversation.status != ConversationStatus.RESOLVED or window(conversation, now).state != "open":
        return None
    language = customer_language(session, conversation)
    survey_id = session.execute(
        _NEW_SURVEY.values(conversation_id=conversation_id, agent_id=agent_id or conversation.assignee_id, language=language, asked_at=now)
    ).scalar()
    if survey_id is None:
        return None
    titles = SCORE_TITLES[language]
    choices = [{"content_type": "text", "title": titles[s], "payload": payload(conversation_id, s)} for s in SCORES]
    question = _automated(session, conversation, QUESTION[language], now, choices)
    session.execute(sa.update(CsatSurvey).where(CsatSurvey.id == survey_id).values(message_id=question.id))
    return question


def _survey_of(session: Session, customer_id: int, conversation_id: int) -> tuple[CsatSurvey, Conversation] | None:
    found = session.exec(
        select(CsatSurvey, Conversation)
        .join(Conversation, Conversation.id == CsatSurvey.conversation_id)
        .where(CsatSurvey.conversation_id == conversation_id, Conversation.customer_id == customer_id)
        .with_for_update(of=CsatSurvey)
    ).first()
    return tuple(found) if found else None


def survey_reply(session: Session, customer_id: int, quick_reply: str | None, text: str | None, when: datetime) -> tuple[Conversation, str] | None:
    """Where a customer message goes when it answers a survey: the surveyed conversation and
    "score", "comment" or "repeat" (a second tap: it lands there, the first score stands),
    recording it; None for any other message."""
    parsed = parse_payload(quick_reply)
    if parsed is not None:
        found = _survey_of(session, customer_id, parsed[0])
        if found is None:
            return None
        survey, conversation = found
        if survey.score is not None:
            return conversation, "repeat"
        survey.score, survey.answered_at = parsed[1], when
        session.add(survey)
        return conversation, "score"
    if not (text or "").strip():
        return None
    latest = session.exec(
        select(CsatSurvey.conversation_id)
        .join(Conversation, Conversation.id == CsatSurvey.conversation_id)
        .where(Conversation.customer_id == customer_id)
        .order_by(col(CsatSurvey.id).desc())
        .limit(1)
    ).first()
    found = _survey_of(session, customer_id, latest) if latest else None
    if found is None:
        return None
    survey, conversation = found
    waiting = survey.answered_at is not None and survey.comment is None and when - survey.answered_at <= COMMENT_WITHIN
    if not waiting or conversation.status != ConversationStatus.RESOLVED or _newer_conversation(session, conversation):
        return None
    survey.comment, survey.commented_at = text.strip()[:2000], when
    session.add(survey)
    return conversation, "comment"


def _newer_conversation(session: Session, conversation: Conversation) -> bool:
    return session.exec(
        select(Conversation.id).where(Conversation.customer_id == conversation.customer_id, Conversation.id > conversation.id).limit(1)
    ).first() is not None


def thank(session: Session, conversation: Conversation, when: datetime) -> Message:
    """The thank-you after a score, inviting the optional comment."""
    survey = session.exec(select(CsatSurvey).where(CsatSurvey.conversation_id == conversation.id)).one()
    return _automated(session, conversation, THANKS.get(survey.language, THANKS["th"]), when)

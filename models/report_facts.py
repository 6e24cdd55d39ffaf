"""The facts the team reports read, written when they happen (ADR 018).

A conversation is measured in *periods*: the first starts when the conversation is created, and
each reopening starts another. A period records its first human reply (staff, a person in Meta's
Page inbox, or an AI draft a person approved — never an AI auto-reply or an automated message)
and its resolution, each with the business minutes since the period started. AI outcomes get a
row of their own, because AI tasks themselves are pruned to the newest hundred. Writing these at
the moment they happen keeps the reports to indexed range reads, whatever the history's size.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, Session, SQLModel

from models.base import timestamp, utcnow
from models.business_hours import business_minutes as calendar_minutes
from models.business_hours import is_open, load_calendar
from models.inbox import Conversation
from models.settings import get_settings


class ConversationPeriod(SQLModel, table=True):
    """One measured stretch of a conversation: from its start (or reopening) to its resolution."""

    __tablename__ = "conversation_period"
    __table_args__ = (
        sa.Index("ix_conversation_period_started_at", "started_at"),
        sa.Index("ix_conversation_period_first_response_at", "first_response_at"),
        sa.Index("ix_conversation_period_resolved_at", "resolved_at"),
        sa.Index("ix_conversation_period_open", "conversation_id", postgresql_where=sa.text("resolved_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    reopened: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    first_response_at: datetime | None = timestamp()
    first_responder_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    first_response_min: float | None = Field(default=None)  # business minutes from the start
    resolved_at: datetime | None = timestamp()
    agent_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")  # assignee (else resolver)
    resolution_min: float | None = Field(default=None)  # business minutes from the start
    # The conversation's dimensions as of the period's latest fact, and the local weekday × hour
    # it started in: the reports read this table alone (ADR 018).
    channel: str = Field(default="facebook", max_length=24)
    team_id: int | None = Field(default=None)
    source_ad_id: str | None = Field(default=None, max_length=40)
    started_slot: int = Field(default=0)  # weekday (0 = Monday) × 24 + hour, Asia/Bangkok


class AiOutcomeFact(SQLModel, table=True):
    """What became of one AI task, kept after the task itself is pruned."""

    __tablename__ = "ai_outcome_fact"
    __table_args__ = (sa.Index("ix_ai_outcome_fact_at", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    task_id: int = Field(sa_column_kwargs={"unique": True})  # no foreign key: tasks are pruned
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", ondelete="SET NULL")
    outcome: str = Field(max_length=24)  # see AI_OUTCOMES
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))


AI_OUTCOMES = ("auto_sent", "draft_sent", "draft_edited", "handed_off")

def business_minutes(session: Session, start: datetime, end: datetime) -> float:
    """Minutes the school was open between two moments, on its calendar as it stands now."""
    return calendar_minutes(start, end, load_calendar(session))


def school_open(session: Session, at: datetime) -> bool:
    """Whether the school was open at that moment (the automation rules' hours condition)."""
    return is_open(at, load_calendar(session))


_OPEN_PERIOD = sa.select(ConversationPeriod).where(
    ConversationPeriod.conversation_id == sa.bindparam("conversation_id"), ConversationPeriod.resolved_at.is_(None)
)


def slot(at: datetime) -> int:
    """The local weekday × hour an instant falls in (the reports' heat map)."""
    local = at.astimezone(ZoneInfo(get_settings().timezone))
    return local.weekday() * 24 + local.hour


def _stamp(session: Session, period: ConversationPeriod) -> None:
    conversation = session.get(Conversation, period.conversation_id)
    if conversation is not None:
        period.channel, period.team_id, period.source_ad_id = conversation.channel, conversation.team_id, conversation.source_ad_id


def open_period(session: Session, conversation_id: int, at: datetime, reopened: bool = False) -> None:
    """A conversation was created (or reopened): a new period starts, unless one is open."""
    if session.execute(_OPEN_PERIOD, {"conversation_id": conversation_id}).first() is None:
        period = ConversationPeriod(conversation_id=conversation_id, started_at=at, reopened=reopened, started_slot=slot(at))
        _stamp(session, period)
        session.add(period)
        session.flush()


def record_human_reply(session: Session, conversation_id: int, staff_id: int | None, at: datetime) -> None:
    """A person answered: the open period's first response, if it has none yet."""
    period = session.execute(_OPEN_PERIOD.with_for_update(), {"conversation_id": conversation_id}).scalars().first()
    if period is None or period.first_response_at is not None or at < period.started_at:
        return
    period.first_response_at, period.first_responder_id = at, staff_id
    period.first_response_min = business_minutes(session, period.started_at, at)
    _stamp(session, period)
    session.add(period)


def record_resolved(session: Session, conversation_id: int, agent_id: int | None, at: datetime | None = None) -> None:
    """The conversation was resolved: its open period ends, credited to `agent_id`."""
    at = at or utcnow()
    period = session.execute(_OPEN_PERIOD.with_for_update(), {"conversation_id": conversation_id}).scalars().first()
    if period is None:
        return
    period.resolved_at, period.agent_id = max(at, period.started_at), agent_id
    period.resolution_min = business_minutes(session, period.started_at, period.resolved_at)
    _stamp(session, period)
    session.add(period)


_NEW_OUTCOME = insert(AiOutcomeFact).on_conflict_do_nothing(index_elements=["task_id"])


def record_ai_outcome(session: Session, task_id: int, conversation_id: int | None, outcome: str, at: datetime | None = None) -> None:
    """What became of an AI task (once per task)."""
    if outcome not in AI_OUTCOMES:
        raise ValueError(f"not an AI outcome: {outcome}")
    session.execute(_NEW_OUTCOME.values(task_id=task_id, conversation_id=conversation_id, outcome=outcome, at=at or utcnow()))

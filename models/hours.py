"""The school's calendar and its response-time promises, as tables: opening periods per
weekday (the gaps between them are breaks), public holidays, one-off closures, the SLA targets,
each customer wait that a reply ends, and the out-of-hours replies already sent. The arithmetic
over them is models/business_hours.py."""

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, timestamp


class OpeningPeriod(SQLModel, table=True):
    """One stretch of a weekday the school answers (0 = Monday … 6 = Sunday, Bangkok time);
    a day with two periods has a break between them, a day with none is closed."""

    __tablename__ = "opening_period"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        sa.CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    weekday: int = Field(index=True)
    opens: time = Field(sa_type=sa.Time)
    closes: time = Field(sa_type=sa.Time)


class Holiday(SQLModel, table=True):
    """A day the school is closed all day (Thai public holidays, seeded; admins edit the list)."""

    __tablename__ = "holiday"

    day: date = Field(primary_key=True, sa_type=sa.Date)
    name_en: str = Field(max_length=120)
    name_th: str = Field(max_length=120)


class Closure(SQLModel, table=True):
    """A one-off closed stretch (a staff outing, a move); instants in UTC."""

    __tablename__ = "closure"
    __table_args__ = (sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),)

    id: int | None = Field(default=None, primary_key=True)
    starts_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    ends_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    note: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")


class SlaTarget(SQLModel, table=True):
    """How many business minutes a reply may take: `first_response` (a new conversation) and
    `next_response` (the customer wrote again after an answer)."""

    __tablename__ = "sla_target"
    __table_args__ = (sa.CheckConstraint("kind IN ('first_response', 'next_response')", name="kind_valid"),)

    kind: str = Field(primary_key=True, max_length=24)
    minutes: int
    updated_at: datetime = auto_now()
    updated_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")


class ResponseWait(SQLModel, table=True):
    """One customer wait: from the first unanswered customer message to the reply that ended
    it (a person's, not the AI's or an automatic one). `due_at` is `started_at` plus the target
    in business minutes; a wait answered after it, or still open past it, is a breach."""

    __tablename__ = "response_wait"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('first_response', 'next_response')", name="kind_valid"),
        sa.Index("ix_response_wait_open", "conversation_id", unique=True, postgresql_where=sa.text("answered_at IS NULL")),
        sa.Index("ix_response_wait_started_at", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    kind: str = Field(max_length=24)
    started_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    answered_at: datetime | None = timestamp()
    answered_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    business_minutes: float | None = Field(default=None)  # how long it took, in business minutes


class OutOfHoursReply(SQLModel, table=True):
    """The out-of-hours reply a conversation got in one closed period (named by when that
    period began): the primary key makes it once per conversation per closed period."""

    __tablename__ = "out_of_hours_reply"

    conversation_id: int = Field(foreign_key="conversation.id", primary_key=True, ondelete="CASCADE")
    closed_since: datetime = Field(primary_key=True, sa_type=sa.DateTime(timezone=True))
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    created_at: datetime = auto_now()

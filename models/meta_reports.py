"""What the school tells Meta, and what Meta lets it send: utility message templates (synced
from the Page's template library), reminders sent at most once per order, kind and round, and
conversion events (the outbox of the Conversions API for business messaging). ADR 016."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, one_of, timestamp


class TemplateStatus(StrEnum):
    """Meta's review states of a message template."""

    APPROVED = "APPROVED"
    PENDING = "PENDING"
    REJECTED = "REJECTED"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"


class ReminderKind(StrEnum):
    CLASS_STARTS = "class_starts"  # the round starts in a few days
    BALANCE_DUE = "balance_due"  # money is still owed and the round starts in a week
    ROUND_CANCELLED = "round_cancelled"
    ROUND_MOVED = "round_moved"


class ReminderStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    NOT_SENT = "not_sent"  # could not be sent; `reason` says why (staff read it on the timeline)


class ReportStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # Meta refused it for good (a bad request or token); `error` says why


class MessageTemplate(SQLModel, table=True):
    """One utility template of the Page's library as Meta last reported it."""

    __tablename__ = "message_template"
    __table_args__ = (one_of("status", TemplateStatus), sa.UniqueConstraint("name", "language", name="uq_message_template_name_language"))

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=512)
    language: str = Field(max_length=16)
    category: str = Field(default="UTILITY", max_length=24)
    status: str = choice(TemplateStatus, default=TemplateStatus.PENDING)
    meta_id: str | None = Field(default=None, max_length=64)
    body: str = Field(default="", sa_type=sa.Text)
    synced_at: datetime = auto_now()


class Reminder(SQLModel, table=True):
    """A reminder for one order: sent once (the unique key), or not sent with the reason."""

    __tablename__ = "reminder"
    __table_args__ = (
        one_of("kind", ReminderKind),
        one_of("status", ReminderStatus),
        sa.UniqueConstraint("order_id", "kind", "subject", name="uq_reminder_order_kind_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    kind: str = choice(ReminderKind, default=ReminderKind.CLASS_STARTS)
    subject: str = Field(default="", max_length=40)  # the round it is about ('' when none)
    starts_on: date | None = Field(default=None)  # the class day the reminder speaks of
    status: str = choice(ReminderStatus, default=ReminderStatus.QUEUED, index=True)
    messaging_type: str | None = Field(default=None, max_length=20)  # UPDATE inside the window, UTILITY outside
    template_name: str | None = Field(default=None, max_length=512)
    reason: str | None = Field(default=None, max_length=60)  # an i18n key: why it was not sent
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    created_at: datetime = auto_now()
    sent_at: datetime | None = timestamp()


class ConversionEvent(SQLModel, table=True):
    """One event for the Page's dataset, written in the transaction of the change it reports
    and sent once (Meta does not deduplicate): `key` names the change, `event_id` is ours."""

    __tablename__ = "conversion_event"
    __table_args__ = (
        one_of("status", ReportStatus),
        sa.Index("ix_conversion_event_queued", "next_try_at", postgresql_where=sa.text("status = 'queued'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, sa_column_kwargs={"unique": True})  # e.g. Purchase:order:12
    event_id: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    event_name: str = Field(max_length=40)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True, ondelete="SET NULL")
    ad_id: str | None = Field(default=None, max_length=40, index=True)
    page_id: str = Field(max_length=40)
    psid: str = Field(max_length=64)
    value: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 2))
    currency: str | None = Field(default=None, max_length=3)
    event_time: datetime = Field(sa_type=sa.DateTime(timezone=True))
    status: str = choice(ReportStatus, default=ReportStatus.QUEUED)
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, sa_type=sa.Text)
    next_try_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_at: datetime = auto_now()
    sent_at: datetime | None = timestamp()

"""Conversations, messages, labels and canned responses; the durable in/out boxes of the
Messenger channel (every webhook event as received, every Send API call we make)."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, json_field, one_of, timestamp
from models.enums import (
    Channel,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    SenderKind,
    SendStatus,
)


class Conversation(SQLModel, table=True):
    __tablename__ = "conversation"
    __table_args__ = (
        one_of("status", ConversationStatus),
        one_of("channel", Channel),
        sa.Index("ix_conversation_status_last_message_at", "status", sa.text("last_message_at DESC")),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    channel: str = choice(Channel, default=Channel.FACEBOOK)
    page_id: str = Field(max_length=40)
    status: str = choice(ConversationStatus, default=ConversationStatus.OPEN)
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True, ondelete="SET NULL")
    snoozed_until: datetime | None = timestamp()
    last_message_at: datetime | None = timestamp()
    last_inbound_at: datetime | None = timestamp()  # opens the 24-hour window
    unread_count: int = Field(default=0)
    source_ad_id: str | None = Field(default=None, max_length=40, index=True)
    ai_paused: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    autonomy_level: int | None = Field(default=None)  # None: the global level
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True, ondelete="SET NULL")  # models/assignment.py
    assigned_at: datetime | None = timestamp()  # when the current assignee got it
    auto_assigned: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # by round-robin, not a person
    created_at: datetime = auto_now()
    updated_at: datetime = auto_now()


class Message(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (
        one_of("direction", Direction),
        one_of("sender_kind", SenderKind),
        one_of("status", DeliveryStatus),
        sa.Index("ix_message_conversation_id_sent_at", "conversation_id", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    direction: str = choice(Direction)
    sender_kind: str = choice(SenderKind)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    mid: str | None = Field(default=None, max_length=200, sa_column_kwargs={"unique": True})
    text: str | None = Field(default=None, sa_type=sa.Text)
    attachments: list[dict[str, Any]] = json_field(list)
    reply_to_mid: str | None = Field(default=None, max_length=200)
    quick_reply_payload: str | None = Field(default=None, max_length=1000)
    reactions: dict[str, Any] = json_field()
    status: str = choice(DeliveryStatus, default=DeliveryStatus.SENT)
    error: str | None = Field(default=None, sa_type=sa.Text)
    sent_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_at: datetime = auto_now()


class InboundEvent(SQLModel, table=True):
    """One webhook event exactly as Meta sent it, stored before the webhook answers 200. One that
    cannot be applied is set aside for an admin, never deleted (models/set_aside.py)."""

    __tablename__ = "inbound_event"
    __table_args__ = (
        sa.Index(
            "ix_inbound_event_unprocessed",
            "received_at",
            postgresql_where=sa.text("processed_at IS NULL"),
        ),
        sa.Index(  # the admin list and the /metrics gauge: few rows, read often
            "ix_inbound_event_set_aside",
            "set_aside_at",
            postgresql_where=sa.text("set_aside_at IS NOT NULL AND discarded_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    dedupe_key: str = Field(max_length=300, sa_column_kwargs={"unique": True})
    channel: str = Field(default="facebook", max_length=24, sa_column_kwargs={"server_default": "facebook"})
    page_id: str | None = Field(default=None, max_length=40)
    sender_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=40)
    standby: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    payload: dict[str, Any] = json_field()
    event_time: datetime | None = timestamp()
    received_at: datetime = auto_now()
    processed_at: datetime | None = timestamp()
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, sa_type=sa.Text)  # the last failure's reason (models/set_aside.py)
    last_attempt_at: datetime | None = timestamp()  # the last failed attempt
    set_aside_at: datetime | None = timestamp()  # it cannot be applied as it is: an admin retries or discards it
    discarded_at: datetime | None = timestamp()  # an admin gave up on it (the row is kept)


class OutboundSend(SQLModel, table=True):
    """One call we make to the Send API. The idempotency key makes a retried actor send once."""

    __tablename__ = "outbound_send"
    __table_args__ = (one_of("status", SendStatus),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    idempotency_key: str = Field(max_length=300, sa_column_kwargs={"unique": True})
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True, ondelete="SET NULL")
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    recipient_id: str = Field(max_length=64)
    request: dict[str, Any] = json_field()
    messaging_type: str | None = Field(default=None, max_length=20)
    tag: str | None = Field(default=None, max_length=40)
    status: str = choice(SendStatus, default=SendStatus.QUEUED)
    meta_message_id: str | None = Field(default=None, max_length=200)
    error_code: int | None = Field(default=None)
    error_subcode: int | None = Field(default=None)
    error_message: str | None = Field(default=None, sa_type=sa.Text)
    attempts: int = Field(default=0)
    created_at: datetime = auto_now()
    sent_at: datetime | None = timestamp()


class Label(SQLModel, table=True):
    __tablename__ = "label"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    color: str = Field(default="gray", max_length=20)


class ConversationLabel(SQLModel, table=True):
    __tablename__ = "conversation_label"

    conversation_id: int = Field(foreign_key="conversation.id", primary_key=True, ondelete="CASCADE")
    label_id: int = Field(foreign_key="label.id", primary_key=True, ondelete="CASCADE")


class CannedResponse(SQLModel, table=True):
    """A saved reply staff insert by typing `/short_code` in the composer."""

    __tablename__ = "canned_response"

    id: int | None = Field(default=None, primary_key=True)
    short_code: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    content: str = Field(sa_type=sa.Text)
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    created_at: datetime = auto_now()

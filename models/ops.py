"""What the school's operations need to look back on: AI tasks, the audit trail, incidents,
integrity findings, and runtime settings that admins change from the UI."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, json_field, one_of, timestamp
from models.enums import AiOutcome, DraftStatus, IncidentStatus, Severity


class Incident(SQLModel, table=True):
    __tablename__ = "incident"
    __table_args__ = (one_of("status", IncidentStatus), one_of("severity", Severity))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    title: str = Field(max_length=300)
    summary: str | None = Field(default=None, sa_type=sa.Text)
    severity: str = choice(Severity, default=Severity.MEDIUM)
    status: str = choice(IncidentStatus, default=IncidentStatus.OPEN, index=True)
    postmortem_path: str | None = Field(default=None, max_length=500)
    opened_at: datetime = auto_now()
    closed_at: datetime | None = timestamp()


class AiTask(SQLModel, table=True):
    """One run of the reply pipeline. The newest 100 are kept, and any tied to an incident.

    One task per inbound customer message (`message_id`, unique: the actor runs once per
    message). A draft or suggestion lives here until staff send or discard it (`draft_status`);
    the reply it became, AI-sent or staff-sent, is `reply_message_id`."""

    __tablename__ = "ai_task"
    __table_args__ = (one_of("outcome", AiOutcome), one_of("draft_status", DraftStatus))

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True, ondelete="SET NULL")
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL", sa_column_kwargs={"unique": True})
    prompt: str = Field(sa_type=sa.Text)
    sources: list[dict[str, Any]] = json_field(list)
    answer: str | None = Field(default=None, sa_type=sa.Text)
    model: str = Field(max_length=80)
    confidence: float | None = Field(default=None)
    latency_ms: int | None = Field(default=None)
    outcome: str = choice(AiOutcome)
    reason: str | None = Field(default=None, max_length=500)  # in English, as recorded
    reason_sentence: dict[str, Any] | None = Field(default=None, sa_type=JSONB)  # its key and values: shown in Thai too
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True, ondelete="SET NULL")
    draft_status: str | None = Field(default=None, sa_type=sa.String(24))
    reply_message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    autonomy_level: int | None = Field(default=None)  # the level the pipeline acted at
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = auto_now()


class AuditEntry(SQLModel, table=True):
    """Who did what to which thing, and when. Written in the same transaction as the action."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_at", sa.text("at DESC")),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    at: datetime = auto_now()
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True, ondelete="SET NULL")
    actor_label: str = Field(max_length=254)  # e-mail or "system"; kept when the user is gone
    action: str = Field(max_length=80)
    target_type: str | None = Field(default=None, max_length=60)
    target_id: str | None = Field(default=None, max_length=80)
    detail: dict[str, Any] = json_field()


class IntegrityFinding(SQLModel, table=True):
    __tablename__ = "integrity_finding"

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=80, index=True)
    target_type: str = Field(max_length=60)
    target_id: str = Field(max_length=80)
    detail: dict[str, Any] = json_field()
    incident_id: int | None = Field(default=None, foreign_key="incident.id", ondelete="SET NULL")
    found_at: datetime = auto_now()
    resolved_at: datetime | None = timestamp()


class AppSetting(SQLModel, table=True):
    """A runtime setting admins change from the UI (e.g. the global AI autonomy level)."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=80)
    value: Any = Field(default=None, sa_type=sa.dialects.postgresql.JSONB)
    updated_at: datetime = auto_now()
    updated_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")

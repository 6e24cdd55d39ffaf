"""Teams, availability, business hours, holidays, closures, SLA targets, activity lines

Issue 16a: conversations can be handed to a person or a team (conversation.team_id,
assigned_at, auto_assigned), every change leaves a conversation_activity line, staff_presence
holds each person's heartbeat, away flag and open-conversation cap, and the school's calendar
(opening_period, holiday — seeded with the Thai public holidays of 2026–2027 —, closure) with
the response-time targets (sla_target), the customer waits they measure (response_wait) and
the out-of-hours replies already sent (out_of_hours_reply).

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-07 03:10:00
"""

from collections.abc import Sequence
from datetime import time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from alembic import op
from models.thai_holidays import DEFAULT_SLA_MINUTES, DEFAULT_WEEK, holiday_rows

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def _staff_fk(name: str = "updated_by_id") -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True)


def _teams() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False, unique=True),
        sa.Column("name_th", sa.String(60), nullable=False, server_default=""),
        sa.Column("auto_assign", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("receives_new", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("offer_minutes", sa.Integer(), nullable=False, server_default="10"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "team_member",
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("last_offered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "staff_presence",
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("away", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_cap", sa.Integer(), nullable=False, server_default="10"),
    )
    op.add_column("conversation", sa.Column("team_id", sa.Integer(), sa.ForeignKey("team.id", ondelete="SET NULL"), nullable=True))
    op.create_index("ix_conversation_team_id", "conversation", ["team_id"])
    op.add_column("conversation", sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("conversation", sa.Column("auto_assigned", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "conversation_activity",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("actor_label", sa.String(120), nullable=False),
        sa.Column("detail", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint("kind IN ('status', 'assignment', 'label', 'ai_level', 'rule')", name=op.f("ck_conversation_activity_kind_valid")),
    )
    op.create_index("ix_conversation_activity_conversation_id_at", "conversation_activity", ["conversation_id", "at"])


def _calendar() -> None:
    periods = op.create_table(
        "opening_period",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_opening_period_weekday_valid")),
        sa.CheckConstraint("opens < closes", name=op.f("ck_opening_period_opens_before_closes")),
    )
    op.create_index("ix_opening_period_weekday", "opening_period", ["weekday"])
    holidays = op.create_table(
        "holiday",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("name_en", sa.String(120), nullable=False),
        sa.Column("name_th", sa.String(120), nullable=False),
    )
    op.create_table(
        "closure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        _staff_fk("created_by_id"),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_closure_starts_before_ends")),
    )
    op.bulk_insert(periods, [{"weekday": d, "opens": time.fromisoformat(o), "closes": time.fromisoformat(c)} for d, o, c in DEFAULT_WEEK])
    op.bulk_insert(holidays, holiday_rows())


def _sla() -> None:
    targets = op.create_table(
        "sla_target",
        sa.Column("kind", sa.String(24), primary_key=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        _staff_fk(),
        sa.CheckConstraint("kind IN ('first_response', 'next_response')", name=op.f("ck_sla_target_kind_valid")),
    )
    op.bulk_insert(targets, [{"kind": k, "minutes": m} for k, m in DEFAULT_SLA_MINUTES.items()])
    op.create_table(
        "response_wait",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("business_minutes", sa.Float(), nullable=True),
        sa.CheckConstraint("kind IN ('first_response', 'next_response')", name=op.f("ck_response_wait_kind_valid")),
    )
    op.create_index("ix_response_wait_open", "response_wait", ["conversation_id"], unique=True,
                    postgresql_where=sa.text("answered_at IS NULL"))
    op.create_index("ix_response_wait_started_at", "response_wait", ["started_at"])
    op.create_table(
        "out_of_hours_reply",
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("closed_since", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("message.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )


def upgrade() -> None:
    _teams()
    _calendar()
    _sla()


def downgrade() -> None:
    for table in ("out_of_hours_reply", "response_wait", "sla_target", "closure", "holiday", "opening_period",
                  "conversation_activity", "staff_presence", "team_member"):
        op.drop_table(table)
    op.drop_index("ix_conversation_team_id", "conversation")
    for column in ("auto_assigned", "assigned_at", "team_id"):
        op.drop_column("conversation", column)
    op.drop_table("team")

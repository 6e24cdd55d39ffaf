"""Team reports, satisfaction and automation rules (issue 16, part b; ADR 018)

- conversation_period: a conversation's measured stretches (start or reopening → resolution)
  with the first human reply and the business minutes, written when they happen;
- ai_outcome_fact: what became of each AI task, kept after the task is pruned;
- csat_survey: the one satisfaction question per resolved conversation and its answer;
- automation_rule / automation_run: the admin's rules and every run of one on a trigger.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _staff(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True)


def _conversation(ondelete: str = "CASCADE", nullable: bool = False) -> sa.Column:
    return sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "conversation_period",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        _conversation(),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("reopened", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("first_response_at", TZ, nullable=True),
        _staff("first_responder_id"),
        sa.Column("first_response_min", sa.Float(), nullable=True),
        sa.Column("resolved_at", TZ, nullable=True),
        _staff("agent_id"),
        sa.Column("resolution_min", sa.Float(), nullable=True),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("source_ad_id", sa.String(length=40), nullable=True),
        sa.Column("started_slot", sa.Integer(), nullable=False),
    )
    op.create_index("ix_conversation_period_conversation_id", "conversation_period", ["conversation_id"])
    op.create_index("ix_conversation_period_started_at", "conversation_period", ["started_at"])
    op.create_index("ix_conversation_period_first_response_at", "conversation_period", ["first_response_at"])
    op.create_index("ix_conversation_period_resolved_at", "conversation_period", ["resolved_at"])
    op.create_index("ix_conversation_period_open", "conversation_period", ["conversation_id"], postgresql_where=sa.text("resolved_at IS NULL"))

    op.create_table(
        "ai_outcome_fact",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("task_id", sa.Integer(), nullable=False, unique=True),
        _conversation("SET NULL", nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_ai_outcome_fact_at", "ai_outcome_fact", ["at"])

    op.create_table(
        "csat_survey",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("message.id", ondelete="SET NULL"), nullable=True),
        _staff("agent_id"),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("asked_at", TZ, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answered_at", TZ, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("commented_at", TZ, nullable=True),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score_valid"),
    )
    op.create_index("ix_csat_survey_answered_at", "csat_survey", ["answered_at"])

    op.create_table(
        "automation_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("trigger", sa.String(length=24), nullable=False),
        sa.Column("conditions", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("actions", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("trigger IN ('conversation_created', 'message_received')", name="trigger_valid"),
    )
    op.create_table(
        "automation_run",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("rule_id", sa.Integer(), sa.ForeignKey("automation_rule.id", ondelete="CASCADE"), nullable=False),
        _conversation(),
        sa.Column("trigger_key", sa.String(length=60), nullable=False),
        sa.Column("done", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("ran_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("rule_id", "trigger_key"),
    )
    op.create_index("ix_automation_run_conversation_id", "automation_run", ["conversation_id"])


def downgrade() -> None:
    for table in ("automation_run", "automation_rule", "csat_survey", "ai_outcome_fact", "conversation_period"):
        op.drop_table(table)

"""message_template, reminder, conversion_event: reminders Meta accepts, enrolments back to Meta

Utility templates as Meta last reported them, reminders sent at most once per order, kind and
round (the unique key), and the outbox of Conversions API events (one row per reported change,
written with the change; ADR 016).

Revision ID: 0014
Revises: 0013 (after merging issue-14a; the integrator re-chains)
Create Date: 2026-12-07 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString


def _now() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _STR(length=512), nullable=False),
        sa.Column("language", _STR(length=16), nullable=False),
        sa.Column("category", _STR(length=24), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("meta_id", _STR(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED')", name=op.f("ck_message_template_status_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template")),
        sa.UniqueConstraint("name", "language", name="uq_message_template_name_language"),
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", _STR(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("messaging_type", _STR(length=20), nullable=True),
        sa.Column("template_name", _STR(length=512), nullable=True),
        sa.Column("reason", _STR(length=60), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        _now(),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('class_starts', 'balance_due', 'round_cancelled', 'round_moved')", name=op.f("ck_reminder_kind_valid")),
        sa.CheckConstraint("status IN ('queued', 'sent', 'not_sent')", name=op.f("ck_reminder_status_valid")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_reminder_order_id_orders"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_reminder_customer_id_customer"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], name=op.f("fk_reminder_message_id_message"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("order_id", "kind", "subject", name="uq_reminder_order_kind_subject"),
    )
    op.create_index(op.f("ix_reminder_order_id"), "reminder", ["order_id"])
    op.create_index(op.f("ix_reminder_customer_id"), "reminder", ["customer_id"])
    op.create_index(op.f("ix_reminder_status"), "reminder", ["status"])
    op.create_table(
        "conversion_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _STR(length=120), nullable=False),
        sa.Column("event_id", _STR(length=64), nullable=False),
        sa.Column("event_name", _STR(length=40), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("ad_id", _STR(length=40), nullable=True),
        sa.Column("page_id", _STR(length=40), nullable=False),
        sa.Column("psid", _STR(length=64), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=True),
        sa.Column("currency", _STR(length=3), nullable=True),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        _now(),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name=op.f("ck_conversion_event_status_valid")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_conversion_event_customer_id_customer"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_conversion_event_order_id_orders"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversion_event")),
        sa.UniqueConstraint("key", name=op.f("uq_conversion_event_key")),
        sa.UniqueConstraint("event_id", name=op.f("uq_conversion_event_event_id")),
    )
    op.create_index(op.f("ix_conversion_event_customer_id"), "conversion_event", ["customer_id"])
    op.create_index(op.f("ix_conversion_event_order_id"), "conversion_event", ["order_id"])
    op.create_index(op.f("ix_conversion_event_ad_id"), "conversion_event", ["ad_id"])
    op.create_index("ix_conversion_event_queued", "conversion_event", ["next_try_at"], postgresql_where=sa.text("status = 'queued'"))


def downgrade() -> None:
    op.drop_table("conversion_event")
    op.drop_table("reminder")
    op.drop_table("message_template")

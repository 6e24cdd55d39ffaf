"""marketing hour totals: the account's figures per day and hour (heat map pre-aggregate), and
the index that finds conversations started from an ad by when they started

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ad_insight_hour_total",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("spend", sa.Numeric(14, 2), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
        sa.Column("clicks", sa.BigInteger(), nullable=False),
        sa.Column("leads", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("hour BETWEEN 0 AND 23", name=op.f("ck_ad_insight_hour_total_hour_of_day")),
        sa.PrimaryKeyConstraint("day", "hour", name=op.f("pk_ad_insight_hour_total")),
    )
    op.create_index(
        "ix_conversation_ad_lead_created_at",
        "conversation",
        ["created_at"],
        postgresql_where=sa.text("source_ad_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_ad_lead_created_at", table_name="conversation")
    op.drop_table("ad_insight_hour_total")

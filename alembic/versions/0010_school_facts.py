"""school_fact: the school's own facts (address, hours, payment, deposit …) the AI answers from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "school_fact",
        sa.Column("key", sa.String(length=40), primary_key=True),
        sa.Column("value_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("value_th", sa.Text(), nullable=False, server_default=""),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_by_id",
            sa.Integer(),
            sa.ForeignKey("staff_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )


def downgrade() -> None:
    op.drop_table("school_fact")

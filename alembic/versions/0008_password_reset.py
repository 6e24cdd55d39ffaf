"""password_reset: one-time codes an admin issues so a person can choose a new password

Only the code's SHA-256 is stored; a code works once, for an hour, and a new one replaces it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("password_reset")

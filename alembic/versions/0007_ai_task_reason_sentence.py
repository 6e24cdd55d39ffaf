"""ai_task: the reason's sentence key and values

`reason` keeps the English sentence as recorded; `reason_sentence` ({"key", "values"}) lets the
inbox and the AI page show it in the staff member's language. Older tasks have none and show
their English reason.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ai_task", sa.Column("reason_sentence", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("ai_task", "reason_sentence")

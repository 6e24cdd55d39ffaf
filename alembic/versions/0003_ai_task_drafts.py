"""ai task drafts: one task per inbound message, the draft's fate, the reply it became

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ai_task", sa.Column("draft_status", sa.String(length=24), nullable=True))
    op.add_column("ai_task", sa.Column("reply_message_id", sa.Integer(), nullable=True))
    op.add_column("ai_task", sa.Column("autonomy_level", sa.Integer(), nullable=True))
    op.add_column("ai_task", sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    op.create_check_constraint(
        op.f("ck_ai_task_draft_status_valid"),
        "ai_task",
        "draft_status IN ('open', 'sent', 'discarded', 'superseded')",
    )
    op.create_foreign_key(
        op.f("fk_ai_task_reply_message_id_message"), "ai_task", "message", ["reply_message_id"], ["id"], ondelete="SET NULL"
    )
    op.create_unique_constraint(op.f("uq_ai_task_message_id"), "ai_task", ["message_id"])


def downgrade() -> None:
    op.drop_constraint(op.f("uq_ai_task_message_id"), "ai_task", type_="unique")
    op.drop_constraint(op.f("fk_ai_task_reply_message_id_message"), "ai_task", type_="foreignkey")
    op.drop_constraint(op.f("ck_ai_task_draft_status_valid"), "ai_task", type_="check")
    op.drop_column("ai_task", "language")
    op.drop_column("ai_task", "autonomy_level")
    op.drop_column("ai_task", "reply_message_id")
    op.drop_column("ai_task", "draft_status")

"""inbound_event: set aside, discarded, last attempt

An event that fails for a reason retrying cannot fix is set aside (`set_aside_at`, its reason in
`error`) instead of being retried forever; an admin retries or discards it (`discarded_at`: kept,
never deleted). `last_attempt_at` lets the relay leave an event alone while its retries run.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SET_ASIDE = sa.text("set_aside_at IS NOT NULL AND discarded_at IS NULL")


def upgrade() -> None:
    op.add_column("inbound_event", sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("inbound_event", sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("inbound_event", sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_inbound_event_set_aside", "inbound_event", ["set_aside_at"], unique=False, postgresql_where=SET_ASIDE)


def downgrade() -> None:
    op.drop_index("ix_inbound_event_set_aside", table_name="inbound_event", postgresql_where=SET_ASIDE)
    op.drop_column("inbound_event", "discarded_at")
    op.drop_column("inbound_event", "set_aside_at")
    op.drop_column("inbound_event", "last_attempt_at")

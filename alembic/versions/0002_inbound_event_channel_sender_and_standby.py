"""inbound event channel, sender and standby

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:35:40.530742
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "inbound_event",
        sa.Column(
            "channel",
            sqlmodel.sql.sqltypes.AutoString(length=24),
            server_default="facebook",
            nullable=False,
        ),
    )
    op.add_column(
        "inbound_event",
        sa.Column("sender_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "inbound_event",
        sa.Column("standby", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("inbound_event", "standby")
    op.drop_column("inbound_event", "sender_id")
    op.drop_column("inbound_event", "channel")

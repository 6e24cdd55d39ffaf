"""customer.legacy_id: the id a customer had in the old system

`vschool import legacy` records where each imported customer came from (the old system's own
id, usually its standard id), so a second run finds the same person again even when the old
id could not be kept (it was taken) and the record has no Messenger id. Unique: one old record,
one customer.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("customer", sa.Column("legacy_id", sa.String(length=40), nullable=True))
    op.create_unique_constraint("uq_customer_legacy_id", "customer", ["legacy_id"])


def downgrade() -> None:
    op.drop_constraint("uq_customer_legacy_id", "customer", type_="unique")
    op.drop_column("customer", "legacy_id")

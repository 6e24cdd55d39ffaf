"""customer search text: name, standard id, phone and e-mail in one generated column with a
trigram index, so a search anywhere in any of them (Thai too: no spaces needed) reads the index
instead of every customer

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_TEXT = "coalesce(display_name, '') || ' ' || standard_id || ' ' || coalesce(phone, '') || ' ' || coalesce(email, '')"


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.add_column("customer", sa.Column("search_text", sa.Text(), sa.Computed(SEARCH_TEXT, persisted=True), nullable=True))
    op.create_index("ix_customer_search_text", "customer", ["search_text"], postgresql_using="gin",
                    postgresql_ops={"search_text": "gin_trgm_ops"})


def downgrade() -> None:
    op.drop_index("ix_customer_search_text", table_name="customer")
    op.drop_column("customer", "search_text")

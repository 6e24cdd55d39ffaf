"""hourly ad insights: the day index becomes a BRIN index

The B-tree on `ad_insight_hourly.day` cost about a quarter of the ad sync's write speed, and the
planner reads day ranges through the primary key (ad_id, day, hour) anyway (PostgreSQL 18 skips
through its few ad ids). A BRIN index keeps a cheap day index for scans over many ads: rows
arrive in day order per ad, so its block ranges stay narrow.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 02:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_ad_insight_hourly_day", table_name="ad_insight_hourly")
    op.create_index("ix_ad_insight_hourly_day", "ad_insight_hourly", ["day"], postgresql_using="brin")


def downgrade() -> None:
    op.drop_index("ix_ad_insight_hourly_day", table_name="ad_insight_hourly")
    op.create_index("ix_ad_insight_hourly_day", "ad_insight_hourly", ["day"])

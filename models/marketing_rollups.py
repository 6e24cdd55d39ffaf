"""Pre-aggregates behind the marketing panel, kept small so any range reads in milliseconds.

`ad_insight_hour_total` is the whole ad account's figures per day and hour: 24 rows a day
however many ads run, so the weekday × hour heat map of a 30-day range reads 720 rows instead
of ~150,000 hourly ad rows (200 ads). It is derived from `ad_insight_hourly` only, by
`roll_up_hours` for a range of days (delete + insert in one transaction: idempotent, and a
reader sees the old or the new totals, never half). The cache refresh rolls up the days each
finished sync run covered (see `cache.marketing`); `roll_up_hours(session)` with no range
rebuilds everything.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from models.base import money
from models.inbox import Conversation


class AdInsightHourTotal(SQLModel, table=True):
    """All ads' figures for one hour of one day (the ad account's time zone: Asia/Bangkok)."""

    __tablename__ = "ad_insight_hour_total"
    __table_args__ = (sa.CheckConstraint("hour BETWEEN 0 AND 23", name="hour_of_day"),)

    day: date = Field(primary_key=True)
    hour: int = Field(primary_key=True, sa_type=sa.SmallInteger)
    spend: Decimal = money()
    impressions: int = Field(default=0, sa_type=sa.BigInteger)
    clicks: int = Field(default=0, sa_type=sa.BigInteger)
    leads: int = Field(default=0, sa_type=sa.BigInteger)


# Leads (conversations started from an ad) are counted by when they started, for any range.
sa.Index(
    "ix_conversation_ad_lead_created_at",
    Conversation.__table__.c.created_at,
    postgresql_where=sa.text("source_ad_id IS NOT NULL"),
)


def roll_up_hours(session: Session, since: date | None = None, until: date | None = None) -> int:
    """Recompute the hour totals for days `since`..`until` (inclusive; None: unbounded) from the
    hourly ad rows; return how many hour rows were written."""
    where = []
    params: dict[str, date] = {}
    if since is not None:
        where.append("day >= :since")
        params["since"] = since
    if until is not None:
        where.append("day <= :until")
        params["until"] = until
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    session.execute(sa.text(f"DELETE FROM ad_insight_hour_total {clause}"), params)
    result = session.execute(
        sa.text(
            f"""INSERT INTO ad_insight_hour_total (day, hour, spend, impressions, clicks, leads)
                SELECT day, hour, sum(spend), sum(impressions), sum(clicks), sum(leads)
                FROM ad_insight_hourly {clause} GROUP BY day, hour"""
        ),
        params,
    )
    return result.rowcount or 0

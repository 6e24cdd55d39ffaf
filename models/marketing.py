"""Facebook ad accounts, campaigns, ad sets, ads, and their insights (daily, hourly).
Ids are Meta's own (strings of digits). Metric tables are keyed for range queries by ad and time
and written with bulk upserts."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, json_field, money, one_of, timestamp
from models.enums import RunStatus


class AdAccount(SQLModel, table=True):
    __tablename__ = "ad_account"

    id: str = Field(primary_key=True, max_length=40)  # act_…
    name: str = Field(max_length=200)
    currency: str = Field(default="THB", max_length=3)
    timezone_name: str = Field(default="Asia/Bangkok", max_length=60)


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: str = Field(primary_key=True, max_length=40)
    ad_account_id: str = Field(foreign_key="ad_account.id", index=True)
    name: str = Field(max_length=400)
    status: str = Field(default="ACTIVE", max_length=30)
    objective: str | None = Field(default=None, max_length=60)
    daily_budget: Decimal | None = money(None)
    lifetime_budget: Decimal | None = money(None)
    created_time: datetime | None = timestamp()
    synced_at: datetime = auto_now()


class AdSet(SQLModel, table=True):
    __tablename__ = "ad_set"

    id: str = Field(primary_key=True, max_length=40)
    campaign_id: str = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=400)
    status: str = Field(default="ACTIVE", max_length=30)
    daily_budget: Decimal | None = money(None)
    lifetime_budget: Decimal | None = money(None)
    synced_at: datetime = auto_now()


class Ad(SQLModel, table=True):
    __tablename__ = "ad"

    id: str = Field(primary_key=True, max_length=40)
    ad_set_id: str = Field(foreign_key="ad_set.id", index=True)
    campaign_id: str = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=400)
    status: str = Field(default="ACTIVE", max_length=30)
    synced_at: datetime = auto_now()



class AdInsightDaily(SQLModel, table=True):
    """One ad's figures for one day (the ad account's time zone: Asia/Bangkok)."""

    __tablename__ = "ad_insight_daily"
    __table_args__ = (sa.Index("ix_ad_insight_daily_day", "day"),)

    ad_id: str = Field(primary_key=True, max_length=40)
    day: date = Field(primary_key=True)
    spend: Decimal = money()
    impressions: int = Field(default=0, sa_type=sa.BigInteger)
    clicks: int = Field(default=0, sa_type=sa.BigInteger)
    reach: int | None = Field(default=None, sa_type=sa.BigInteger)
    leads: int = Field(default=0)  # messaging conversations started
    actions: list[dict[str, Any]] = json_field(list)
    action_values: list[dict[str, Any]] = json_field(list)
    purchase_roas: Decimal | None = Field(default=None, sa_type=sa.Numeric(12, 4))
    synced_at: datetime = auto_now()


class AdInsightHourly(SQLModel, table=True):
    """One ad's figures for one hour of one day (hourly breakdown; Meta gives no reach here)."""

    __tablename__ = "ad_insight_hourly"
    __table_args__ = (
        sa.CheckConstraint("hour BETWEEN 0 AND 23", name="hour_of_day"),
        sa.Index("ix_ad_insight_hourly_day", "day", postgresql_using="brin"),  # cheap to keep up (migration 0006)
    )

    ad_id: str = Field(primary_key=True, max_length=40)
    day: date = Field(primary_key=True)
    hour: int = Field(primary_key=True, sa_type=sa.SmallInteger)
    spend: Decimal = money()
    impressions: int = Field(default=0, sa_type=sa.BigInteger)
    clicks: int = Field(default=0, sa_type=sa.BigInteger)
    leads: int = Field(default=0)
    synced_at: datetime = auto_now()


class AdSyncRun(SQLModel, table=True):
    """One run of the ad sync: what range it covered, how far it got, how it ended."""

    __tablename__ = "ad_sync_run"
    __table_args__ = (one_of("status", RunStatus),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # hourly, daily, manual
    since: date | None = Field(default=None)
    until: date | None = Field(default=None)
    status: str = choice(RunStatus, default=RunStatus.RUNNING)
    rows: int = Field(default=0)
    progress: int = Field(default=0)  # percent
    error: str | None = Field(default=None, sa_type=sa.Text)
    started_at: datetime = auto_now()
    finished_at: datetime | None = timestamp(index=True)

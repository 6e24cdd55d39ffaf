"""Customers (prospective and enrolled students), their channel identities, the ad referrals that
brought them, notes, and the per-channel-per-year counter behind their standard ids."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, json_field, one_of, timestamp
from models.enums import Channel, LeadStage

# Everything a staff member might type to find someone, in one column the trigram index serves.
SEARCH_TEXT = "coalesce(display_name, '') || ' ' || standard_id || ' ' || coalesce(phone, '') || ' ' || coalesce(email, '')"


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = (
        one_of("lead_stage", LeadStage),
        sa.Index("ix_customer_search_text", "search_text", postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: int | None = Field(default=None, primary_key=True)
    standard_id: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    legacy_id: str | None = Field(default=None, max_length=40, sa_column_kwargs={"unique": True})  # its id in the old system (import)
    display_name: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=120)
    last_name: str | None = Field(default=None, max_length=120)
    profile_pic_url: str | None = Field(default=None, sa_type=sa.Text)
    profile_fetched_at: datetime | None = timestamp()
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    locale: str | None = Field(default=None, max_length=16)
    lead_stage: str = choice(LeadStage, default=LeadStage.NEW, index=True)
    tags: list[str] = Field(
        default_factory=list,
        sa_type=ARRAY(sa.String(60)),
        sa_column_kwargs={"nullable": False, "server_default": "{}"},
    )
    first_ad_id: str | None = Field(default=None, max_length=40, index=True)
    dietary_needs: str | None = Field(default=None, max_length=300)  # e.g. vegetarian, halal
    allergies: str | None = Field(default=None, max_length=300)
    lost_reason: str | None = Field(default=None, max_length=300)  # why, when the stage is `lost`
    line_id: str | None = Field(default=None, max_length=60)  # given by hand (walk-in, phone)
    consent_at: datetime | None = timestamp()
    erased_at: datetime | None = timestamp()
    created_at: datetime = auto_now()
    updated_at: datetime = auto_now()
    search_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text, sa.Computed(SEARCH_TEXT, persisted=True)))


class ChannelIdentity(SQLModel, table=True):
    """Who the customer is on one channel: a Page-scoped id (PSID) on Messenger, an IGSID, …"""

    __tablename__ = "channel_identity"
    __table_args__ = (
        sa.UniqueConstraint("channel", "page_id", "external_id"),
        one_of("channel", Channel),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    channel: str = choice(Channel, default=Channel.FACEBOOK)
    page_id: str = Field(max_length=40)
    external_id: str = Field(max_length=64)
    created_at: datetime = auto_now()


class CustomerIdCounter(SQLModel, table=True):
    """Last number handed out per channel code and two-digit year (see `models.ids`)."""

    __tablename__ = "customer_id_counter"

    channel_code: str = Field(primary_key=True, max_length=4)
    year: int = Field(primary_key=True)
    last_number: int = Field(default=0)


class AdReferral(SQLModel, table=True):
    """Each time a customer arrived from an ad or an m.me link. The first one attributes them."""

    __tablename__ = "ad_referral"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", ondelete="SET NULL")
    source: str = Field(max_length=20)  # ADS, SHORTLINK, …
    ad_id: str | None = Field(default=None, max_length=40, index=True)
    ref: str | None = Field(default=None, max_length=250)
    context: dict[str, Any] = json_field()
    occurred_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_at: datetime = auto_now()


class Note(SQLModel, table=True):
    """A private staff note on a customer (and optionally a conversation); never sent to Meta."""

    __tablename__ = "note"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", ondelete="SET NULL")
    author_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = auto_now()

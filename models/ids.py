"""Standard customer ids: `TVS-CUS-{channel}-{YY}-{NNNN}` (seed 001, ADR 007).

The number counts per channel and per year and is never held by two customers: it comes from
an atomic upsert on `customer_id_counter`, whose row lock serialises concurrent allocations until
the allocating transaction (the one that inserts the customer) ends. If that transaction rolls
back, the increment rolls back with it, so no customer ever held the number.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from models.enums import Channel
from models.settings import get_settings

CHANNEL_CODES = {Channel.FACEBOOK: "FB", Channel.INSTAGRAM: "IG"}

_NEXT_NUMBER = sa.text(
    """
    INSERT INTO customer_id_counter (channel_code, year, last_number)
    VALUES (:code, :year, 1)
    ON CONFLICT (channel_code, year)
    DO UPDATE SET last_number = customer_id_counter.last_number + 1
    RETURNING last_number
    """
)


def format_customer_id(channel_code: str, year: int, number: int) -> str:
    return f"TVS-CUS-{channel_code}-{year % 100:02d}-{number:04d}"


def allocate_customer_id(session: Session, channel: Channel, now: datetime) -> str:
    """Take the next standard id for `channel` in the school's current year (Asia/Bangkok)."""
    return allocate_code_id(session, CHANNEL_CODES[channel], now)


def allocate_code_id(session: Session, code: str, now: datetime) -> str:
    """The next standard id for a channel code (`WI`: created by hand) in the school's year."""
    year = now.astimezone(ZoneInfo(get_settings().timezone)).year % 100
    number = session.execute(_NEXT_NUMBER, {"code": code, "year": year}).scalar_one()
    return format_customer_id(code, year, number)

"""Read-only figures shown on the Overview page and served by `/healthz`."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from models.base import utcnow
from models.customers import Customer
from models.enums import ConversationStatus, RunStatus
from models.inbox import Conversation, Message
from models.marketing import AdSyncRun
from models.settings import get_settings


@dataclass(frozen=True)
class OverviewCounts:
    open_conversations: int
    messages_today: int
    customers: int
    last_ad_sync: datetime | None


def school_day_start(now: datetime) -> datetime:
    """Midnight of today in the school's time zone, as an aware datetime."""
    tz = ZoneInfo(get_settings().timezone)
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz)


def last_ad_sync(session: Session) -> datetime | None:
    return session.exec(
        select(sa.func.max(AdSyncRun.finished_at)).where(AdSyncRun.status == RunStatus.SUCCEEDED)
    ).one()


def overview_counts(session: Session, now: datetime | None = None) -> OverviewCounts:
    """One round trip: four scalar subqueries."""
    start = school_day_start(now or utcnow())
    row = session.execute(
        sa.select(
            select(sa.func.count())
            .select_from(Conversation)
            .where(Conversation.status == ConversationStatus.OPEN)
            .scalar_subquery(),
            select(sa.func.count())
            .select_from(Message)
            .where(Message.sent_at >= start, Message.sent_at < start + timedelta(days=1))
            .scalar_subquery(),
            select(sa.func.count()).select_from(Customer).where(Customer.erased_at.is_(None)).scalar_subquery(),
            select(sa.func.max(AdSyncRun.finished_at))
            .where(AdSyncRun.status == RunStatus.SUCCEEDED)
            .scalar_subquery(),
        )
    ).one()
    return OverviewCounts(*row)

"""Rules about customers that the inbox, the actors and the CLI all follow."""

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.base import utcnow
from models.customers import ChannelIdentity, Customer
from models.enums import Channel
from models.ids import allocate_customer_id


def fallback_name(channel: Channel, external_id: str) -> str:
    """What to call a customer until Meta gives us their profile — never "John Doe"."""
    label = "Messenger" if channel == Channel.FACEBOOK else "Instagram"
    return f"{label} user …{external_id[-4:]}"


def find_or_create_customer(
    session: Session, channel: Channel, page_id: str, external_id: str, now: datetime | None = None
) -> tuple[Customer, bool]:
    """The customer behind a channel id (PSID/IGSID), created with a standard id if new.

    Safe under concurrency: two workers seeing the same new PSID race on the identity's unique
    key; the loser's savepoint rolls back (its id number with it) and it reads the winner's row.
    Returns (customer, created).
    """
    found = session.exec(
        select(Customer)
        .join(ChannelIdentity, ChannelIdentity.customer_id == Customer.id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.page_id == page_id,
            ChannelIdentity.external_id == external_id,
        )
    ).first()
    if found:
        return found, False
    now = now or utcnow()
    with session.begin_nested() as savepoint:
        customer = Customer(
            standard_id=allocate_customer_id(session, channel, now),
            display_name=fallback_name(channel, external_id),
            created_at=now,
            updated_at=now,
        )
        session.add(customer)
        session.flush()
        inserted = session.execute(
            insert(ChannelIdentity)
            .values(customer_id=customer.id, channel=channel, page_id=page_id, external_id=external_id)
            .on_conflict_do_nothing(index_elements=["channel", "page_id", "external_id"])
            .returning(ChannelIdentity.id)
        ).first()
        if inserted is None:
            savepoint.rollback()
    if inserted is None:
        return find_or_create_customer(session, channel, page_id, external_id, now)
    return customer, True

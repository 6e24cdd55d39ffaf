"""Customer actors."""

import dramatiq

from actors.push import announce
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel


@dramatiq.actor(queue_name="interactive")
def register_customer(channel: str, page_id: str, external_id: str) -> None:
    """Make sure the person behind a channel id is a customer with a standard id.

    Reads/writes: customer, channel_identity, customer_id_counter. Announces `customer` and
    `overview` when it created one. Safe to run twice: the identity's unique key means the
    second run finds the first run's customer and changes nothing.
    """
    with session_scope() as session:
        customer, created = find_or_create_customer(session, Channel(channel), page_id, external_id)
    if created:
        announce("customer", customer.id)
        announce("overview")

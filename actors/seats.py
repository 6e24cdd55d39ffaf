"""Seat holds that ran out: the scheduler sends `expire_seat_holds` every minute."""

import dramatiq

from actors.push import announce_all
from models.db import session_scope
from models.seat_rules import expire_holds


@dramatiq.actor(queue_name="interactive", max_retries=3)
def expire_seat_holds() -> None:
    """Release held seats past their expiry on orders with no money received.

    Writes: seat.state/released_reason, course_round.status (full → open), waitlist_entry.status
    (the first waiting → to_contact). Announces `seats` per round freed and `overview`.
    Safe to run twice: a released seat is no longer held, so the second run finds none.
    """
    with session_scope() as session:
        freed = expire_holds(session)
    if freed:
        announce_all(*[("seats", rid) for rid in freed], ("overview", ""))

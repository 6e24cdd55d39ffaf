"""Booking: an order for a course or package with seats in its rounds, for one payer and one
or more attendees, or a private class on an agreed day (no round, no seat count). One
transaction: the order, its items and its seats are written together or not at all.

Everything that needs no lock is done first (the product, the people, the rounds and a plain
count that turns a full round away, the order priced); only then are the rounds locked, counted,
the order numbered and the rows written, so the lock is held for as few round trips as possible
(ADR 015)."""

from datetime import date, datetime

from sqlmodel import Session, col, select

from models.commerce import Order, Product
from models.customers import Customer
from models.enums import ProductKind
from models.order_rules import draft_order, write_order
from models.seat_rules import (
    SeatRefused,
    courses_of,
    lock_for_booking,
    place_seats,
    refuse_unless_room,
    rounds_with_seats,
)

MAX_ATTENDEES = 12


def book(session: Session, payer_id: int, product_id: int, round_ids: list[int], attendee_ids: list[int] | None = None,
         staff_id: int | None = None, now: datetime | None = None, private_on: date | None = None) -> Order:
    """An order for `product_id` × attendees, holding a seat per attendee in one round of each
    course it contains (`round_ids`), or a private class on `private_on` with no round."""
    product = session.get(Product, product_id)
    if product is None or product.kind not in (ProductKind.COURSE, ProductKind.PACKAGE):
        raise SeatRefused("error_not_bookable")
    attendees = list(dict.fromkeys(attendee_ids or [payer_id]))
    if not 1 <= len(attendees) <= MAX_ATTENDEES:
        raise SeatRefused("error_attendees", limit=MAX_ATTENDEES)
    people = _people(session, [payer_id, *attendees])  # kept: the draft finds the payer loaded
    if any(a not in people or people[a].erased_at is not None for a in attendees):
        raise SeatRefused("error_customer_gone")
    if not round_ids and product.kind == ProductKind.COURSE:
        if private_on is None:
            raise SeatRefused("error_choose_round", course=product.name)
        order = write_order(session, draft_order(session, payer_id, [(product_id, len(attendees))], [product]), staff_id, now)
        order.private_on = private_on
        session.add(order)
        return order
    _check_rounds(session, product, round_ids, len(attendees))
    draft = draft_order(session, payer_id, [(product_id, len(attendees))], [product])
    locked = lock_for_booking(session, round_ids, len(attendees))  # the lock: from here to commit, bookings of these rounds queue
    order = write_order(session, draft, staff_id, now)  # numbered only once the seats are sure
    place_seats(session, order, locked, attendees, now)
    return order


def _people(session: Session, ids: list[int]) -> dict[int, Customer]:
    return {c.id: c for c in session.exec(select(Customer).where(col(Customer.id).in_(list(set(ids)))))}


def _check_rounds(session: Session, product: Product, round_ids: list[int], wanted: int) -> None:
    """Exactly one round of each course the product contains, each with `wanted` seats left (a
    plain read: the decision is made under the lock)."""
    courses = [product.id] if product.kind == ProductKind.COURSE else courses_of(session, product.id)
    found = rounds_with_seats(session, round_ids) if round_ids else {}
    rounds = [rnd for rnd, _ in found.values()]
    by_course = {r.product_id: r for r in rounds}
    if len(rounds) != len(set(round_ids)) or any(r.product_id not in courses for r in rounds) or len(by_course) != len(rounds):
        raise SeatRefused("error_round_not_of_course")
    for course_id in courses:
        if course_id not in by_course:
            name = session.get(Product, course_id).name
            raise SeatRefused("error_choose_round", course=name)
    for rnd, active in found.values():
        refuse_unless_room(rnd, active, wanted)

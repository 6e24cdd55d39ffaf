"""Booking: an order for a course or package with seats in its rounds, for one payer and one
or more attendees, or a private class on an agreed day (no round, no seat count). One
transaction: the order, its items and its seats are written together or not at all."""

from datetime import date, datetime

from sqlmodel import Session, select

from models.commerce import Order, Product
from models.customers import Customer
from models.enums import ProductKind
from models.order_rules import create_order
from models.rounds import CourseRound
from models.seat_rules import SeatRefused, courses_of, lock_for_booking, place_seats

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
    for attendee in attendees:
        person = session.get(Customer, attendee)
        if person is None or person.erased_at is not None:
            raise SeatRefused("error_customer_gone")
    if not round_ids and product.kind == ProductKind.COURSE:
        if private_on is None:
            raise SeatRefused("error_choose_round", course=product.name)
        order = create_order(session, payer_id, [(product_id, len(attendees))], staff_id, now)
        order.private_on = private_on
        session.add(order)
        return order
    _check_rounds(session, product, round_ids)
    locked = lock_for_booking(session, round_ids, len(attendees))  # first: a full round refuses before any order is numbered
    order = create_order(session, payer_id, [(product_id, len(attendees))], staff_id, now)
    place_seats(session, order, locked, attendees, now)
    return order


def _check_rounds(session: Session, product: Product, round_ids: list[int]) -> None:
    """Exactly one round of each course the product contains."""
    courses = courses_of(session, product.id)
    rounds = list(session.exec(select(CourseRound).where(CourseRound.id.in_(round_ids)))) if round_ids else []
    by_course = {r.product_id: r for r in rounds}
    if len(rounds) != len(set(round_ids)) or any(r.product_id not in courses for r in rounds) or len(by_course) != len(rounds):
        raise SeatRefused("error_round_not_of_course")
    for course_id in courses:
        if course_id not in by_course:
            name = session.get(Product, course_id).name
            raise SeatRefused("error_choose_round", course=name)

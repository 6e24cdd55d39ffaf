"""Demo rounds for `vschool demo-data`: three upcoming rounds of each course, the package's
courses, and the demo orders seated in their course's first round (taken when the deposit
rule is met, else held). Idempotent: a course that has rounds keeps them."""

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from models.commerce import Order, OrderItem, Product
from models.enums import SeatState
from models.order_rules import balance
from models.rounds import CourseRound, PackageCourse, Seat
from models.seat_rules import deposit_due
from models.when import in_bangkok

# sku: (days long, capacity, start, end, instructor, language)
SHAPES = {
    "CRS-SUSHI-5D": (5, 12, time(9), time(16), "Chef Kenji Sato", "th/ja"),
    "CRS-RAMEN-3D": (3, 12, time(10), time(17), "Chef Aiko Mori", "th"),
    "CRS-WAGASHI-2D": (2, 10, time(9, 30), time(15, 30), "Chef Yuki Tanaka", "th"),
    "CRS-KAISEKI-1D": (1, 8, time(10), time(16), "Chef Kenji Sato", "en"),
    "CRS-DIPLOMA-12W": (83, 16, time(9), time(17), "Chef Hiroshi Ito", "th/en"),
}
PACKAGES = {"PKG-SUSHI-RAMEN": ("CRS-SUSHI-5D", "CRS-RAMEN-3D")}


def _first_monday_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


def load_demo_rounds(session: Session, now: datetime) -> int:
    """Returns the number of rounds created."""
    products = {p.sku: p for p in session.exec(select(Product))}
    for package, courses in PACKAGES.items():
        for course in courses:
            if package in products and course in products and session.get(PackageCourse, (products[package].id, products[course].id)) is None:
                session.add(PackageCourse(package_id=products[package].id, course_id=products[course].id))
    made, first_rounds = 0, {}
    monday = _first_monday_after(in_bangkok(now).date())
    for n, (sku, (days, capacity, start, end, instructor, language)) in enumerate(SHAPES.items()):
        course = products.get(sku)
        if course is None or session.exec(select(CourseRound.id).where(CourseRound.product_id == course.id)).first():
            continue
        for k in range(3):
            first = monday + timedelta(weeks=2 * k, days=n % 3)
            rnd = CourseRound(product_id=course.id, starts_on=first, ends_on=first + timedelta(days=days - 1), daily_start=start,
                              daily_end=end, capacity=capacity, language=language, instructor=instructor)
            session.add(rnd)
            session.flush()
            first_rounds.setdefault(course.id, rnd)
            made += 1
    _seat_demo_orders(session, first_rounds)
    return made


def _seat_demo_orders(session: Session, first_rounds: dict[int, CourseRound]) -> None:
    rows = session.exec(select(Order, OrderItem.product_id).join(OrderItem, OrderItem.order_id == Order.id)
                        .where(Order.order_number.startswith("VS-DEMO-"))).all()
    for order, product_id in rows:
        rnd = first_rounds.get(product_id)
        if rnd is None:
            continue
        seated = session.exec(select(Seat.id).where(Seat.round_id == rnd.id, Seat.state != SeatState.RELEASED)).all()
        if len(seated) >= rnd.capacity:
            continue
        taken = balance(session, order).paid >= deposit_due(order.total)
        session.add(Seat(round_id=rnd.id, order_id=order.id, attendee_id=order.customer_id,
                         state=SeatState.TAKEN if taken else SeatState.HELD))
    session.flush()

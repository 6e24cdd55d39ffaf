"""Course rounds for the AI evaluation: the eval schedules the demo school's rounds in its own
fresh database (relative to today, so nothing goes stale), books some seats, and fills one
round, then states what a right answer must say from those rows.

A question's fact may name a round placeholder, filled per question language from the rows the
eval inserted (read straight from the tables here, not through the pipeline's own loader):
`{next:SKU}` the first day of the course's next round, `{left:SKU}` that round's seats left (or
"full"), `{next:SKU:M}` the first day of its first round in month M, `{open:SKU}` the first day of its next round with a seat, `{full}` and `{waitlist}`.
"""

import re
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.booking import book
from models.catalog_rules import create_customer_by_hand
from models.commerce import Product
from models.enums import RoundStatus, SeatState
from models.rounds import CourseRound, Seat
from models.when import day_shown, in_bangkok
from vschool.demo_rounds import load_demo_rounds

BOOKED = {"CRS-SUSHI-5D": 3, "CRS-KAISEKI-1D": None}  # seats booked in the first round (None: all)
PLACEHOLDER = re.compile(r"\{(next|left|open|full|waitlist)(?::([A-Z0-9-]+))?(?::(\d+))?\}")


def seed_rounds(session: Session, now: datetime | None = None) -> None:
    """The demo rounds (three per course), then walk-in bookings in the first round of some."""
    now = now or datetime.now(UTC)
    load_demo_rounds(session, now)
    session.flush()
    for sku, seats in BOOKED.items():
        product = session.exec(select(Product).where(Product.sku == sku)).one()
        first = session.exec(select(CourseRound).where(CourseRound.product_id == product.id)
                             .order_by(col(CourseRound.starts_on))).first()
        assert first is not None and first.id is not None
        for n in range(first.capacity if seats is None else seats):
            customer = create_customer_by_hand(session, {"name": f"Eval walk-in {sku} {n + 1}"}, now)
            assert customer.id is not None and product.id is not None
            book(session, customer.id, product.id, [first.id], now=now)
    session.flush()


def _rounds(session: Session, sku: str, today: date) -> list[tuple[date, int, int]]:
    """(first day, seats left, capacity) of the course's upcoming open/full rounds, soonest first."""
    active = sa.func.count(Seat.id).filter(col(Seat.state).in_([SeatState.HELD, SeatState.TAKEN]))
    rows = session.execute(
        sa.select(CourseRound.starts_on, CourseRound.capacity - active, CourseRound.status, CourseRound.capacity)
        .join(Product, Product.id == CourseRound.product_id)
        .outerjoin(Seat, Seat.round_id == CourseRound.id)
        .where(Product.sku == sku, CourseRound.starts_on > today,
               col(CourseRound.status).in_([RoundStatus.OPEN, RoundStatus.FULL]))
        .group_by(CourseRound.id).order_by(CourseRound.starts_on, CourseRound.id)
    ).all()
    return [(day, 0 if status == RoundStatus.FULL else max(0, left), cap) for day, left, status, cap in rows]


def expected_facts(session: Session, facts: list[str], language: str, now: datetime | None = None) -> list[str]:
    """The question's facts with every round placeholder filled from the tables."""
    today = in_bangkok(now or datetime.now(UTC)).date()

    def fill(m: re.Match[str]) -> str:
        kind, sku = m.group(1), m.group(2) or ""
        if kind == "full":
            return "เต็ม" if language == "th" else "full"
        if kind == "waitlist":
            return "รายชื่อรอ" if language == "th" else "waitlist"
        rounds = [r for r in _rounds(session, sku, today) if not m.group(3) or r[0].month == int(m.group(3))]
        if kind == "open":
            rounds = [r for r in rounds if r[1] > 0]
        day, left, capacity = rounds[0]
        if kind in ("next", "open"):
            return day_shown(day, language)
        if not left:
            return "เต็ม" if language == "th" else "full"
        return f"เหลือ {left} ที่นั่ง" if language == "th" else f"{left} of {capacity} seats"

    return [PLACEHOLDER.sub(fill, f) for f in facts]

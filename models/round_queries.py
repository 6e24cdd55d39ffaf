"""What screens and the REST API read about rounds: upcoming rounds with their seats, one round's
roster (attendees, what their order paid and owes, dietary needs, allergies, attendance), the
waitlist tasks, and the rounds an order sits in. Plain values; pages format them."""

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.commerce import Order, Payment, Product
from models.customers import Customer
from models.enums import PaymentKind, RoundStatus, SeatState, WaitlistStatus
from models.rounds import Attendance, CourseRound, Seat, WaitlistEntry
from models.seat_rules import ACTIVE, CANCELLED_NOTE, SeatCount, seat_counts


def round_row(rnd: CourseRound, product: Product, count: SeatCount) -> dict[str, Any]:
    """A round as plain JSON-ready values, with its seats."""
    return {
        "id": rnd.id, "product": product.sku, "product_name": product.name, "product_name_th": product.name_th,
        "starts_on": rnd.starts_on.isoformat(), "ends_on": rnd.ends_on.isoformat(),
        "daily_start": rnd.daily_start.strftime("%H:%M"), "daily_end": rnd.daily_end.strftime("%H:%M"),
        "capacity": rnd.capacity, "language": rnd.language, "instructor": rnd.instructor, "status": rnd.status,
        "seats": {"taken": count.taken, "held": count.held, "left": count.left},
    }


def find_rounds(session: Session, *, product_sku: str = "", since: date | None = None, until: date | None = None,
                bookable_only: bool = False, limit: int = 200, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Rounds by first day (then id), optionally of one product (a course, or a package's courses),
    starting within [since, until]; `bookable_only`: open rounds with a seat left."""
    q = select(CourseRound, Product).join(Product, Product.id == CourseRound.product_id)
    if product_sku:
        q = q.where(Product.sku == product_sku)
    if since:
        q = q.where(CourseRound.starts_on >= since)
    if until:
        q = q.where(CourseRound.starts_on <= until)
    if bookable_only:
        q = q.where(CourseRound.status == RoundStatus.OPEN)
    total = session.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
    found = session.exec(q.order_by(CourseRound.starts_on, CourseRound.id).offset(offset).limit(limit)).all()
    counts = seat_counts(session, [r.id for r, _ in found])
    rows = [round_row(r, p, counts[r.id]) for r, p in found]
    if bookable_only:
        rows = [row for row in rows if row["seats"]["left"] > 0]
    return rows, total


def _order_money(session: Session, order_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per order: (kept, outstanding)."""
    if not order_ids:
        return {}
    signed = sa.case((Payment.kind == PaymentKind.REFUND, -Payment.amount), else_=Payment.amount)
    kept = dict(session.execute(sa.select(Payment.order_id, sa.func.sum(signed)).where(col(Payment.order_id).in_(order_ids))
                                .group_by(Payment.order_id)).all())
    totals = dict(session.execute(sa.select(Order.id, Order.total).where(col(Order.id).in_(order_ids))).all())
    return {oid: (kept.get(oid, Decimal(0)), max(Decimal(0), totals[oid] - kept.get(oid, Decimal(0)))) for oid in order_ids}


def roster(session: Session, round_id: int) -> list[dict[str, Any]]:
    """The round's active seats, by attendee name: who, their order's money, diet, attendance."""
    rows = session.execute(
        sa.select(Seat, Customer, Order).join(Customer, Customer.id == Seat.attendee_id).join(Order, Order.id == Seat.order_id)
        .where(Seat.round_id == round_id, col(Seat.state).in_(ACTIVE)).order_by(Customer.display_name, Seat.id)
    ).all()
    money = _order_money(session, sorted({o.id for _, _, o in rows}))
    present: dict[int, list[str]] = {}
    for seat_id, day in session.execute(sa.select(Attendance.seat_id, Attendance.day).where(
            col(Attendance.seat_id).in_([s.id for s, _, _ in rows])).order_by(Attendance.day)).all():
        present.setdefault(seat_id, []).append(day.isoformat())
    payers = dict(session.execute(sa.select(Customer.id, Customer.display_name).where(
        col(Customer.id).in_({o.customer_id for _, _, o in rows}))).all()) if rows else {}
    return [
        {"seat_id": s.id, "attendee": c.standard_id, "name": c.display_name or c.standard_id, "phone": c.phone,
         "state": s.state, "held_until": s.held_until.isoformat() if s.held_until else None,
         "order_number": o.order_number, "order_id": o.id, "payer": payers.get(o.customer_id) or "",
         "paid": money[o.id][0], "outstanding": money[o.id][1],
         "dietary_needs": c.dietary_needs or "", "allergies": c.allergies or "", "attended": present.get(s.id, [])}
        for s, c, o in rows
    ]


def waitlist(session: Session, round_id: int) -> list[dict[str, Any]]:
    """Who waits for a seat in the round (not yet done), first come first."""
    rows = session.execute(
        sa.select(WaitlistEntry, Customer).join(Customer, Customer.id == WaitlistEntry.customer_id)
        .where(WaitlistEntry.round_id == round_id, WaitlistEntry.status != WaitlistStatus.DONE).order_by(WaitlistEntry.id)
    ).all()
    return [{"id": e.id, "customer": c.standard_id, "name": c.display_name or c.standard_id, "status": e.status} for e, c in rows]


def waitlist_tasks(session: Session) -> list[dict[str, Any]]:
    """Seats that freed for someone waiting: staff contact them (oldest first)."""
    rows = session.execute(
        sa.select(WaitlistEntry, Customer, CourseRound, Product).join(Customer, Customer.id == WaitlistEntry.customer_id)
        .join(CourseRound, CourseRound.id == WaitlistEntry.round_id).join(Product, Product.id == CourseRound.product_id)
        .where(WaitlistEntry.status == WaitlistStatus.TO_CONTACT).order_by(WaitlistEntry.to_contact_at, WaitlistEntry.id).limit(20)
    ).all()
    return [{"id": e.id, "customer": c.standard_id, "name": c.display_name or c.standard_id, "round_id": r.id,
             "course": p.name, "course_th": p.name_th or p.name, "starts_on": r.starts_on,
             "cancelled_order": (e.note or "").removeprefix(CANCELLED_NOTE) if (e.note or "").startswith(CANCELLED_NOTE) else ""}
            for e, c, r, p in rows]


def order_rounds(session: Session, order_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per order: the rounds its active seats are in (id, course sku, first day, seats)."""
    if not order_ids:
        return {}
    rows = session.execute(
        sa.select(Seat.order_id, CourseRound.id, Product.sku, CourseRound.starts_on, sa.func.count(Seat.id))
        .join(CourseRound, CourseRound.id == Seat.round_id).join(Product, Product.id == CourseRound.product_id)
        .where(col(Seat.order_id).in_(order_ids), col(Seat.state).in_([SeatState.HELD, SeatState.TAKEN]))
        .group_by(Seat.order_id, CourseRound.id, Product.sku, CourseRound.starts_on).order_by(CourseRound.starts_on)
    ).all()
    found: dict[int, list[dict[str, Any]]] = {}
    for order_id, rid, sku, starts_on, seats in rows:
        found.setdefault(order_id, []).append({"id": rid, "product": sku, "starts_on": starts_on.isoformat(), "seats": seats})
    return found

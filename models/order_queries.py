"""What the Orders work area reads: a filtered page of orders with what each has paid and still
owes, and one order opened (items, rounds, payments, money, and the later rounds its seats may
move to). Money always comes from `models.order_rules.balance` — one way of counting it."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.commerce import Order, OrderItem, Payment, Product
from models.customers import Customer
from models.enums import OrderStatus, RoundStatus
from models.listings import PAGE_SIZE, baht, like_pattern
from models.order_rules import balance
from models.round_queries import order_rounds
from models.rounds import CourseRound
from models.seat_rules import seat_counts
from models.settings import get_settings


def parse_day(text: str) -> date | None:
    """'2026-12-07' → a date; anything else (or nothing) → no bound."""
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    """Midnight of `day` in the school's time zone (Asia/Bangkok)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(get_settings().timezone))


def find_orders(session: Session, page: int, search: str = "", status: str = "", since: date | None = None,
                until: date | None = None) -> tuple[list[dict[str, str]], int]:
    """A page of orders, newest first: `status` one OrderStatus or all, created on days [since, until]
    (Bangkok, both inclusive). Each row carries total, paid and outstanding (display strings)."""
    q = select(Order, Customer).join(Customer, Customer.id == Order.customer_id).order_by(col(Order.id).desc())
    if search:
        q = q.where(sa.or_(col(Order.order_number).ilike(like_pattern(search)), col(Customer.display_name).ilike(like_pattern(search))))
    if status in {s.value for s in OrderStatus}:
        q = q.where(Order.status == status)
    if since:
        q = q.where(Order.created_at >= _start_of(since))
    if until:
        q = q.where(Order.created_at < _start_of(until + timedelta(days=1)))
    total = session.execute(sa.select(sa.func.count()).select_from(q.order_by(None).subquery())).scalar_one()
    rows = []
    for order, customer in session.exec(q.offset(page * PAGE_SIZE).limit(PAGE_SIZE)).all():
        money = balance(session, order)
        rows.append({"number": order.order_number, "customer": customer.display_name or customer.standard_id,
                     "status": order.status, "total": baht(order.total), "paid": baht(money.paid),
                     "outstanding": baht(money.outstanding), "created": order.created_at.isoformat()})
    return rows, total


def _later_rounds(session: Session, rnd: CourseRound, seats: int) -> list[dict[str, str]]:
    """Open rounds of the same course starting after `rnd`, with room for `seats`."""
    later = list(session.exec(select(CourseRound).where(CourseRound.product_id == rnd.product_id, CourseRound.starts_on > rnd.starts_on,
                                                        CourseRound.status == RoundStatus.OPEN).order_by(CourseRound.starts_on).limit(20)))
    counts = seat_counts(session, [r.id for r in later])
    return [{"id": str(r.id), "starts_on": r.starts_on.isoformat(), "left": str(counts[r.id].left)}
            for r in later if counts[r.id].left >= seats]


def order_detail(session: Session, number: str) -> dict[str, Any] | None:
    """One order opened: items, rounds (each with the later rounds it may move to), payments, money."""
    found = session.exec(select(Order, Customer).join(Customer, Customer.id == Order.customer_id).where(Order.order_number == number)).first()
    if found is None:
        return None
    order, customer = found
    money = balance(session, order)
    items = session.execute(sa.select(Product.name, Product.name_th, OrderItem.quantity, OrderItem.line_total)
                            .join(Product, Product.id == OrderItem.product_id).where(OrderItem.order_id == order.id).order_by(OrderItem.id)).all()
    payments = session.exec(select(Payment).where(Payment.order_id == order.id).order_by(col(Payment.paid_at))).all()
    rounds = []
    for row in order_rounds(session, [order.id]).get(order.id, []):
        rnd = session.get(CourseRound, row["id"])
        product = session.get(Product, rnd.product_id)
        rounds.append({"id": str(rnd.id), "course": product.name, "course_th": product.name_th or product.name,
                       "starts_on": rnd.starts_on.isoformat(), "status": rnd.status, "seats": str(row["seats"]),
                       "later": _later_rounds(session, rnd, row["seats"])})
    return {
        "number": order.order_number, "customer": customer.display_name or customer.standard_id, "customer_id": customer.standard_id,
        "status": order.status, "total": baht(order.total), "paid": baht(money.paid), "outstanding": baht(money.outstanding),
        "created": order.created_at.isoformat(), "private_on": order.private_on.isoformat() if order.private_on else "",
        "items": [{"name": n, "name_th": t or n, "quantity": str(q), "total": baht(lt)} for n, t, q, lt in items],
        "payments": [{"kind": p.kind, "method": p.method, "amount": baht(p.amount), "paid_at": p.paid_at.isoformat()} for p in payments],
        "rounds": rounds,
    }

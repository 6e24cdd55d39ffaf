"""Staff edit the catalog and schedule rounds; staff create a customer by hand (walk-in, phone).
Plain rules with refusals; the pages audit what they change."""

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from models.base import utcnow
from models.commerce import Product
from models.customers import Customer
from models.enums import ProductKind, RoundStatus
from models.ids import allocate_code_id
from models.order_rules import parse_amount
from models.refusals import iso_day, iso_time
from models.reminder_rules import queue_round_news
from models.rounds import CourseRound, PackageCourse
from models.seat_rules import SeatRefused, release_cancelled_round, seat_counts

SKU = re.compile(r"^[A-Za-z0-9-]{1,40}$")
BY_HAND = "WI"  # standard ids of customers created by hand: TVS-CUS-WI-YY-NNNN


def save_product(session: Session, product_id: int | None, form: dict[str, Any]) -> Product:
    """Create or change a product: sku, kind, English/Thai names, price, active; a package's courses."""
    sku, name = str(form.get("sku", "")).strip(), str(form.get("name", "")).strip()[:200]
    if not name:
        raise SeatRefused("error_product_name")
    product = session.get(Product, product_id) if product_id else Product(sku=sku, name=name)
    if product is None:
        raise SeatRefused("error_product_gone")
    taken = session.exec(select(Product.id).where(Product.sku == sku, Product.id != (product_id or 0))).first()
    if not SKU.fullmatch(sku) or taken:
        raise SeatRefused("error_sku")
    kind = str(form.get("kind", ProductKind.COURSE))
    if kind not in {k.value for k in ProductKind}:
        kind = ProductKind.COURSE
    product.sku, product.name, product.kind = sku, name, kind
    product.name_th = str(form.get("name_th", "")).strip()[:200] or None
    product.price = parse_amount(str(form.get("price", "")))
    product.is_active = bool(form.get("active", True))
    session.add(product)
    session.flush()
    if kind == ProductKind.PACKAGE:
        session.execute(sa.delete(PackageCourse).where(PackageCourse.package_id == product.id))
        for course_id in sorted({int(c) for c in form.get("courses", []) if str(c).isdigit()}):
            session.add(PackageCourse(package_id=product.id, course_id=course_id))
    return product


def save_round(session: Session, round_id: int | None, form: dict[str, Any]) -> CourseRound:
    """Schedule or change a round; its capacity never drops below the seats already booked."""
    course = session.get(Product, int(form["course_id"])) if str(form.get("course_id", "")).isdigit() else None
    if course is None or course.kind != ProductKind.COURSE:
        raise SeatRefused("error_not_bookable")
    starts, ends = iso_day(str(form.get("starts_on", ""))), iso_day(str(form.get("ends_on", "")) or str(form.get("starts_on", "")))
    begin, finish = iso_time(str(form.get("daily_start", "09:00"))), iso_time(str(form.get("daily_end", "16:00")))
    if ends < starts:
        raise SeatRefused("error_round_dates")
    if finish <= begin:
        raise SeatRefused("error_round_times")
    rnd = session.exec(select(CourseRound).where(CourseRound.id == round_id).with_for_update()).first() if round_id else CourseRound()
    if rnd is None:
        raise SeatRefused("error_round_gone")
    booked = 0
    if round_id:
        count = seat_counts(session, [round_id])[round_id]
        booked = count.taken + count.held
    capacity = str(form.get("capacity", "")).strip()
    if not capacity.isdigit() or not max(1, booked) <= int(capacity) <= 200:
        raise SeatRefused("error_round_capacity", seats=booked)
    status = str(form.get("status", RoundStatus.OPEN))
    if status not in {s.value for s in RoundStatus}:
        status = RoundStatus.OPEN
    if status in (RoundStatus.OPEN, RoundStatus.FULL):  # full follows the seats
        status = RoundStatus.FULL if booked >= int(capacity) else RoundStatus.OPEN
    was_status, was_starts = rnd.status, rnd.starts_on
    rnd.product_id, rnd.starts_on, rnd.ends_on, rnd.daily_start, rnd.daily_end = course.id, starts, ends, begin, finish
    rnd.capacity, rnd.status, rnd.updated_at = int(capacity), status, utcnow()
    rnd.language = str(form.get("language", "th")).strip()[:40] or "th"
    rnd.instructor = str(form.get("instructor", "")).strip()[:120] or None
    session.add(rnd)
    session.flush()
    if round_id:
        queue_round_news(session, rnd.id, was_status, was_starts)  # the booked customers are told (ADR 016)
        if rnd.status == RoundStatus.CANCELLED and was_status != RoundStatus.CANCELLED:
            release_cancelled_round(session, rnd.id, rnd.updated_at)  # after the news: it reads the live seats
    return rnd


def create_customer_by_hand(session: Session, form: dict[str, Any], now: datetime | None = None) -> Customer:
    """A customer who walked in or phoned: name (required), phone, LINE id, e-mail."""
    name = str(form.get("name", "")).strip()[:200]
    if not name:
        raise SeatRefused("error_customer_name")
    email = str(form.get("email", "")).strip()[:254] or None
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise SeatRefused("error_email")
    now = now or utcnow()
    customer = Customer(standard_id=allocate_code_id(session, BY_HAND, now), display_name=name,
                        phone=str(form.get("phone", "")).strip()[:40] or None, email=email,
                        line_id=str(form.get("line_id", "")).strip()[:60] or None, created_at=now, updated_at=now)
    session.add(customer)
    session.flush()
    return customer

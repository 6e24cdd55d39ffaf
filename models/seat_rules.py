"""How seats in course rounds are held, taken and freed — the rules every screen and actor shares.

- Booking holds one seat per attendee in each chosen round, inside the same transaction as the
  order. The round's row is locked (`SELECT … FOR UPDATE`, rounds in id order) while its seats
  are counted and inserted, so two staff booking the last seat at once are served one after the
  other: the second sees the round full and is refused. A round that fills becomes `full`.
- A held seat becomes `taken` when the order's money kept reaches the deposit rule
  (`Settings.deposit_percent` of the total). An unpaid hold (nothing received on the order)
  expires after `Settings.seat_hold_days`.
- Cancelling or fully refunding an order releases its seats; a transfer releases the seat in
  one round and holds/takes one in a later round of the same course (the order and its money stay).
- Whenever seats free in a round, a `full` round opens again and the first on its waitlist
  becomes a task for staff (`to_contact`); nothing is sent to the customer automatically.
Locks are always taken order row → round rows (by id) → seat rows, so these never deadlock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.base import utcnow
from models.commerce import Order, Product
from models.enums import OrderStatus, ProductKind, RoundStatus, SeatState, WaitlistStatus
from models.meta_reports import ReminderKind
from models.refusals import Refused
from models.reminder_rules import queue_round_change
from models.rounds import CourseRound, PackageCourse, Seat, WaitlistEntry
from models.settings import get_settings

ACTIVE = (SeatState.HELD, SeatState.TAKEN)
_SEAT = Seat.__table__.c
_IDS = sa.bindparam("ids", expanding=True)
# Booking's statements, built once (a booking pays for executing them, not for building them):
_ROUNDS_WITH_SEATS = (sa.select(CourseRound, sa.func.count(_SEAT.id))
                      .outerjoin(Seat.__table__, (_SEAT.round_id == CourseRound.id) & _SEAT.state.in_(ACTIVE))
                      .where(col(CourseRound.id).in_(_IDS)).group_by(CourseRound.id))
_LOCK_ROUNDS = (select(CourseRound).where(col(CourseRound.id).in_(_IDS)).order_by(CourseRound.id).with_for_update()
                .execution_options(populate_existing=True))
_ACTIVE_COUNTS = sa.select(_SEAT.round_id, sa.func.count()).where(_SEAT.round_id.in_(_IDS), _SEAT.state.in_(ACTIVE)).group_by(_SEAT.round_id)
_INSERT_SEATS = sa.insert(Seat.__table__).returning(_SEAT.id, sort_by_parameter_order=True)


class SeatRefused(Refused):
    """Why a seat cannot be booked, moved or a round saved."""


@dataclass(frozen=True)
class SeatCount:
    capacity: int
    taken: int
    held: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.taken - self.held)


def seat_counts(session: Session, round_ids: Iterable[int]) -> dict[int, SeatCount]:
    """Taken / held / left per round, in one query."""
    ids = list(round_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(
            CourseRound.id, CourseRound.capacity,
            sa.func.count(Seat.id).filter(Seat.state == SeatState.TAKEN),
            sa.func.count(Seat.id).filter(Seat.state == SeatState.HELD),
        ).outerjoin(Seat, Seat.round_id == CourseRound.id).where(col(CourseRound.id).in_(ids)).group_by(CourseRound.id)
    ).all()
    return {rid: SeatCount(cap, taken, held) for rid, cap, taken, held in rows}


def courses_of(session: Session, product_id: int) -> list[int]:
    """The course ids a product seats people in: itself for a course, its courses for a package."""
    kind = session.execute(sa.select(Product.kind).where(Product.id == product_id)).scalar()
    if kind == ProductKind.COURSE:
        return [product_id]
    if kind == ProductKind.PACKAGE:
        return list(session.exec(select(PackageCourse.course_id).where(PackageCourse.package_id == product_id)
                                 .order_by(PackageCourse.course_id)))
    return []


def _lock_rounds(session: Session, round_ids: Iterable[int]) -> dict[int, CourseRound]:
    ids = sorted(set(round_ids))
    rounds = {r.id: r for r in session.scalars(_LOCK_ROUNDS, {"ids": ids})}
    if len(rounds) != len(ids):
        raise SeatRefused("error_round_gone")
    return rounds


def _active_counts(session: Session, round_ids: list[int]) -> dict[int, int]:
    """Held + taken seats per round, in one query (a round with none is absent)."""
    return dict(session.execute(_ACTIVE_COUNTS, {"ids": list(round_ids)}).all())


def _active_seats(session: Session, round_id: int) -> int:
    return _active_counts(session, [round_id]).get(round_id, 0)


def _refuse_unless_open(rnd: CourseRound) -> None:
    """A full round (its status follows its seats) or one closed or cancelled takes nobody."""
    if rnd.status == RoundStatus.FULL:
        raise SeatRefused("error_round_full", left=0)
    if rnd.status != RoundStatus.OPEN:
        raise SeatRefused("error_round_not_open")


def refuse_unless_room(rnd: CourseRound, active: int, wanted: int) -> None:
    """Refuse unless the round is open with `wanted` seats beyond the `active` (held + taken) ones."""
    _refuse_unless_open(rnd)
    if active + wanted > rnd.capacity:
        raise SeatRefused("error_round_full", left=max(0, rnd.capacity - active))


def rounds_with_seats(session: Session, round_ids: list[int]) -> dict[int, tuple[CourseRound, int]]:
    """{round id: (round, held + taken seats)} in one query, without a lock: booking's early
    look, so a round already full refuses at once instead of waiting behind the bookers of its
    last seats. Only `lock_for_booking` decides."""
    rows = session.execute(_ROUNDS_WITH_SEATS, {"ids": list(round_ids)}).all()
    return {rnd.id: (rnd, active) for rnd, active in rows}


def lock_for_booking(session: Session, round_ids: list[int], wanted: int) -> dict[int, tuple[CourseRound, int]]:
    """Lock the rounds (by id) and check each has `wanted` seats left: {round id: (round, seats
    booked)}, or a refusal. Two round trips under the lock: the rows re-read `FOR UPDATE` (a round
    another booking just filled is `full` and refuses without counting), then every round's seats
    counted in one query — a new statement, so it sees the seats committed before the lock was ours."""
    rounds = _lock_rounds(session, round_ids)
    for rnd in rounds.values():
        _refuse_unless_open(rnd)
    active = _active_counts(session, list(rounds))
    for rid, rnd in rounds.items():
        refuse_unless_room(rnd, active.get(rid, 0), wanted)
    return {rid: (rnd, active.get(rid, 0)) for rid, rnd in rounds.items()}


def place_seats(session: Session, order: Order, locked: dict[int, tuple[CourseRound, int]], attendee_ids: list[int],
                now: datetime | None = None) -> list[int]:
    """One held seat per attendee in each locked round (`lock_for_booking`), in one INSERT; a
    round it fills becomes full. Returns the new seats' ids."""
    now = now or utcnow()
    until = now + timedelta(days=get_settings().seat_hold_days)
    seats = list(session.connection().execute(_INSERT_SEATS, [
        {"round_id": rid, "order_id": order.id, "attendee_id": attendee, "state": SeatState.HELD, "held_until": until,
         "created_at": now, "updated_at": now} for rid in locked for attendee in attendee_ids
    ]).scalars())
    for rnd, active in locked.values():
        if active + len(attendee_ids) == rnd.capacity:
            rnd.status, rnd.updated_at = RoundStatus.FULL, now
            session.add(rnd)
    return seats


def hold_seats(session: Session, order: Order, round_ids: list[int], attendee_ids: list[int],
               now: datetime | None = None) -> list[int]:
    """One held seat per attendee in each round, or a refusal with nothing written (the caller's
    transaction rolls back). Locks each round row while counting, so seats can never exceed it."""
    for rnd, active in rounds_with_seats(session, round_ids).values():
        refuse_unless_room(rnd, active, len(attendee_ids))
    return place_seats(session, order, lock_for_booking(session, round_ids, len(attendee_ids)), attendee_ids, now)


def deposit_due(total: Decimal) -> Decimal:
    """What must be kept on an order before its seats are taken (the deposit rule)."""
    return (total * get_settings().deposit_percent / 100).quantize(Decimal("0.01"))


def settle_seats(session: Session, order: Order, kept: Decimal, now: datetime | None = None) -> list[int]:
    """After money moved on a (locked) order: held seats become taken once `kept` meets the
    deposit rule; a fully refunded order frees its seats. Returns the rounds whose seats changed."""
    now = now or utcnow()
    if order.status == OrderStatus.REFUNDED:
        return release_order_seats(session, order.id, "refunded", now)
    if kept < deposit_due(order.total) or kept <= 0:
        return []
    held = list(session.exec(select(Seat).where(Seat.order_id == order.id, Seat.state == SeatState.HELD)))
    for seat in held:
        seat.state, seat.held_until, seat.updated_at = SeatState.TAKEN, None, now
        session.add(seat)
    return sorted({s.round_id for s in held})


def _freed(session: Session, rnd: CourseRound, count: int, now: datetime) -> None:
    """Seats freed in a locked round: a full round opens; the first waiting become tasks."""
    if count <= 0:
        return
    if rnd.status == RoundStatus.FULL:
        rnd.status, rnd.updated_at = RoundStatus.OPEN, now
        session.add(rnd)
    waiting = session.exec(select(WaitlistEntry).where(WaitlistEntry.round_id == rnd.id, WaitlistEntry.status == WaitlistStatus.WAITING)
                           .order_by(WaitlistEntry.id).limit(count).with_for_update(skip_locked=True))
    for entry in waiting:
        entry.status, entry.to_contact_at = WaitlistStatus.TO_CONTACT, now
        session.add(entry)


def release_order_seats(session: Session, order_id: int, reason: str, now: datetime | None = None) -> list[int]:
    """Free every active seat of an order (cancelled, refunded). Returns the rounds touched."""
    now = now or utcnow()
    round_ids = session.exec(select(Seat.round_id).where(Seat.order_id == order_id, col(Seat.state).in_(ACTIVE)).distinct()).all()
    for rid, rnd in _lock_rounds(session, round_ids).items():
        seats = list(session.exec(select(Seat).where(Seat.order_id == order_id, Seat.round_id == rid, col(Seat.state).in_(ACTIVE))))
        for seat in seats:
            seat.state, seat.held_until, seat.released_reason, seat.updated_at = SeatState.RELEASED, None, reason, now
            session.add(seat)
        session.flush()
        _freed(session, rnd, len(seats), now)
    return sorted(round_ids)


CANCELLED_NOTE = "round_cancelled:"  # a staff task's note: the order whose round was cancelled


def release_cancelled_round(session: Session, round_id: int, now: datetime | None = None) -> list[int]:
    """A cancelled round gives back every live seat (orders keep their money; staff decide a new
    round or a refund) and puts one task per order in front of staff. Nobody waiting is offered a
    seat in it; their entries close. Idempotent: a second call finds nothing to release.
    Returns the orders whose seats were released."""
    now = now or utcnow()
    _lock_rounds(session, [round_id])
    seats = list(session.exec(select(Seat).where(Seat.round_id == round_id, col(Seat.state).in_(ACTIVE)).order_by(Seat.id)))
    orders: dict[int, None] = {}
    for seat in seats:
        seat.state, seat.held_until, seat.released_reason, seat.updated_at = SeatState.RELEASED, None, "round_cancelled", now
        session.add(seat)
        orders.setdefault(seat.order_id)
    session.execute(sa.update(WaitlistEntry).where(WaitlistEntry.round_id == round_id, WaitlistEntry.status == WaitlistStatus.WAITING)
                    .values(status=WaitlistStatus.DONE, done_at=now))
    for order_id in orders:
        order = session.get(Order, order_id)
        session.add(WaitlistEntry(round_id=round_id, customer_id=order.customer_id, status=WaitlistStatus.TO_CONTACT,
                                  note=f"{CANCELLED_NOTE}{order.order_number}", created_at=now, to_contact_at=now))
    session.flush()
    return list(orders)


def expire_holds(session: Session, now: datetime | None = None) -> list[int]:
    """Release held seats past `held_until` on orders with no money received. Returns the rounds
    that got seats back (each announced by the caller after commit)."""
    now = now or utcnow()
    unpaid = sa.select(Order.id).where(Order.status == OrderStatus.PENDING)
    due = (Seat.state == SeatState.HELD, col(Seat.held_until) < now, col(Seat.order_id).in_(unpaid))
    round_ids = session.exec(select(Seat.round_id).where(*due).distinct()).all()
    freed = []
    for rid, rnd in _lock_rounds(session, round_ids).items():
        result = session.execute(sa.update(Seat).where(Seat.round_id == rid, *due)
                                 .values(state=SeatState.RELEASED, held_until=None, released_reason="expired", updated_at=now))
        if result.rowcount:
            _freed(session, rnd, result.rowcount, now)
            freed.append(rid)
    return freed


def transfer_seats(session: Session, order_id: int, from_round_id: int, to_round_id: int, now: datetime | None = None) -> list[int]:
    """Move an order's seats from one round to a later round of the same course. The new seats
    keep their state (held seats keep their expiry); the order and its payments do not change."""
    now = now or utcnow()
    rounds = _lock_rounds(session, [from_round_id, to_round_id])
    source, target = rounds[from_round_id], rounds[to_round_id]
    if source.product_id != target.product_id or target.starts_on <= source.starts_on or from_round_id == to_round_id:
        raise SeatRefused("error_transfer_later_round")
    if target.status != RoundStatus.OPEN:
        raise SeatRefused("error_round_not_open")
    seats = list(session.exec(select(Seat).where(Seat.order_id == order_id, Seat.round_id == from_round_id, col(Seat.state).in_(ACTIVE))))
    if not seats:
        raise SeatRefused("error_no_seat_to_move")
    active = _active_seats(session, to_round_id)
    if active + len(seats) > target.capacity:
        raise SeatRefused("error_round_full", left=max(0, target.capacity - active))
    for seat in seats:
        moved = Seat(round_id=to_round_id, order_id=order_id, attendee_id=seat.attendee_id, state=seat.state,
                     held_until=seat.held_until, created_at=now, updated_at=now)
        session.add(moved)
        session.flush()
        seat.state, seat.held_until, seat.released_reason, seat.moved_to_id, seat.updated_at = (
            SeatState.RELEASED, None, "transferred", moved.id, now)
        session.add(seat)
    if active + len(seats) == target.capacity:
        target.status, target.updated_at = RoundStatus.FULL, now
        session.add(target)
    session.flush()
    _freed(session, source, len(seats), now)
    queue_round_change(session, order_id, to_round_id, ReminderKind.ROUND_MOVED)  # the customer is told (ADR 016)
    return [from_round_id, to_round_id]


def join_waitlist(session: Session, round_id: int, customer_id: int, staff_id: int | None = None, note: str = "") -> WaitlistEntry:
    """Put someone on a round's waitlist (once: a second request returns the same entry)."""
    if session.get(CourseRound, round_id) is None:
        raise SeatRefused("error_round_gone")
    existing = session.exec(select(WaitlistEntry).where(WaitlistEntry.round_id == round_id, WaitlistEntry.customer_id == customer_id,
                                                        WaitlistEntry.status != WaitlistStatus.DONE)).first()
    if existing:
        return existing
    entry = WaitlistEntry(round_id=round_id, customer_id=customer_id, created_by_id=staff_id, note=note.strip()[:300] or None)
    session.add(entry)
    session.flush()
    return entry


def finish_waitlist_entry(session: Session, entry_id: int, now: datetime | None = None) -> None:
    """Staff contacted (booked or let go) someone who was waiting: the task leaves the inbox."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None:
        raise SeatRefused("error_waitlist_gone")
    entry.status, entry.done_at = WaitlistStatus.DONE, now or utcnow()
    session.add(entry)


def round_days(rnd: CourseRound) -> list[date]:
    """Every calendar day of a round, first to last."""
    return [rnd.starts_on + timedelta(days=i) for i in range((rnd.ends_on - rnd.starts_on).days + 1)]

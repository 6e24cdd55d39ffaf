"""Course rounds (a course on given dates with a number of seats), the seats in them, the
waitlist of a full round, attendance per day, and which courses a package contains.

A seat is one attendee's place in one round, booked by an order (the payer may book several
attendees). The rules that move seats between held, taken and released are in `models.seat_rules`.
"""

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, one_of, timestamp
from models.enums import RoundStatus, SeatState, WaitlistStatus


class PackageCourse(SQLModel, table=True):
    """A package (a product of kind `package`) contains these courses."""

    __tablename__ = "package_course"

    package_id: int = Field(foreign_key="product.id", primary_key=True, ondelete="CASCADE")
    course_id: int = Field(foreign_key="product.id", primary_key=True, ondelete="RESTRICT")


class CourseRound(SQLModel, table=True):
    """One run of a course: dates, daily times, capacity. Its row is locked while booking."""

    __tablename__ = "course_round"
    __table_args__ = (
        one_of("status", RoundStatus),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_course_round_product_starts", "product_id", "starts_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True, ondelete="RESTRICT")
    starts_on: date = Field(sa_type=sa.Date, index=True)
    ends_on: date = Field(sa_type=sa.Date)
    daily_start: time = Field(sa_type=sa.Time)
    daily_end: time = Field(sa_type=sa.Time)
    capacity: int = Field(default=12)
    language: str = Field(default="th", max_length=40)
    instructor: str | None = Field(default=None, max_length=120)
    status: str = choice(RoundStatus, default=RoundStatus.OPEN, index=True)
    created_at: datetime = auto_now()
    updated_at: datetime = auto_now()


class Seat(SQLModel, table=True):
    """An attendee's place in a round, booked by an order."""

    __tablename__ = "seat"
    __table_args__ = (
        one_of("state", SeatState),
        sa.Index("ix_seat_round_state", "round_id", "state"),
        sa.Index("ix_seat_held_until", "held_until", postgresql_where=sa.text("state = 'held'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="course_round.id", ondelete="RESTRICT")
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="CASCADE")
    attendee_id: int = Field(foreign_key="customer.id", index=True, ondelete="RESTRICT")
    state: str = choice(SeatState, default=SeatState.HELD)
    held_until: datetime | None = timestamp()
    released_reason: str | None = Field(default=None, max_length=24)  # expired, cancelled, refunded, transferred
    moved_to_id: int | None = Field(default=None, foreign_key="seat.id", ondelete="SET NULL")
    created_at: datetime = auto_now()
    updated_at: datetime = auto_now()


class WaitlistEntry(SQLModel, table=True):
    """Someone waiting for a seat in a full round; first come, first offered (by staff)."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        one_of("status", WaitlistStatus),
        sa.Index("ix_waitlist_round_status", "round_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="course_round.id", ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    status: str = choice(WaitlistStatus, default=WaitlistStatus.WAITING)
    note: str | None = Field(default=None, max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    created_at: datetime = auto_now()
    to_contact_at: datetime | None = timestamp()
    done_at: datetime | None = timestamp()


class Attendance(SQLModel, table=True):
    """A seat's attendee was present on one day of the round (ticked by staff)."""

    __tablename__ = "attendance"

    seat_id: int = Field(foreign_key="seat.id", primary_key=True, ondelete="CASCADE")
    day: date = Field(sa_type=sa.Date, primary_key=True)
    marked_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    marked_at: datetime = auto_now()

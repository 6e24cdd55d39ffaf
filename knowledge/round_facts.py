"""Course rounds as facts of record: "when is the next round" and "are there seats (left)".

Read from the rounds table (`models.rounds`, seats counted by `models.seat_rules.seat_counts`),
never from a document: a schedule page that still lists last month's dates loses to the table.
Only rounds still to come (first day after today, in Bangkok) that are open or full are told; a
closed or cancelled round is never offered. Seats left = capacity − taken − held. A full round
says so and offers its waitlist, then names the next round that has a seat. Dates are shown as
everywhere else (`models.when.day_shown`: Buddhist-era years in Thai).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, col

from models.commerce import Product
from models.enums import RoundStatus
from models.rounds import CourseRound, PackageCourse
from models.seat_rules import seat_counts
from models.when import day_shown, in_bangkok

TOLD = (RoundStatus.OPEN, RoundStatus.FULL)  # a closed or cancelled round is never offered
PER_COURSE = 12  # rounds kept per course: the next, what follows if it is full, a named month's
ROUND_ATTRIBUTES = ("next_round", "seats")
MONTHS = (
    ("january", "มกราคม", "ม.ค."), ("february", "กุมภาพันธ์", "ก.พ."), ("march", "มีนาคม", "มี.ค."),
    ("april", "เมษายน", "เม.ย."), ("may", "พฤษภาคม", "พ.ค."), ("june", "มิถุนายน", "มิ.ย."),
    ("july", "กรกฎาคม", "ก.ค."), ("august", "สิงหาคม", "ส.ค."), ("september", "กันยายน", "ก.ย."),
    ("october", "ตุลาคม", "ต.ค."), ("november", "พฤศจิกายน", "พ.ย."), ("december", "ธันวาคม", "ธ.ค."),
)


@dataclass(frozen=True)
class RoundInfo:
    id: int
    starts_on: date
    ends_on: date
    daily_start: time
    daily_end: time
    capacity: int
    left: int
    full: bool  # no seat left, or staff marked it full


@dataclass
class Rounds:
    by_sku: dict[str, list[RoundInfo]]  # course SKU → its upcoming rounds, soonest first
    courses_of: dict[str, tuple[str, ...]]  # package SKU → its courses' SKUs

    def of(self, sku: str) -> list[tuple[str, list[RoundInfo]]]:
        """(course SKU, its rounds) for a course, or for each course of a package."""
        skus = self.courses_of.get(sku) or (sku,)
        return [(s, self.by_sku[s]) for s in skus if self.by_sku.get(s)]


def asked_month(question: str) -> int | None:
    """The month a question names ("the January round", "รอบเดือนมกราคม"), if one."""
    lowered = question.lower()
    for number, names in enumerate(MONTHS, start=1):
        if any(re.search(rf"(?<![a-z]){re.escape(n)}", lowered) for n in names):
            return number
    return None


def in_month(rounds: list[RoundInfo], month: int | None) -> list[RoundInfo]:
    """The rounds starting in the asked month (all of them when none is asked)."""
    return [r for r in rounds if month is None or r.starts_on.month == month]


def load_rounds(session: Session, now: datetime | None = None) -> Rounds:
    """The upcoming open/full rounds of every active course, with their seats (three queries)."""
    today = in_bangkok(now or datetime.now(UTC)).date()
    rows = session.execute(
        sa.select(CourseRound, Product.sku)
        .join(Product, Product.id == CourseRound.product_id)
        .where(CourseRound.starts_on > today, col(CourseRound.status).in_(TOLD), Product.is_active)
        .order_by(CourseRound.starts_on, CourseRound.id)
    ).all()
    counts = seat_counts(session, [r.id for r, _ in rows])
    by_sku: dict[str, list[RoundInfo]] = {}
    for rnd, sku in rows:
        kept = by_sku.setdefault(sku, [])
        if len(kept) >= PER_COURSE:
            continue
        left = counts[rnd.id].left
        kept.append(RoundInfo(rnd.id, rnd.starts_on, rnd.ends_on, rnd.daily_start, rnd.daily_end,
                              rnd.capacity, left, left == 0 or rnd.status == RoundStatus.FULL))
    package, course = sa.orm.aliased(Product), sa.orm.aliased(Product)
    links = session.execute(
        sa.select(package.sku, course.sku)
        .join(PackageCourse, PackageCourse.package_id == package.id)
        .join(course, course.id == PackageCourse.course_id)
        .order_by(package.sku, course.sku)
    ).all()
    courses_of: dict[str, tuple[str, ...]] = {}
    for pkg, crs in links:
        courses_of[pkg] = (*courses_of.get(pkg, ()), crs)
    return Rounds(by_sku, courses_of)


def _days(rnd: RoundInfo, language: str) -> str:
    """The whole span, then a separator, for a round of several days; nothing for one day."""
    if rnd.ends_on == rnd.starts_on:
        return ""
    span = f"{day_shown(rnd.starts_on, language)} – {day_shown(rnd.ends_on, language)}"
    return f"{span} " if language == "th" else f"{span}, "


def _hours(rnd: RoundInfo) -> str:
    return f"{rnd.daily_start:%H:%M}–{rnd.daily_end:%H:%M}"


def round_sentence(name: str, rounds: list[RoundInfo], language: str) -> str:
    """What the table says about a course's next round, in the customer's language."""
    th = language == "th"
    first = rounds[0]
    with_seat = next((r for r in rounds if not r.full), None)
    if not first.full:
        if th:
            return (f"{name} รอบถัดไปเริ่ม {day_shown(first.starts_on, 'th')} "
                    f"({_days(first, 'th')}เวลา {_hours(first)}) เหลือ {first.left} ที่นั่งจาก {first.capacity} ที่นั่ง")
        return (f"{name}: the next round starts {day_shown(first.starts_on, 'en')} ({_days(first, 'en')}"
                f"{_hours(first)}), {first.left} of {first.capacity} seats left.")
    if th:
        text = f"{name} รอบวันที่ {day_shown(first.starts_on, 'th')} เต็มแล้ว ลงชื่อในรายชื่อรอ (waitlist) ได้ เมื่อมีที่ว่างทางโรงเรียนจะติดต่อกลับ"
        if with_seat:
            text += (f" รอบถัดไปที่ยังมีที่นั่งเริ่ม {day_shown(with_seat.starts_on, 'th')} "
                     f"เหลือ {with_seat.left} ที่นั่งจาก {with_seat.capacity} ที่นั่ง")
        return text
    text = (f"{name}: the {day_shown(first.starts_on, 'en')} round is full; we can put you on its waitlist "
            f"and contact you when a seat frees.")
    if with_seat:
        text += (f" The next round with seats starts {day_shown(with_seat.starts_on, 'en')}, "
                 f"{with_seat.left} of {with_seat.capacity} seats left.")
    return text

"""Business-minute arithmetic on the school's calendar (Asia/Bangkok): how many minutes the
school was open between two instants, whether it is open now, when it opens next, and when a
target of N business minutes falls due.

A `Calendar` is plain data (opening periods per weekday, holidays, closures), so the arithmetic
is a pure function of it: the inbox, the actors and the reports load it once (`load_calendar`)
and reuse it. Each local day contributes its open intervals (the weekday's periods, none on a
holiday) minus the closures; everything is computed on aware datetimes, so midnight, breaks and
a closure crossing days need no special case.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models.hours import Closure, Holiday, OpeningPeriod
from models.settings import get_settings

Interval = tuple[datetime, datetime]
ALL_DAY = ((time(0), time(0)),)  # a calendar with no opening periods at all: hours not set up, open around the clock
MAX_SEARCH_DAYS = 800  # next_opening/add_minutes give up (None) past this: a calendar that never opens


@dataclass(frozen=True)
class Calendar:
    """When the school answers. `periods[weekday]` (0 = Monday) are (opens, closes) local times,
    sorted; the gaps between them are breaks. `closures` are (start, end) instants. No periods
    on any day means the hours are not set up: open around the clock (holidays and closures
    still apply), so nothing is measured against, or replied to about, hours nobody chose."""

    periods: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    closures: tuple[Interval, ...] = ()
    timezone: str = "Asia/Bangkok"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _subtract(interval: Interval, cuts: tuple[Interval, ...]) -> list[Interval]:
    pieces = [interval]
    for cut_start, cut_end in cuts:
        kept: list[Interval] = []
        for start, end in pieces:
            if cut_end <= start or cut_start >= end:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        pieces = kept
    return pieces


def day_intervals(day: date, calendar: Calendar) -> list[Interval]:
    """The instants the school is open on one local day, in order (closures cut out)."""
    if day in calendar.holidays:
        return []
    tz = calendar.tz
    out: list[Interval] = []
    for opens, closes in calendar.periods.get(day.weekday(), ()) if calendar.periods else ALL_DAY:
        end = datetime.combine(day, closes, tz) if closes != time(0) else datetime.combine(day + timedelta(days=1), time(0), tz)
        out.extend(_subtract((datetime.combine(day, opens, tz), end), calendar.closures))
    return out


def _intervals_from(at: datetime, calendar: Calendar, days: int = MAX_SEARCH_DAYS) -> Iterator[Interval]:
    """Open intervals ending after `at`, in order, clipped to start no earlier than `at`."""
    day = at.astimezone(calendar.tz).date()
    for offset in range(days):
        for start, end in day_intervals(day + timedelta(days=offset), calendar):
            if end > at:
                yield max(start, at), end


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


def business_minutes(start: datetime, end: datetime, calendar: Calendar) -> float:
    """Minutes the school was open between two instants (0 when `end` is not after `start`)."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return 0.0
    total = 0.0
    days = (end.astimezone(calendar.tz).date() - start.astimezone(calendar.tz).date()).days + 1
    for a, b in _intervals_from(start, calendar, days):
        if a >= end:
            break
        total += (min(b, end) - a).total_seconds()
    return total / 60


def is_open(at: datetime, calendar: Calendar) -> bool:
    """Whether the school answers at this instant (an opening time counts, a closing one not)."""
    at = _aware(at)
    return any(start <= at < end for start, end in day_intervals(at.astimezone(calendar.tz).date(), calendar))


def next_opening(at: datetime, calendar: Calendar) -> datetime | None:
    """The first instant at or after `at` when the school is open (`at` itself when open);
    None if it never opens within `MAX_SEARCH_DAYS`."""
    at = _aware(at)
    for start, _ in _intervals_from(at, calendar):
        return start
    return None


def closed_since(at: datetime, calendar: Calendar) -> datetime | None:
    """When the closed stretch containing `at` began (the last closing before it), or None when
    open. A stretch is named by this instant: one out-of-hours reply per stretch."""
    at = _aware(at)
    if is_open(at, calendar):
        return None
    day = at.astimezone(calendar.tz).date()
    for offset in range(MAX_SEARCH_DAYS):
        ends = [end for _, end in day_intervals(day - timedelta(days=offset), calendar) if end <= at]
        if ends:
            return max(ends)
    return datetime.combine(day - timedelta(days=MAX_SEARCH_DAYS), time(0), calendar.tz)


def add_business_minutes(start: datetime, minutes: float, calendar: Calendar) -> datetime | None:
    """The instant `minutes` business minutes after `start` (a due time); None if the calendar
    does not hold that many open minutes within `MAX_SEARCH_DAYS`."""
    start = _aware(start)
    left = timedelta(minutes=minutes)
    for a, b in _intervals_from(start, calendar):
        if b - a >= left:
            return a + left
        left -= b - a
    return None


def open_intervals(start: datetime, end: datetime, calendar: Calendar) -> list[Interval]:
    """The open intervals between two instants, clipped to them, in order."""
    start, end = _aware(start), _aware(end)
    days = (end.astimezone(calendar.tz).date() - start.astimezone(calendar.tz).date()).days + 1
    return [(a, min(b, end)) for a, b in _intervals_from(start, calendar, max(days, 0)) if a < end]


def load_calendar(session: Session) -> Calendar:
    """The school's calendar as stored (opening periods, holidays, closures)."""
    periods: dict[int, list[tuple[time, time]]] = {}
    for row in session.exec(select(OpeningPeriod).order_by(OpeningPeriod.weekday, OpeningPeriod.opens)):
        periods.setdefault(row.weekday, []).append((row.opens, row.closes))
    holidays = frozenset(session.exec(select(Holiday.day)).all())
    closures = tuple((c.starts_at, c.ends_at) for c in session.exec(select(Closure).order_by(Closure.starts_at)))
    return Calendar({k: tuple(v) for k, v in periods.items()}, holidays, closures, get_settings().timezone)

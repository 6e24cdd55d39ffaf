"""Business-minute arithmetic across breaks, holidays, closures and midnight: worked examples,
and properties checked over generated calendars and instants against a minute-by-minute
brute force (`is_open` sampled every minute)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from models.business_hours import (
    Calendar,
    add_business_minutes,
    business_minutes,
    closed_since,
    is_open,
    next_opening,
)

BKK = ZoneInfo("Asia/Bangkok")
# Tuesday–Sunday 09:00–12:00 and 13:00–18:00; Monday closed (the seeded week)
WEEK = Calendar({d: ((time(9), time(12)), (time(13), time(18))) for d in range(1, 7)})


def bkk(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BKK)


def test_a_day_with_a_lunch_break_counts_eight_hours() -> None:
    # Tuesday 8 Dec 2026
    assert business_minutes(bkk(2026, 12, 8, 0), bkk(2026, 12, 9, 0), WEEK) == 8 * 60
    assert business_minutes(bkk(2026, 12, 8, 11, 30), bkk(2026, 12, 8, 13, 30), WEEK) == 60  # the break does not count


def test_the_night_and_a_closed_monday_do_not_count() -> None:
    # Sunday 17:50 → Tuesday 09:10: 10 minutes on Sunday, Monday closed, 10 on Tuesday
    assert business_minutes(bkk(2026, 12, 13, 17, 50), bkk(2026, 12, 15, 9, 10), WEEK) == 20


def test_a_holiday_and_a_closure_do_not_count() -> None:
    holidays = Calendar(WEEK.periods, frozenset({date(2026, 12, 10)}))
    assert business_minutes(bkk(2026, 12, 10, 0), bkk(2026, 12, 11, 0), holidays) == 0
    closed = Calendar(WEEK.periods, closures=((bkk(2026, 12, 8, 10), bkk(2026, 12, 8, 15)),))
    assert business_minutes(bkk(2026, 12, 8, 0), bkk(2026, 12, 9, 0), closed) == 8 * 60 - 4 * 60


def test_open_next_opening_and_closed_since() -> None:
    assert is_open(bkk(2026, 12, 8, 9), WEEK) and not is_open(bkk(2026, 12, 8, 12), WEEK)
    assert next_opening(bkk(2026, 12, 8, 12, 30), WEEK) == bkk(2026, 12, 8, 13)
    assert next_opening(bkk(2026, 12, 13, 23), WEEK) == bkk(2026, 12, 15, 9)  # Sunday night → Tuesday
    assert closed_since(bkk(2026, 12, 15, 2), WEEK) == bkk(2026, 12, 13, 18)
    assert closed_since(bkk(2026, 12, 15, 10), WEEK) is None
    assert next_opening(bkk(2026, 12, 8, 0), Calendar()) == bkk(2026, 12, 8, 0)  # no hours set up: always open
    shut = Calendar(WEEK.periods, closures=((bkk(2026, 1, 1), bkk(2030, 1, 1)),))
    assert next_opening(bkk(2026, 12, 8, 0), shut) is None and add_business_minutes(bkk(2026, 12, 8), 5, shut) is None


def test_a_due_time_skips_the_break_and_the_night() -> None:
    assert add_business_minutes(bkk(2026, 12, 8, 11, 50), 15, WEEK) == bkk(2026, 12, 8, 13, 5)
    assert add_business_minutes(bkk(2026, 12, 13, 17, 55), 15, WEEK) == bkk(2026, 12, 15, 9, 10)


# --- properties ---------------------------------------------------------------------------

quarter_hours = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    periods: dict[int, tuple[tuple[time, time], ...]] = {}
    for weekday in range(7):
        cuts = sorted(set(draw(st.lists(quarter_hours, max_size=4))))
        pairs = tuple((cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2))
        if pairs:
            periods[weekday] = pairs
    base = date(2026, 12, 1)
    holidays = frozenset(base + timedelta(days=d) for d in draw(st.lists(st.integers(0, 20), max_size=3)))
    closures = tuple(
        (start, start + timedelta(minutes=length))
        for start, length in draw(st.lists(st.tuples(instants, st.integers(1, 2000)), max_size=2))
    )
    return Calendar(periods, holidays, closures)


instants = st.integers(0, 14 * 24 * 60).map(lambda m: datetime(2026, 12, 1, tzinfo=UTC) + timedelta(minutes=m))


def brute_force(start: datetime, end: datetime, calendar: Calendar) -> int:
    minutes, at = 0, start
    while at < end:
        minutes += is_open(at, calendar)
        at += timedelta(minutes=1)
    return minutes


@settings(max_examples=60, deadline=None)
@given(calendars(), instants, st.integers(0, 3 * 24 * 60))
def test_minutes_equal_a_minute_by_minute_count(calendar: Calendar, start: datetime, length: int) -> None:
    end = start + timedelta(minutes=length)
    assert business_minutes(start, end, calendar) == brute_force(start, end, calendar)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, instants, instants)
def test_minutes_add_up_and_stay_within_the_clock(calendar: Calendar, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    whole = business_minutes(a, c, calendar)
    assert whole == business_minutes(a, b, calendar) + business_minutes(b, c, calendar)
    assert 0 <= whole <= (c - a).total_seconds() / 60
    assert business_minutes(c, a, calendar) == 0


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, st.integers(0, 2000))
def test_a_due_time_is_exactly_that_many_business_minutes_away(calendar: Calendar, start: datetime, minutes: int) -> None:
    due = add_business_minutes(start, minutes, calendar)
    if due is None:
        return
    assert business_minutes(start, due, calendar) == minutes
    if minutes:
        assert is_open(due - timedelta(seconds=1), calendar)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants)
def test_next_opening_is_the_first_open_instant(calendar: Calendar, at: datetime) -> None:
    opening = next_opening(at, calendar)
    if opening is None:
        return
    assert is_open(opening, calendar)
    assert business_minutes(at, opening, calendar) == 0
    since = closed_since(at, calendar)
    assert (since is None) == is_open(at, calendar)
    if since is not None:
        assert since <= at and business_minutes(since, at, calendar) == 0

"""Admins change the calendar and the targets: a weekday's hours from one line of text
("09:00-12:00, 13:00-18:00"), holidays, closures. Plain functions (the page and tests call
them); each refuses bad input with a sentence and drops this process's cached calendar."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from models.hours import Closure, Holiday, OpeningPeriod
from models.refusals import Refused, iso_day
from models.settings import get_settings
from models.sla import forget_calendar
from models.when import in_bangkok

PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_periods(text: str, weekday: int) -> list[tuple[time, time]]:
    """"09:00-12:00, 13:00-18:00" → [(09:00, 12:00), (13:00, 18:00)]; "" → [] (closed)."""
    periods = []
    for part in [p for p in re.split(r"[,;]", text) if p.strip()]:
        found = PERIOD.match(part)
        if not found:
            raise Refused("error_hours_form", text=part.strip()[:40])
        h1, m1, h2, m2 = map(int, found.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise Refused("error_hours_form", text=part.strip()[:40])
        periods.append((time(h1, m1), time(h2, m2)))
    for i, (opens, closes) in enumerate(periods):
        if opens >= closes or (i and periods[i - 1][1] > opens):
            raise Refused("error_hours_overlap", day=WEEKDAYS_EN[weekday])
    return periods


def week_text(session: Session) -> list[str]:
    """Each weekday's periods as the admin writes them (Monday first)."""
    days: list[list[str]] = [[] for _ in range(7)]
    for p in session.exec(select(OpeningPeriod).order_by(OpeningPeriod.weekday, OpeningPeriod.opens)):
        days[p.weekday].append(f"{p.opens:%H:%M}-{p.closes:%H:%M}")
    return [", ".join(d) for d in days]


def set_week(session: Session, texts: list[str]) -> None:
    """Replace the whole week's opening periods (all seven days checked before anything changes)."""
    parsed = [parse_periods(texts[d] if d < len(texts) else "", d) for d in range(7)]
    session.exec(delete(OpeningPeriod))
    for weekday, periods in enumerate(parsed):
        session.add_all(OpeningPeriod(weekday=weekday, opens=o, closes=c) for o, c in periods)
    forget_calendar()


def add_holiday(session: Session, day_text: str, name_en: str, name_th: str) -> date:
    """Add (or rename) a holiday."""
    day = iso_day(day_text)
    if not (name_en.strip() or name_th.strip()):
        raise Refused("error_holiday_name")
    row = session.get(Holiday, day) or Holiday(day=day, name_en="", name_th="")
    row.name_en, row.name_th = (name_en.strip() or name_th.strip())[:120], (name_th.strip() or name_en.strip())[:120]
    session.add(row)
    forget_calendar()
    return day


def remove_holiday(session: Session, day_text: str) -> None:
    session.exec(delete(Holiday).where(col(Holiday.day) == iso_day(day_text)))
    forget_calendar()


def _local(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise Refused("error_closure_form") from exc
    return value.replace(tzinfo=ZoneInfo(get_settings().timezone)) if value.tzinfo is None else value


def add_closure(session: Session, starts: str, ends: str, note: str, staff_id: int | None) -> Closure:
    """A one-off closure between two Bangkok times."""
    start, end = _local(starts), _local(ends)
    if end <= start:
        raise Refused("error_closure_form")
    closure = Closure(starts_at=start, ends_at=end, note=note.strip()[:200], created_by_id=staff_id)
    session.add(closure)
    session.flush()
    forget_calendar()
    return closure


def remove_closure(session: Session, closure_id: int) -> None:
    session.exec(delete(Closure).where(col(Closure.id) == closure_id))
    forget_calendar()


def holidays_shown(session: Session, language: str, since: date | None = None) -> list[dict[str, str]]:
    rows = session.exec(select(Holiday).where(col(Holiday.day) >= (since or date(2000, 1, 1))).order_by(Holiday.day)).all()
    return [{"day": h.day.isoformat(), "name": h.name_th if language == "th" else h.name_en} for h in rows]


def closures_shown(session: Session, since: datetime) -> list[dict[str, str]]:
    rows = session.exec(select(Closure).where(Closure.ends_at >= since).order_by(Closure.starts_at)).all()
    return [{"id": str(c.id), "from": f"{in_bangkok(c.starts_at):%Y-%m-%d %H:%M}", "to": f"{in_bangkok(c.ends_at):%Y-%m-%d %H:%M}",
             "note": c.note} for c in rows]

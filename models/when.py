"""Times as the school reads them: Bangkok time, Thai dates with the Buddhist year in Thai
("7 ธ.ค. 2569 14:05"), English dates in English ("7 Dec 2026 14:05").

Times are stored in UTC; every screen, export and message that shows one to a person goes
through `shown`, so the two languages never drift apart.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.settings import get_settings

THAI_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BUDDHIST_ERA = 543


def in_bangkok(value: datetime) -> datetime:
    """The same instant on the school's clock (naive values are taken as UTC, as stored)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(ZoneInfo(get_settings().timezone))


def day_shown(day: date, language: str, *, year: bool = True) -> str:
    """7 ธ.ค. 2569 / 7 Dec 2026 (without the year: 7 ธ.ค. / 7 Dec)."""
    if language == "th":
        text = f"{day.day} {THAI_MONTHS[day.month - 1]}"
        return f"{text} {day.year + BUDDHIST_ERA}" if year else text
    text = f"{day.day} {ENGLISH_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def shown(value: datetime | None, language: str, *, year: bool = True) -> str:
    """A stored time in Bangkok, as a date and hh:mm in the reader's language; "" for none."""
    if value is None:
        return ""
    local = in_bangkok(value)
    return f"{day_shown(local.date(), language, year=year)} {local:%H:%M}"


def shown_iso(value: str | None, language: str, *, year: bool = True) -> str:
    """`shown` for an ISO 8601 string (what snapshots and JSON carry)."""
    return shown(datetime.fromisoformat(value), language, year=year) if value else ""

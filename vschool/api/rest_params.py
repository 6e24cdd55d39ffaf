"""The REST API's parameters, checked before any query runs: whole numbers of ASCII digits within
what the database column holds, text without control characters, days and cursors that exist.
Whatever fails is an `ApiError` (400 and a sentence saying what to send), never a database error.
The limits here are the ones `/api/v1/openapi.json` documents (`rest_schema.py`).
"""

import re
import unicodedata
from datetime import date, datetime

from starlette.requests import Request

MAX_PAGE = 1_000_000  # 25 million rows in: far past any list, far below where OFFSET overflows
INT_MAX = 2**31 - 1  # PostgreSQL `integer`: conversation and message ids
BIGINT_MAX = 2**63 - 1
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
MAX_SPAN_DAYS = 731
TIMELINE_KINDS = ("message", "referral", "order", "payment", "note", "reminder", "report")
MAX_TEXT = 100
MAX_CURSOR = 80

_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also takes '²' and Thai digits
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STANDARD_ID = r"^[A-Za-z0-9-]{1,32}$"
_STANDARD_ID = re.compile(STANDARD_ID)
CURSOR = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
    r"\|(" + "|".join(TIMELINE_KINDS) + r")\|[0-9]{1,19}$"
)  # `at|kind|id`, as `Entry.cursor` writes it
_CURSOR = re.compile(CURSOR)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad(message: str) -> ApiError:
    return ApiError(400, "bad_parameter", message)


def whole(name: str, raw: str, low: int, high: int) -> int:
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise bad(f"`{name}` must be a whole number from {low} to {high} in ASCII digits, not {raw[:40]!r}.")
    return int(raw)


def query_int(request: Request, name: str, low: int, high: int) -> int | None:
    raw = request.query_params.get(name, "")
    return None if raw == "" else whole(name, raw, low, high)


def page(request: Request) -> int:
    return query_int(request, "page", 0, MAX_PAGE) or 0


def path_id(request: Request, name: str) -> int:
    return whole(name, request.path_params[name], 1, INT_MAX)


def text(name: str, raw: str, longest: int = MAX_TEXT) -> str:
    if len(raw) > longest:
        raise bad(f"`{name}` may be at most {longest} characters long.")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in raw):
        raise bad(f"`{name}` must not contain control characters (NUL, line breaks, tabs…).")
    return raw


def query_text(request: Request, name: str, longest: int = MAX_TEXT) -> str:
    return text(name, request.query_params.get(name, ""), longest)


def standard_id(name: str, raw: str) -> str:
    if raw and not _STANDARD_ID.fullmatch(raw):
        raise bad(f"`{name}` must be a customer's standard id like TVS-CUS-FB-26-0001 (letters, digits and dashes).")
    return raw


def choice(request: Request, name: str, allowed: list[str]) -> str:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise bad(f"`{name}` must be one of {', '.join(allowed)}.")
    return value


def day(request: Request, name: str) -> date:
    raw = request.query_params.get(name, "")
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        found = date.fromisoformat(raw)
    except ValueError:
        raise bad(f"`{name}` must be a day as YYYY-MM-DD (Asia/Bangkok) that exists.") from None
    if not FIRST_DAY <= found <= LAST_DAY:
        raise bad(f"`{name}` must be a day from {FIRST_DAY} to {LAST_DAY}.")
    return found


def day_range(request: Request) -> tuple[date, date]:
    since, until = day(request, "since"), day(request, "until")
    if until < since or (until - since).days > MAX_SPAN_DAYS:
        raise bad("`since` must not be after `until`, and a range may span at most two years.")
    return since, until


def timeline_cursor(request: Request) -> str | None:
    """A `next` cursor of an earlier timeline answer (`time|kind|id`), or None for the first page."""
    raw = request.query_params.get("before", "")
    if raw == "":
        return None
    try:
        if len(raw) > MAX_CURSOR or not _CURSOR.fullmatch(raw):
            raise ValueError(raw)
        at, _, entry_id = raw.split("|")
        if int(entry_id) > BIGINT_MAX:
            raise ValueError(raw)
        datetime.fromisoformat(at)
    except ValueError:
        raise bad("`before` must be a `next` cursor from an earlier answer.") from None
    return raw

"""Reading other systems' records tolerantly: field names matched loosely (camelCase, snake_case,
Thai headers), values parsed the ways real exports write them (Thai digits, Buddhist years,
"฿12,900.00", epoch milliseconds), and every value that cannot be used reported as a `Problem`
with its file, field and reason instead of being dropped quietly."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from models.enums import LeadStage

BANGKOK = ZoneInfo("Asia/Bangkok")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
STANDARD_ID = re.compile(r"TVS\s*-\s*CUS\s*-\s*([A-Z]{2,4})\s*-\s*(\d{2})\s*-\s*(\d{1,6})", re.IGNORECASE)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# What each lead stage is called in the old system, the spreadsheets and by staff (lower case).
STAGE_WORDS: dict[str, LeadStage] = {
    **{w: LeadStage.NEW for w in ("new", "lead", "prospect", "ใหม่", "ลูกค้าใหม่", "สนใจ", "interested")},
    **{w: LeadStage.CONTACTED for w in ("contacted", "replied", "ติดต่อแล้ว", "ตอบแล้ว", "follow up", "followup")},
    **{w: LeadStage.QUALIFIED for w in ("qualified", "hot", "warm", "พร้อมซื้อ", "พิจารณา")},
    **{w: LeadStage.DEPOSIT for w in ("deposit", "deposit_paid", "มัดจำ", "จ่ายมัดจำ", "วางมัดจำ")},
    **{w: LeadStage.ENROLLED for w in ("enrolled", "student", "customer", "paid", "นักเรียน", "ลงทะเบียนแล้ว", "ชำระแล้ว")},
    **{w: LeadStage.LOST for w in ("lost", "closed lost", "cold", "ไม่สนใจ", "ยกเลิก", "cancelled")},
}


@dataclass(frozen=True)
class Problem:
    """One thing in the input that could not be used: where, which field, why."""

    file: str
    field: str
    reason: str
    record: str | None = None  # the record's id when the file holds several

    def as_dict(self) -> dict[str, str]:
        out = {"file": self.file, "field": self.field, "reason": self.reason}
        if self.record:
            out["record"] = self.record
        return out


@lru_cache(maxsize=8192)
def key_of(name: str) -> str:
    """A field name reduced to what matters: `firstName`, `first_name`, `First Name` → `firstname`."""
    return re.sub(r"[\s_\-.:/()]+", "", str(name)).casefold()


class Fields:
    """A record whose fields are found by any of several names, at the top or one or two levels
    down (`profile`, `contact_info`, …); records which names were used."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.flat: dict[str, tuple[str, Any]] = {}
        self._walk(record, "", 0)

    def _walk(self, record: dict[str, Any], prefix: str, depth: int) -> None:
        nested = []
        for name, value in record.items():
            self.flat.setdefault(key_of(name), (prefix + str(name), value))
            if isinstance(value, dict) and depth < 2:
                nested.append((name, value))
        for name, value in nested:
            self._walk(value, f"{prefix}{name}.", depth + 1)

    def get(self, *names: str) -> tuple[str, Any]:
        """(the field's name as written, its value) for the first of `names` present and not
        empty; ("", None) when none is."""
        for name in names:
            found = self.flat.get(key_of(name))
            if found is not None and found[1] not in (None, "", [], {}):
                return found
        return "", None


def clean_text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise ValueError("is not text")
    text = " ".join(str(value).split())
    return text[:limit] or None


def thai_phone(value: Any) -> str | None:
    """A Thai phone number in one form (`0812345678`): `081-234-5678`, `+66 81 234 5678`,
    `66812345678` and Thai digits are one number. None when it is not a Thai number."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", str(value).translate(THAI_DIGITS))
    if digits.startswith("0066"):
        digits = digits[4:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = digits[2:]
    if len(digits) in (8, 9) and not digits.startswith("0"):
        digits = "0" + digits
    if re.fullmatch(r"0[2-9]\d{7,8}", digits):
        return digits
    return None


def email_address(value: Any) -> str | None:
    text = clean_text(value, 254)
    if text is None:
        return None
    address = text.replace(" ", "").lower()
    if not EMAIL.fullmatch(address):
        raise ValueError(f"{text!r} is not an e-mail address")
    return address


def standard_id(value: Any) -> tuple[str, int, int] | None:
    """(channel code, two-digit year, number) of a standard customer id written any way
    (`tvs-cus-fb-26-12`, ` TVS-CUS-FB-26-0012 `); None when it is not one."""
    if value is None:
        return None
    found = STANDARD_ID.fullmatch(str(value).translate(THAI_DIGITS).strip())
    if not found or int(found.group(3)) == 0:
        return None
    return found.group(1).upper(), int(found.group(2)), int(found.group(3))


def money_amount(value: Any) -> Decimal:
    """THB written as `12900`, `"12,900"`, `"฿12,900.00"`, `"12900 บาท"`."""
    if isinstance(value, bool) or value is None:
        raise ValueError("is empty")
    text = str(value).translate(THAI_DIGITS)
    text = re.sub(r"(?i)thb|บาท|฿|,|\s", "", text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValueError(f"{value!r} is not an amount of money")
    return amount.quantize(Decimal("0.01"))


def count(value: Any) -> int:
    """A whole count written as a number or a string (`"1,204"`)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("is empty")
    text = str(value).translate(THAI_DIGITS).replace(",", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite() or number < 0 or number != number.to_integral_value() or number > 2**62:
        raise ValueError(f"{value!r} is not a whole number of at least 0")
    return int(number)


def _year(y: int) -> int:
    return y - 543 if y > 2400 else y  # Buddhist era (2569 = 2026)


def moment(value: Any) -> datetime:
    """A point in time: ISO 8601 (`Z` or offset; none means Bangkok), `15/01/2026` or
    `15/01/2569` (Buddhist year), epoch seconds or milliseconds."""
    if isinstance(value, bool) or value is None:
        raise ValueError("is empty")
    if isinstance(value, int | float) or re.fullmatch(r"\d{9,13}", str(value).strip()):
        seconds = float(value)
        seconds = seconds / 1000 if seconds > 1e11 else seconds
        return datetime.fromtimestamp(seconds, UTC)
    text = str(value).translate(THAI_DIGITS).strip()
    found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
    try:
        if found:
            d, m, y, hh, mm, ss = found.groups()
            return datetime(_year(int(y)), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=BANGKOK)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date or time") from None
    parsed = parsed.replace(year=_year(parsed.year))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BANGKOK)


def calendar_day(value: Any) -> date:
    """A day (`2026-11-01`, `01/11/2569`, an ISO time: its Bangkok day)."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a day of the calendar") from None
    return moment(value).astimezone(BANGKOK).date()


def lead_stage(value: Any) -> LeadStage:
    word = " ".join(str(value).split()).casefold()
    try:
        return LeadStage(word)
    except ValueError:
        pass
    if word in STAGE_WORDS:
        return STAGE_WORDS[word]
    raise ValueError(f"{value!r} is not a lead stage we know")


def tag_list(value: Any) -> list[str]:
    """Tags or segments: a list, or one string split on commas, semicolons or `|`."""
    items = value if isinstance(value, list) else re.split(r"[,;|]", str(value))
    tags = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("label") or item.get("tag")
        text = " ".join(str(item or "").split())[:60]
        if text and text not in tags:
            tags.append(text)
    return tags

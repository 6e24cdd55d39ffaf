"""How figures read on screen: Thai baht, counts, percentages, multiples, and "—" for a figure
that cannot be known (models/marketing_figures.py says when that is); a range of days in the
reader's language (Buddhist-era years in Thai)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from models.order_queries import parse_day
from models.when import day_shown
from vschool.i18n import text

MONEY = {"spend", "revenue", "cac", "cpl", "cpc", "aov"}
COUNTS = {"impressions", "clicks", "leads", "meta_leads", "enrolled", "orders", "seats", "reported_purchases", "reported_leads"}
PERCENT = {"ctr", "conversion"}
TIMES = {"roas", "meta_purchase_roas"}
UNKNOWN = "—"


def decimal_or_none(value: Any) -> Decimal | None:
    """A figure as Decimal; None for a missing or unreadable one."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def baht(value: Any) -> str:
    """฿1,234,567 (whole baht from ฿1,000; satang below, where they matter: CPC ฿6.25)."""
    v = decimal_or_none(value)
    if v is None:
        return UNKNOWN
    return f"฿{v:,.0f}" if abs(v) >= 1000 else f"฿{v:,.2f}"


def figure(key: str, value: Any) -> str:
    """One marketing figure as it reads in a card or a table cell."""
    v = decimal_or_none(value)
    if v is None:
        return UNKNOWN
    if key in MONEY:
        return baht(v)
    if key in COUNTS:
        return f"{v:,.0f}"
    if key in PERCENT:
        return f"{v * 100:,.2f}%"
    if key in TIMES:
        return f"{v:,.2f}×"
    return str(v)


def day_range(since: str, until: str, language: str) -> str:
    """Two ISO days as a reader says them: "8 พ.ย. – 7 ธ.ค. 2569" / "8 Nov – 7 Dec 2026" (the
    first year only when it differs); one of them alone: "ตั้งแต่ 8 พ.ย. 2569" / "until 7 Dec
    2026"; "" for none (a date picker shows the browser's own format, mm/dd/yyyy on most)."""
    start, end = parse_day(since), parse_day(until)
    if start and end:
        return f"{day_shown(start, language, year=start.year != end.year)} – {day_shown(end, language)}"
    if start:
        return text("range_from", language).format(day=day_shown(start, language))
    if end:
        return text("range_until", language).format(day=day_shown(end, language))
    return ""

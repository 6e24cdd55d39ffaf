"""How figures read on screen: Thai baht, counts, percentages, multiples, and "—" for a figure
that cannot be known (models/marketing_figures.py says when that is)."""

from decimal import Decimal, InvalidOperation
from typing import Any

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

"""The old system's ad logs (seed 002: `cache/ad_logs/daily|hourly/…`, campaign snapshots under
`cache/ads/`) into the insight tables the marketing panel reads, keyed by ad and day (and hour),
so a second run writes nothing.

Rows are read the way the Marketing API writes them (`ad_id`, `date_start`, `spend` as a string,
`actions`, `hourly_stats_aggregated_by_advertiser_time_zone`) or with friendlier names; the first
row of each shape is matched field by field and the rest of the rows of that shape follow it, so
millions of rows read fast. A row that cannot be read is reported and left out."""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from models.transfer import fields as f
from models.transfer.fields import Problem, key_of

LEADS_ACTION = "onsite_conversion.messaging_conversation_started_7d"
ROW_NAMES: dict[str, tuple[str, ...]] = {
    "ad_id": ("ad_id", "adId", "ad"),
    "day": ("date_start", "date", "day", "dateStart", "วันที่"),
    "hour": ("hourly_stats_aggregated_by_advertiser_time_zone", "hourly_stats_aggregated_by_audience_time_zone", "hour", "hourOfDay", "ชั่วโมง"),
    "spend": ("spend", "amountSpent", "amount_spent", "cost", "ค่าโฆษณา"),
    "impressions": ("impressions", "imps", "impr"),
    "clicks": ("clicks", "allClicks", "คลิก"),
    "reach": ("reach",),
    "leads": ("leads", "messagingConversationsStarted", "conversations", "messages", "ทักแชท"),
    "actions": ("actions",),
    "action_values": ("action_values", "actionValues"),
    "ad_name": ("ad_name", "adName"),
    "adset_id": ("adset_id", "adSetId", "ad_set_id"),
    "adset_name": ("adset_name", "adSetName", "ad_set_name"),
    "campaign_id": ("campaign_id", "campaignId"),
    "campaign_name": ("campaign_name", "campaignName"),
}


@dataclass
class ParsedLog:
    rows: list[tuple] = field(default_factory=list)
    names: dict[str, tuple[str, str, str, str, str]] = field(default_factory=dict)  # ad → (name, adset, adset name, campaign, campaign name)


def rows_of(data: Any) -> list[Any] | None:
    """The insight rows of a log file: a list, or `{"data": [...]}` (Meta's paging shape) or
    `{"rows"|"insights"|"ads": [...]}`."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for name in ("data", "rows", "insights", "ads", "records"):
            if isinstance(data.get(name), list):
                return data[name]
    return None


def _layout(row: dict[str, Any]) -> dict[str, str]:
    by_key = {key_of(k): k for k in row}
    layout = {}
    for name, aliases in ROW_NAMES.items():
        for alias in aliases:
            if key_of(alias) in by_key:
                layout[name] = by_key[key_of(alias)]
                break
    return layout


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(value) if isinstance(value, str | int) else f.money_amount(value)
    except InvalidOperation:
        amount = f.money_amount(value)
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValueError(f"{value!r} is not an amount of money")
    return amount


def _count(value: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        return f.count(value)
    if number < 0 or number > 2**62:
        raise ValueError(f"{value!r} is not a whole number of at least 0")
    return number


def _hour(value: Any) -> int:
    text = str(value).strip()
    hour = int(text[:2]) if len(text) >= 2 and text[:2].isdigit() else int(text.split(":")[0])
    if not 0 <= hour <= 23:
        raise ValueError(f"{value!r} is not an hour of the day")
    return hour


def _leads(row: dict[str, Any], layout: dict[str, str]) -> int:
    if "leads" in layout:
        return _count(row.get(layout["leads"]))
    for action in row.get(layout.get("actions", "actions")) or ():
        if isinstance(action, dict) and action.get("action_type") == LEADS_ACTION:
            return _count(str(action.get("value") or "0").split(".")[0])
    return 0


def parse_log(data: Any, source: str, hourly: bool, file_day: date | None, problems: list[Problem], out: ParsedLog) -> None:
    """Add the rows of one log file to `out`: hourly (ad_id, day, hour, spend, impressions, clicks,
    leads) or daily (ad_id, day, spend, impressions, clicks, reach, leads, actions, action_values, None)."""
    rows = rows_of(data)
    if rows is None:
        problems.append(Problem(source, "*", "not an ad log: no list of rows"))
        return
    layouts: dict[tuple, dict[str, str]] = {}
    days: dict[Any, date] = {}
    for n, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(Problem(source, f"[{n}]", "a row that is not an object"))
            continue
        shape = tuple(row)
        layout = layouts.get(shape) or layouts.setdefault(shape, _layout(row))
        try:
            out.rows.append(_row(row, layout, hourly, file_day, days, out))
        except (ValueError, TypeError, KeyError) as exc:
            problems.append(Problem(source, f"[{n}].{exc.args[1] if len(exc.args) > 1 else '*'}", str(exc.args[0]), str(row.get(layout.get("ad_id", ""), "")) or None))


def _field(row: dict[str, Any], layout: dict[str, str], name: str, parse) -> Any:
    try:
        return parse(row.get(layout[name])) if name in layout else parse(None)
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise ValueError(str(exc) or f"{row.get(layout.get(name, ''))!r} cannot be read", layout.get(name, name)) from None


def _row(row: dict[str, Any], layout: dict[str, str], hourly: bool, file_day: date | None, days: dict, out: ParsedLog) -> tuple:
    ad_id = str(row.get(layout.get("ad_id", ""), "") or "").strip()
    if not ad_id.isdigit() or len(ad_id) > 40:
        raise ValueError("no ad id (digits)" if not ad_id else f"{ad_id!r} is not an ad id", layout.get("ad_id", "ad_id"))
    raw_day = row.get(layout["day"]) if "day" in layout else None
    day = days.get(raw_day) if raw_day is not None else file_day
    if day is None:
        if raw_day is None:
            raise ValueError("no day, in the row or the file name", "date_start")
        day = days[raw_day] = _field(row, layout, "day", f.calendar_day)
    spend = _field(row, layout, "spend", lambda v: _amount(v if v is not None else "0"))
    impressions = _field(row, layout, "impressions", _count)
    clicks = _field(row, layout, "clicks", _count)
    try:
        leads = _leads(row, layout)
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc), layout.get("leads", "actions")) from None
    if ad_id not in out.names and "campaign_id" in layout and "adset_id" in layout:
        get = row.get
        out.names[ad_id] = (get(layout.get("ad_name", "")) or ad_id, str(get(layout["adset_id"]) or ""), get(layout.get("adset_name", "")) or "",
                            str(get(layout["campaign_id"]) or ""), get(layout.get("campaign_name", "")) or "")
    if hourly:
        if "hour" not in layout:
            raise ValueError("no hour of the day", "hour")
        return (ad_id, day, _field(row, layout, "hour", _hour), spend, impressions, clicks, leads)
    reach = _field(row, layout, "reach", lambda v: None if v in (None, "") else _count(v))
    actions = _json_list(row.get(layout.get("actions", ""))), _json_list(row.get(layout.get("action_values", "")))
    return (ad_id, day, spend, impressions, clicks, reach, leads, *actions, None)


def _json_list(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else "[]"

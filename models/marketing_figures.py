"""What each baht of ad spend brought back: the join ad → conversation → enrollment → revenue.

The rules (plain functions, shared by the panel, the cache actors and the bench):

- Attribution. A customer's FIRST ad referral attributes them, and all their orders and
  payments, to that ad and so to its ad set and campaign (`customer.first_ad_id`, kept by
  `record_referral`; an order's own `attributed_ad_id` is only the fallback when the customer
  has none, e.g. after an erasure). Later referrals stay on the timeline and attribute nothing.
- Leads: conversations started from an ad (`conversation.source_ad_id`), counted on the day they
  started. Meta's own count of messaging conversations (`meta_leads`) is shown beside it.
- Revenue: money in (deposits and payments) minus refunds, on the day it was paid.
- Enrolled: attributed customers whose first money in falls in the range, unless everything they
  paid has been refunded. Orders (for AOV): attributed orders first paid in the range, same rule;
  their value is what the orders are worth (their totals), not what was paid so far — a deposit
  is not an order's value.
- Seats: seats taken by those orders. Reported to Meta: `Purchase` and `QualifiedLead` events
  the Page's dataset accepted in the range, by their ad (models/conversion_rules.py, ADR 016).
- Ratios: CTR = clicks ÷ impressions, CPC = spend ÷ clicks, CPL = spend ÷ leads, CAC = spend ÷
  enrolled, ROAS = revenue ÷ spend, AOV = order value ÷ orders, conversion = enrolled ÷ leads.
  A figure that cannot be known is None (shown "—"): a ratio over zero; ROAS where no revenue
  came in (there is nothing to return); and every spend figure of ads Meta has not reported
  (referrals name them, the sync has not brought their spend: their spend is unknown, not ฿0).
  Meta's `purchase_roas` (spend-weighted over the range) is reported as `meta_purchase_roas`,
  never mixed into ours: Meta counts purchases its pixel saw after any click or view of the ad,
  we count money the school received from customers the ad brought.
- Ranges are Asia/Bangkok days, both ends included: the ad account reports in that time zone,
  and CRM times (stored UTC) are converted at the range's Bangkok midnights.

Money is Decimal THB all the way; nothing passes through float.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from models.settings import get_settings

ZERO = Decimal("0")
BASE = ("spend", "impressions", "clicks", "meta_leads", "leads", "enrolled", "orders", "order_value", "revenue", "meta_roas_value",
        "meta_roas_spend", "seats", "reported_purchases", "reported_leads")
MONEY_SUMS = ("spend", "revenue", "order_value", "meta_roas_value", "meta_roas_spend")
SPEND_FIGURES = ("spend", "cpc", "cpl", "cac", "roas", "meta_purchase_roas")
PRESETS = ("today", "7d", "30d", "this_month")


def bangkok() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def today_in_bangkok(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(bangkok()).date()


def preset_range(name: str, today: date | None = None) -> tuple[date, date]:
    """The (since, until) Bangkok days of a preset; both ends included."""
    today = today or today_in_bangkok()
    if name == "today":
        return today, today
    if name == "7d":
        return today - timedelta(days=6), today
    if name == "30d":
        return today - timedelta(days=29), today
    if name == "this_month":
        return today.replace(day=1), today
    raise ValueError(f"unknown range preset {name!r}; known: {', '.join(PRESETS)}")


def utc_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """[since 00:00, until+1 00:00) in Bangkok, as UTC instants."""
    if until < since:
        raise ValueError(f"the range ends ({until}) before it starts ({since})")
    tz = bangkok()
    return (
        datetime.combine(since, time(), tz).astimezone(UTC),
        datetime.combine(until + timedelta(days=1), time(), tz).astimezone(UTC),
    )


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None, places: int = 2) -> Decimal | None:
    """numerator ÷ denominator rounded to `places`, or None when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-places))


def empty() -> dict[str, Any]:
    return {k: (ZERO if k in MONEY_SUMS else 0) for k in BASE}


def add_into(total: dict[str, Any], part: dict[str, Any]) -> None:
    for k in BASE:
        total[k] += part[k]


def derived(base: dict[str, Any], *, spend_known: bool = True) -> dict[str, Any]:
    """Base sums plus every ratio the panel shows (`spend_known=False` for ads Meta has not
    reported: their spend and whatever divides by it are unknown)."""
    spend, revenue = base["spend"], base["revenue"]
    figures = {
        **{k: v for k, v in base.items() if k in BASE},
        "ctr": ratio(base["clicks"], base["impressions"], 6),  # a fraction: 0.0123 = 1.23 %
        "cpc": ratio(spend, base["clicks"]),
        "cpl": ratio(spend, base["leads"]),
        "cac": ratio(spend, base["enrolled"]),
        "roas": ratio(revenue, spend, 4) if revenue > 0 else None,
        "aov": ratio(base["order_value"], base["orders"]),
        "conversion": ratio(base["enrolled"], base["leads"], 6),
        "meta_purchase_roas": ratio(base["meta_roas_value"], base["meta_roas_spend"], 4),
    }
    if not spend_known:
        figures |= dict.fromkeys(SPEND_FIGURES)
    return figures


# --- the queries: one statement per source, each grouped by ad and by day (and hour) at once ---

_INSIGHTS = sa.text(
    """SELECT ad_id, day, sum(spend), sum(impressions), sum(clicks), sum(leads),
              coalesce(sum(purchase_roas * spend) FILTER (WHERE purchase_roas IS NOT NULL), 0),
              coalesce(sum(spend) FILTER (WHERE purchase_roas IS NOT NULL), 0)
       FROM ad_insight_daily WHERE day BETWEEN :since AND :until
       GROUP BY GROUPING SETS ((ad_id), (day))"""
)
_LEADS = sa.text(
    """SELECT source_ad_id, (created_at AT TIME ZONE :tz)::date,
              extract(isodow FROM created_at AT TIME ZONE :tz)::int,
              extract(hour FROM created_at AT TIME ZONE :tz)::int, count(*)
       FROM conversation
       WHERE source_ad_id IS NOT NULL AND created_at >= :start AND created_at < :end
       GROUP BY GROUPING SETS ((1), (2), (3, 4))"""
)
_REVENUE = sa.text(
    """SELECT coalesce(c.first_ad_id, o.attributed_ad_id), (p.paid_at AT TIME ZONE :tz)::date,
              sum(CASE WHEN p.kind = 'refund' THEN -p.amount ELSE p.amount END)
       FROM payment p JOIN orders o ON o.id = p.order_id JOIN customer c ON c.id = o.customer_id
       WHERE p.paid_at >= :start AND p.paid_at < :end
         AND coalesce(c.first_ad_id, o.attributed_ad_id) IS NOT NULL
       GROUP BY GROUPING SETS ((1), (2))"""
)
# Who paid for the first time in the range (and kept it): customers → enrolled, orders → AOV.
_FIRST_PAID = sa.text(
    """WITH touched AS (
         SELECT DISTINCT o.customer_id FROM payment p JOIN orders o ON o.id = p.order_id
         WHERE p.kind <> 'refund' AND p.paid_at >= :start AND p.paid_at < :end),
       per_order AS (
         SELECT o.id, o.customer_id, o.total, coalesce(c.first_ad_id, o.attributed_ad_id) AS ad_id,
                min(p.paid_at) FILTER (WHERE p.kind <> 'refund') AS first_in,
                sum(CASE WHEN p.kind = 'refund' THEN -p.amount ELSE p.amount END) AS net
         FROM touched t JOIN orders o ON o.customer_id = t.customer_id
         JOIN customer c ON c.id = o.customer_id JOIN payment p ON p.order_id = o.id
         GROUP BY o.id, o.customer_id, o.total, c.first_ad_id),
       per_customer AS (
         SELECT customer_id, min(ad_id) AS ad_id, min(first_in) AS first_in, sum(net) AS net
         FROM per_order GROUP BY customer_id)
       SELECT 'enrolled', ad_id, count(*), 0 FROM per_customer
       WHERE ad_id IS NOT NULL AND net > 0 AND first_in >= :start AND first_in < :end GROUP BY ad_id
       UNION ALL
       SELECT 'orders', ad_id, count(*), sum(total) FROM per_order
       WHERE ad_id IS NOT NULL AND net > 0 AND first_in >= :start AND first_in < :end GROUP BY ad_id
       UNION ALL
       SELECT 'seats', po.ad_id, count(*), 0 FROM per_order po JOIN seat s ON s.order_id = po.id AND s.state = 'taken'
       WHERE po.ad_id IS NOT NULL AND po.net > 0 AND po.first_in >= :start AND po.first_in < :end GROUP BY po.ad_id"""
)
# Back to Meta (ADR 016): events the Page's dataset accepted, by the ad they were attributed to.
_REPORTED = sa.text(
    """SELECT ad_id, CASE event_name WHEN 'Purchase' THEN 'reported_purchases' ELSE 'reported_leads' END, count(*)
       FROM conversion_event
       WHERE status = 'sent' AND event_name IN ('Purchase', 'QualifiedLead') AND ad_id IS NOT NULL
         AND event_time >= :start AND event_time < :end
       GROUP BY 1, 2"""
)
_HOURS = sa.text(
    """SELECT extract(isodow FROM day)::int, hour, sum(spend), sum(leads)
       FROM ad_insight_hour_total WHERE day BETWEEN :since AND :until GROUP BY 1, 2"""
)
_TREE = sa.text(
    """SELECT a.id, a.name, a.status, s.id, s.name, s.status, c.id, c.name, c.status
       FROM ad a JOIN ad_set s ON s.id = a.ad_set_id JOIN campaign c ON c.id = a.campaign_id"""
)
_RECEIVED = sa.text("SELECT max(synced_at) FROM ad_insight_daily WHERE day BETWEEN :since AND :until")
_LAST_SYNC = sa.text(
    """SELECT id, kind, status, progress, rows, error, started_at, finished_at
       FROM ad_sync_run ORDER BY id DESC LIMIT 1"""
)


def panel_figures(session: Session, since: date, until: date, *, detail: bool = True) -> dict[str, Any]:
    """Everything the marketing panel shows for Bangkok days `since`..`until`: totals, the
    campaign → ad set → ad tree, the daily trend and the weekday × hour heat map (`detail=False`:
    totals and per-campaign figures only, for the small daily/monthly snapshots)."""
    start, end = utc_bounds(since, until)
    tz = get_settings().timezone
    per_ad: dict[str, dict[str, Any]] = {}
    per_day: dict[date, dict[str, Any]] = {}

    def ad(ad_id: str) -> dict[str, Any]:
        return per_ad.setdefault(ad_id, empty())

    def day(d: date) -> dict[str, Any]:
        return per_day.setdefault(d, {"spend": ZERO, "revenue": ZERO, "leads": 0})

    for ad_id, d, spend, impressions, clicks, meta_leads, roas_value, roas_spend in session.execute(_INSIGHTS, {"since": since, "until": until}).all():
        if ad_id is not None:
            a = ad(ad_id)
            a["spend"] += spend
            a["impressions"] += impressions
            a["clicks"] += clicks
            a["meta_leads"] += meta_leads
            a["meta_roas_value"] += roas_value
            a["meta_roas_spend"] += roas_spend
        else:
            day(d)["spend"] += spend

    bounds = {"start": start, "end": end, "tz": tz}
    heat_leads: dict[tuple[int, int], int] = {}
    for ad_id, d, weekday, hour, n in session.execute(_LEADS, bounds).all():
        if ad_id is not None:
            ad(ad_id)["leads"] += n
        elif d is not None:
            day(d)["leads"] += n
        else:
            heat_leads[(weekday, hour)] = n

    for ad_id, d, amount in session.execute(_REVENUE, bounds).all():
        if ad_id is not None:
            ad(ad_id)["revenue"] += amount
        else:
            day(d)["revenue"] += amount

    for what, ad_id, n, value in session.execute(_FIRST_PAID, {"start": start, "end": end}).all():
        ad(ad_id)[what] += n
        if what == "orders":
            ad(ad_id)["order_value"] += value

    for ad_id, what, n in session.execute(_REPORTED, {"start": start, "end": end}).all():
        ad(ad_id)[what] += n

    totals = empty()
    for figures in per_ad.values():
        add_into(totals, figures)

    result: dict[str, Any] = {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "timezone": tz,
        "totals": derived(totals),
        "campaigns": _tree(session, per_ad, with_ads=detail),
        "last_sync": last_sync(session),
        "figures_received_at": _received_at(session, since, until),
        "ads_synced": ads_synced(session),
    }
    if detail:
        result["trend"] = _trend(since, until, per_day)
        result["heat"] = _heat(session, since, until, heat_leads)
    return result


def _tree(session: Session, per_ad: dict[str, dict[str, Any]], with_ads: bool) -> list[dict[str, Any]]:
    """Campaign → ad set → ad, each with its figures; only what moved in the range. Ads not
    (yet) synced but named by referrals or orders are grouped under a campaign with id ""."""
    campaigns: dict[str, dict[str, Any]] = {}
    known: set[str] = set()
    for ad_id, ad_name, ad_status, set_id, set_name, set_status, c_id, c_name, c_status in session.execute(_TREE).all():
        known.add(ad_id)
        if ad_id not in per_ad:
            continue
        campaign = campaigns.setdefault(c_id, {"id": c_id, "name": c_name, "status": c_status, "base": empty(), "ad_sets": {}})
        ad_set = campaign["ad_sets"].setdefault(set_id, {"id": set_id, "name": set_name, "status": set_status, "base": empty(), "ads": []})
        ad_set["ads"].append({"id": ad_id, "name": ad_name, "status": ad_status, "base": per_ad[ad_id]})
    for ad_id in sorted(set(per_ad) - known):
        campaign = campaigns.setdefault("", {"id": "", "name": "", "status": "", "base": empty(), "ad_sets": {}})
        ad_set = campaign["ad_sets"].setdefault("", {"id": "", "name": "", "status": "", "base": empty(), "ads": []})
        ad_set["ads"].append({"id": ad_id, "name": "", "status": "", "base": per_ad[ad_id]})
    out = []
    for campaign in campaigns.values():
        known_spend = campaign["id"] != ""  # the group of ads the sync has not brought
        sets = []
        for ad_set in campaign["ad_sets"].values():
            for a in ad_set["ads"]:
                add_into(ad_set["base"], a["base"])
            add_into(campaign["base"], ad_set["base"])
            row = {k: ad_set[k] for k in ("id", "name", "status")} | derived(ad_set["base"], spend_known=known_spend)
            if with_ads:
                row["ads"] = [{k: a[k] for k in ("id", "name", "status")} | derived(a["base"], spend_known=known_spend) for a in ad_set["ads"]]
            sets.append(row)
        row = {k: campaign[k] for k in ("id", "name", "status")} | derived(campaign["base"], spend_known=known_spend)
        if with_ads:
            row["ad_sets"] = sets
        out.append(row)
    out.sort(key=lambda c: c["spend"] or ZERO, reverse=True)
    return out


def _trend(since: date, until: date, per_day: dict[date, dict[str, Any]]) -> list[dict[str, Any]]:
    days = []
    d = since
    while d <= until:
        figures = per_day.get(d, {"spend": ZERO, "revenue": ZERO, "leads": 0})
        days.append({"day": d.isoformat(), **figures, "roas": ratio(figures["revenue"], figures["spend"], 4)})
        d += timedelta(days=1)
    return days


def _heat(session: Session, since: date, until: date, leads: dict[tuple[int, int], int]) -> list[dict[str, Any]]:
    """168 cells, Monday (1) to Sunday (7) × hour 0–23: spend and Meta's leads from the hour
    totals, our leads (conversations started from an ad) from the CRM."""
    cells = {(w, h): {"weekday": w, "hour": h, "spend": ZERO, "meta_leads": 0, "leads": leads.get((w, h), 0)} for w in range(1, 8) for h in range(24)}
    for weekday, hour, spend, meta_leads in session.execute(_HOURS, {"since": since, "until": until}).all():
        cells[(weekday, hour)]["spend"] = spend
        cells[(weekday, hour)]["meta_leads"] = int(meta_leads)
    return list(cells.values())


def last_sync(session: Session) -> dict[str, Any] | None:
    row = session.execute(_LAST_SYNC).first()
    if row is None:
        return None
    run_id, kind, status, progress, rows, error, started_at, finished_at = row
    return {"id": run_id, "kind": kind, "status": status, "progress": progress, "rows": rows, "error": error,
            "started_at": started_at.isoformat() if started_at else None, "finished_at": finished_at.isoformat() if finished_at else None}


def _received_at(session: Session, since: date, until: date) -> str | None:
    """When the newest of the range's ad figures arrived (a sync, or an import), so "last synced"
    can never contradict the figures shown."""
    at = session.execute(_RECEIVED, {"since": since, "until": until}).scalar_one()
    return at.isoformat() if at else None


def ads_synced(session: Session) -> bool:
    return session.execute(sa.text("SELECT EXISTS (SELECT 1 FROM ad) OR EXISTS (SELECT 1 FROM ad_insight_daily)")).scalar_one()

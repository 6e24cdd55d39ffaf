"""The Marketing API on the Meta simulator: the school's ad account with campaigns, ad sets, ads
and two years of insights, answered the way Meta answers them.

Figures are never stored: each ad's 24 hours of one day come from a generator seeded by (ad,
day), so any range of any size is served in constant memory and the same question always gets
the same answer (daily rows are the sum of the hourly ones). Impressions follow the weekday and
the hour of day in Bangkok (lunch and evening peaks, quiet nights, busier weekends); spend, clicks
and messaging conversations follow from each ad's CPM, CTR and lead rate.

What a client must cope with, as on Meta: numbers as strings, cursor paging (`paging.next`),
async report runs, usage headers on every answer (`X-Business-Use-Case-Usage`,
`X-Ad-Account-Usage`, `X-FB-Ads-Insights-Throttle`), error 100/1487534 for a synchronous request
over too many rows, and errors on demand (`POST /_sim/marketing/fail`, like `/_sim/fail`).
`POST /_sim/marketing` sets `extra_ads` (a bigger account for benchmarks), bumps `revision`
(Meta revising the last 3 days) or forces a reported `usage_pct` for the next answers.
"""

import base64
import json
import math
import random
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.settings import SIMULATOR_AD_ACCOUNT_ID
from vschool.simulator.state import Failure

ACCOUNT_NUMBER = SIMULATOR_AD_ACCOUNT_ID.removeprefix("act_")
ACCOUNT_NAME = "V School — โรงเรียนสอนทำอาหารญี่ปุ่น"
TZ = ZoneInfo("Asia/Bangkok")
HISTORY_DAYS = 730  # two years of figures
SYNC_ROW_LIMIT = 150_000  # a synchronous insights request over more rows gets 100/1487534
MAX_LIMIT = 5_000
CALLS_PER_MINUTE = 12_000  # the simulated ad account's call budget (usage = calls in the last minute / this)
HOURLY_BREAKDOWN = "hourly_stats_aggregated_by_advertiser_time_zone"
HOUR_LABELS = [f"{h:02d}:00:00 - {h:02d}:59:59" for h in range(24)]
# Bangkok's day: quiet nights, a lunch bump, the evening peak after work.
HOUR_WEIGHTS = [0.32, 0.2, 0.12, 0.09, 0.08, 0.12, 0.28, 0.5, 0.68, 0.78, 0.85, 0.95, 1.12, 1.05,
                0.88, 0.84, 0.9, 1.0, 1.2, 1.42, 1.55, 1.48, 1.15, 0.7]
HOUR_SHARE = [w / sum(HOUR_WEIGHTS) for w in HOUR_WEIGHTS]
# People chat with the school in the evening more than their share of impressions says.
HOUR_LEAD_BOOST = [0.7] * 7 + [0.85] * 5 + [1.0] * 6 + [1.25] * 4 + [1.05, 0.8]
WEEKDAY_FACTOR = [0.94, 0.96, 0.98, 1.0, 1.06, 1.16, 1.2]  # Monday … Sunday
DEFAULT_FIELDS = ("impressions", "spend")


# --- the ad account ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SimAd:
    id: str
    name: str
    ad_set_id: str
    campaign_id: str
    start_ago: int  # first day with figures: this many days before today
    end_ago: int = 0  # last day with figures (0: still running)
    impressions: int = 6_000  # a typical day
    cpm: float = 120.0  # THB per 1,000 impressions
    ctr: float = 0.018
    lead_rate: float = 0.12  # conversations started per click
    price: int = 24_900  # the course it sells (purchase values)
    listed: bool = True  # False: archived — Meta's /ads edge leaves it out, its insights remain


    @property
    def status(self) -> str:
        return "ACTIVE" if self.end_ago == 0 else "PAUSED" if self.listed else "ARCHIVED"


@dataclass(frozen=True)
class SimAdSet:
    id: str
    name: str
    campaign_id: str
    daily_budget: int | None  # satang, as Meta gives budgets in the currency's minor unit
    status: str = "ACTIVE"


@dataclass(frozen=True)
class SimCampaign:
    id: str
    name: str
    objective: str
    start_ago: int
    daily_budget: int | None = None
    lifetime_budget: int | None = None
    status: str = "ACTIVE"


CAMPAIGNS = [
    SimCampaign("120210000000000100", "CTM | คอร์สซูชิมืออาชีพ 5 วัน", "OUTCOME_ENGAGEMENT", 730, daily_budget=250_000),
    SimCampaign("120210000000000200", "CTM | Ramen Masterclass ราเมงต้นตำรับ", "OUTCOME_ENGAGEMENT", 540, daily_budget=180_000),
    SimCampaign("120210000000000300", "Leads | Diploma in Japanese Cuisine", "OUTCOME_LEADS", 400, lifetime_budget=90_000_000),
]
AD_SETS = [
    SimAdSet("120210000000000010", "กรุงเทพฯ 25-44 | สนใจอาหารญี่ปุ่น", "120210000000000100", 150_000),
    SimAdSet("120210000000000011", "Lookalike ศิษย์เก่า 1%", "120210000000000100", 100_000),
    SimAdSet("120210000000000020", "Broad 22-45 | กรุงเทพฯ และปริมณฑล", "120210000000000200", 110_000),
    SimAdSet("120210000000000021", "Retarget | ดูวิดีโอราเมง 50%", "120210000000000200", 70_000),
    SimAdSet("120210000000000030", "Career changers 28-45", "120210000000000300", None),
    SimAdSet("120210000000000031", "Expats in Bangkok (English)", "120210000000000300", None),
]
ADS = [  # the first three are the ads the simulator's customers click (state.ADS)
    SimAd("120210000000000001", "คอร์สซูชิมืออาชีพ 5 วัน — เปิดรับสมัครแล้ว", "120210000000000010", "120210000000000100", 730, impressions=9_000, cpm=115, ctr=0.021, lead_rate=0.14),
    SimAd("120210000000000002", "Ramen Masterclass: ราเมงต้นตำรับ 3 วัน", "120210000000000020", "120210000000000200", 540, impressions=8_000, cpm=105, ctr=0.019, lead_rate=0.12, price=18_900),
    SimAd("120210000000000003", "Diploma in Japanese Cuisine (12 weeks)", "120210000000000030", "120210000000000300", 400, impressions=5_000, cpm=150, ctr=0.014, lead_rate=0.09, price=189_000),
    SimAd("120210000000000004", "ซูชิ | วิดีโอเชฟสอนปั้นซูชิ 30 วิ", "120210000000000010", "120210000000000100", 700, impressions=7_000, cpm=98, ctr=0.024, lead_rate=0.1),
    SimAd("120210000000000005", "Sushi | Carousel: เมนูที่จะได้เรียน", "120210000000000010", "120210000000000100", 620, impressions=4_500, cpm=122, ctr=0.016),
    SimAd("120210000000000006", "รีวิวศิษย์เก่า | Alumni stories", "120210000000000011", "120210000000000100", 500, impressions=5_500, cpm=128, ctr=0.02, lead_rate=0.15),
    SimAd("120210000000000007", "ซูชิ | โปรเรียนคู่ลด 10%", "120210000000000011", "120210000000000100", 210, end_ago=35, impressions=6_500, cpm=110, ctr=0.023, lead_rate=0.17),
    SimAd("120210000000000008", "ราเมง | ต้มน้ำซุปทงคตสึ 12 ชั่วโมง (Reels)", "120210000000000020", "120210000000000200", 480, impressions=10_000, cpm=88, ctr=0.017, lead_rate=0.08, price=18_900),
    SimAd("120210000000000009", "Ramen | สมัครวันนี้ รับชุดมีดญี่ปุ่น", "120210000000000021", "120210000000000200", 300, impressions=3_000, cpm=140, ctr=0.028, lead_rate=0.16, price=18_900),
    SimAd("120210000000000012", "Diploma | เปลี่ยนอาชีพเป็นเชฟอาหารญี่ปุ่น", "120210000000000030", "120210000000000300", 380, impressions=4_000, cpm=145, ctr=0.015, lead_rate=0.1, price=189_000),
    SimAd("120210000000000013", "Diploma | Study Japanese cooking in Bangkok", "120210000000000031", "120210000000000300", 360, impressions=3_500, cpm=160, ctr=0.013, lead_rate=0.08, price=189_000),
    SimAd("120210000000000015", "ซูชิ | โปรสงกรานต์ (จบแล้ว)", "120210000000000010", "120210000000000100", 700, end_ago=400, impressions=7_500, cpm=95,
          ctr=0.025, lead_rate=0.16, listed=False),
    SimAd("120210000000000014", "Diploma | Open house this Saturday", "120210000000000031", "120210000000000300", 90, end_ago=20, impressions=2_500, cpm=170, ctr=0.019, lead_rate=0.11, price=189_000),
]
COURSES = [("ซูชิ", "Sushi", 24_900), ("ราเมง", "Ramen", 18_900), ("วากาชิ", "Wagashi", 9_900), ("เทมปุระ", "Tempura", 12_900), ("เบนโตะ", "Bento", 7_900)]


@dataclass(frozen=True)
class Account:
    campaigns: list[SimCampaign]
    ad_sets: list[SimAdSet]
    ads: list[SimAd]


@lru_cache(maxsize=8)
def account(extra_ads: int = 0) -> Account:
    """The school's ad account; `extra_ads` adds always-on campaigns of 10 ads (2 ad sets of 5),
    running for the whole two years, for benchmarks that want a bigger account."""
    campaigns, ad_sets, ads = list(CAMPAIGNS), list(AD_SETS), list(ADS)
    for k in range(extra_ads):
        c, s = k // 10, k // 5
        thai, english, price = COURSES[c % len(COURSES)]
        campaign_id, ad_set_id = f"120220{c:06d}000000", f"120221{s:06d}000000"
        if k % 10 == 0:
            campaigns.append(SimCampaign(campaign_id, f"Always-on {c + 1} | คอร์ส{thai}", "OUTCOME_ENGAGEMENT", HISTORY_DAYS, daily_budget=200_000))
        if k % 5 == 0:
            ad_sets.append(SimAdSet(ad_set_id, f"{english} | กลุ่มเป้าหมาย {s + 1}", campaign_id, 100_000))
        rng = random.Random(k)
        ads.append(SimAd(f"120222{k:06d}000000", f"{english} {k + 1} | คอร์ส{thai} สมัครเลย", ad_set_id, campaign_id, HISTORY_DAYS,
                         impressions=rng.randrange(2_000, 12_000), cpm=rng.uniform(85, 165), ctr=rng.uniform(0.011, 0.027),
                         lead_rate=rng.uniform(0.07, 0.17), price=price))
    return Account(campaigns, ad_sets, ads)


def today_in_bangkok() -> date:
    return datetime.now(TZ).date()


# --- the figures ------------------------------------------------------------------------------

@dataclass
class DayFigures:
    """One ad's one day, hour by hour (`hours` of them: today stops at the current hour)."""

    spend: list[int]  # satang
    impressions: list[int]
    clicks: list[int]
    leads: list[int]
    purchases: int
    reach_ratio: float

    @property
    def hours(self) -> int:
        return len(self.spend)


def _round(x: float, u: float) -> int:
    """Stochastic rounding with a given uniform draw: small hourly figures stay unbiased."""
    return int(x + u)


def day_figures(ad: SimAd, day: date, hours: int = 24, revision: int = 0, today: date | None = None) -> DayFigures:
    """The deterministic figures of one ad for one day. `revision` > 0 moves the last 3 days a
    little, as Meta's late attribution does."""
    rng = random.Random(int(ad.id) * 100_003 + day.toordinal())
    r = rng.random
    season = 1 + 0.15 * math.sin(2 * math.pi * day.timetuple().tm_yday / 365.0)
    volume = ad.impressions * WEEKDAY_FACTOR[day.weekday()] * season * (0.75 + 0.5 * r())
    if revision and today is not None and (today - day).days < 3:
        volume *= 1 + 0.03 * revision
    cpm, ctr, lead_rate = ad.cpm * (0.9 + 0.2 * r()), ad.ctr * (0.85 + 0.3 * r()), ad.lead_rate * (0.45 + 0.2 * r())
    spend, impressions, clicks, leads = [], [], [], []
    for h in range(hours):
        shown = _round(volume * HOUR_SHARE[h] * (0.8 + 0.4 * r()), r())
        clicked = _round(shown * ctr, r())
        impressions.append(shown)
        spend.append(_round(shown * cpm / 10, r()))  # satang: shown/1000 × cpm × 100
        clicks.append(clicked)
        leads.append(_round(clicked * lead_rate * HOUR_LEAD_BOOST[h], r()))
    purchases = _round(sum(leads) * 0.005, r())  # one conversation in ~200 ends in a paid course (Meta ROAS ~1-4x)
    return DayFigures(spend, impressions, clicks, leads, purchases, 1.25 + 0.35 * r())


def _baht(satang: int) -> str:
    return f"{satang // 100}.{satang % 100:02d}"


def _ratio(a: float, b: float, scale: float = 1.0) -> str:
    return f"{a * scale / b:.6f}" if b else "0"


def insight_rows(ad: SimAd, day: date, figures: DayFigures, hourly: bool, fields: tuple[str, ...], names: dict[str, str]) -> list[dict[str, Any]]:
    """Meta's rows for one ad and day: 24 hourly rows or one daily row, numbers as strings."""
    iso = day.isoformat()
    if hourly:
        rows = []
        for h in range(figures.hours):
            row = {"date_start": iso, "date_stop": iso, HOURLY_BREAKDOWN: HOUR_LABELS[h]}
            _fill(row, ad, fields, names, figures.spend[h], figures.impressions[h], figures.clicks[h], figures.leads[h], 0, None)
            rows.append(row)
        return rows
    spend, shown = sum(figures.spend), sum(figures.impressions)
    row = {"date_start": iso, "date_stop": iso}
    _fill(row, ad, fields, names, spend, shown, sum(figures.clicks), sum(figures.leads), figures.purchases, int(shown / figures.reach_ratio))
    return [row]


def _fill(row: dict, ad: SimAd, fields: tuple[str, ...], names: dict[str, str], spend: int, shown: int, clicks: int,
          leads: int, purchases: int, reach: int | None) -> None:
    for name in fields:
        if name == "spend":
            row["spend"] = _baht(spend)
        elif name == "impressions":
            row["impressions"] = str(shown)
        elif name == "clicks":
            row["clicks"] = str(clicks)
        elif name == "actions":
            actions = [{"action_type": "link_click", "value": str(int(clicks * 0.86))}]
            if leads:
                actions.append({"action_type": "onsite_conversion.messaging_conversation_started_7d", "value": str(leads)})
            if purchases:
                actions.append({"action_type": "purchase", "value": str(purchases)})
            row["actions"] = actions
        elif name == "action_values":
            if purchases:
                row["action_values"] = [{"action_type": "purchase", "value": f"{purchases * ad.price}.00"}]
        elif name == "purchase_roas":
            if purchases and spend:
                row["purchase_roas"] = [{"action_type": "omni_purchase", "value": f"{purchases * ad.price * 100 / spend:.6f}"}]
        elif name == "reach":
            if reach is not None:
                row["reach"] = str(reach)
        elif name == "cpc":
            if clicks:
                row["cpc"] = _ratio(spend / 100, clicks)
        elif name == "ctr":
            row["ctr"] = _ratio(clicks, shown, 100)
        elif name == "cpm":
            row["cpm"] = _ratio(spend / 100, shown, 1000)
        elif name in names:  # ids and names of the ad's campaign, ad set and account
            row[name] = names[name]


# --- one insights query, served page by page --------------------------------------------------

@dataclass
class Query:
    """What an insights request asks for: level=ad, daily or hourly, a range of days."""

    since: date
    until: date
    hourly: bool
    fields: tuple[str, ...]
    extra_ads: int
    revision: int
    today: date

    def spans(self) -> list[tuple[SimAd, date, date]]:
        """Each ad with the days of the range it ran (ads that did not run are left out)."""
        found = []
        for ad in account(self.extra_ads).ads:
            first = max(self.since, self.today - timedelta(days=ad.start_ago))
            last = min(self.until, self.today - timedelta(days=ad.end_ago))
            if first <= last:
                found.append((ad, first, last))
        return found

    def hours_on(self, day: date) -> int:
        return datetime.now(TZ).hour + 1 if day == self.today else 24

    def span_rows(self, first: date, last: date) -> int:
        """Rows of one ad over its days: 24 an hour-broken day (today: the hours so far), or 1."""
        if not self.hourly:
            return (last - first).days + 1
        return (last - first).days * 24 + self.hours_on(last)

    def size(self) -> int:
        return sum(self.span_rows(first, last) for _, first, last in self.spans())

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Rows `offset` … `offset + limit` in (ad, day, hour) order, generated on the fly."""
        per_day = 24 if self.hourly else 1
        names = ad_names(self.extra_ads)
        out: list[dict[str, Any]] = []
        skip = offset
        for ad, first, last in self.spans():
            days = (last - first).days + 1
            rows = self.span_rows(first, last)
            if skip >= rows:
                skip -= rows
                continue
            day_index, within = divmod(skip, per_day)
            skip = 0
            for d in range(day_index, days):
                day = first + timedelta(days=d)
                figures = day_figures(ad, day, self.hours_on(day) if self.hourly else 24, self.revision, self.today)
                block = insight_rows(ad, day, figures, self.hourly, self.fields, names.get(ad.id, {}))
                out.extend(block[within:within + limit - len(out)])
                within = 0
                if len(out) >= limit:
                    return out
        return out


@lru_cache(maxsize=8)
def ad_names(extra_ads: int) -> dict[str, dict[str, str]]:
    """Per ad: the ids and names Meta can put on its insight rows."""
    acc = account(extra_ads)
    campaigns = {c.id: c.name for c in acc.campaigns}
    ad_sets = {s.id: s.name for s in acc.ad_sets}
    return {ad.id: {"ad_id": ad.id, "campaign_id": ad.campaign_id, "adset_id": ad.ad_set_id, "ad_name": ad.name,
                    "campaign_name": campaigns[ad.campaign_id], "adset_name": ad_sets[ad.ad_set_id],
                    "account_id": ACCOUNT_NUMBER, "account_currency": "THB"} for ad in acc.ads}


class BadRequest(Exception):
    """A request Meta would refuse with error 100: the message says what is wrong."""


def parse_query(params: dict[str, str], extra_ads: int, revision: int) -> Query:
    today = today_in_bangkok()
    level = params.get("level", "ad")
    if level != "ad":
        raise BadRequest(f"(#100) The simulator serves level=ad only (asked for level={level})")
    breakdowns = params.get("breakdowns", "")
    if breakdowns not in ("", HOURLY_BREAKDOWN):
        raise BadRequest(f"(#100) Unsupported breakdowns: {breakdowns}")
    if params.get("time_increment", "1") not in ("1",):
        raise BadRequest("(#100) The simulator serves time_increment=1 only")
    try:
        time_range = json.loads(params.get("time_range") or "{}")
        since = date.fromisoformat(time_range.get("since") or (today - timedelta(days=6)).isoformat())
        until = date.fromisoformat(time_range.get("until") or today.isoformat())
    except (ValueError, AttributeError, TypeError) as exc:
        raise BadRequest("(#100) time_range must be {\"since\":\"YYYY-MM-DD\",\"until\":\"YYYY-MM-DD\"}") from exc
    if since > until:
        raise BadRequest("(#100) time_range: since must not be after until")
    if since < today - timedelta(days=37 * 30):
        raise BadRequest("(#100) time_range: data is kept for 37 months")
    fields = tuple(f.strip() for f in (params.get("fields") or ",".join(DEFAULT_FIELDS)).split(",") if f.strip())
    return Query(since, min(until, today), breakdowns == HOURLY_BREAKDOWN, fields, extra_ads, revision, today)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return max(0, int(raw.removeprefix("o:")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("(#100) Invalid cursor") from exc


# --- the HTTP side ----------------------------------------------------------------------------

@dataclass
class ReportRun:
    id: str
    query: Query
    params: dict[str, str]
    started: float
    duration_s: float
    fails: bool


@dataclass
class MarketingState:
    extra_ads: int = 0
    revision: int = 0
    failures: list[Failure] = field(default_factory=list)
    failing_reports: int = 0  # the next this-many report runs end "Job Failed"
    usage_override: list[float] = field(default_factory=list)  # reported utilisation for the next answers
    calls: deque[float] = field(default_factory=deque)  # monotonic times of recent calls
    reports: dict[str, ReportRun] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)  # recent calls: path, params, status


def error(code: int, message: str, subcode: int | None = None, status: int = 400, headers: dict | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": uuid.uuid4().hex[:11]}
    if subcode is not None:
        body["error_subcode"] = subcode
    return JSONResponse({"error": body}, status_code=status, headers=headers)


class MarketingApi:
    """The Marketing API routes of the simulator (mounted by `vschool.simulator.app`)."""

    def __init__(self, extra_ads: int = 0) -> None:
        self.state = MarketingState(extra_ads=extra_ads)

    # usage, errors and the common checks of every call

    def _usage(self) -> float:
        now = time.monotonic()
        calls = self.state.calls
        calls.append(now)
        while calls and calls[0] < now - 60:
            calls.popleft()
        if self.state.usage_override:
            return self.state.usage_override.pop(0)
        return round(100.0 * len(calls) / CALLS_PER_MINUTE, 2)

    @staticmethod
    def usage_headers(pct: float) -> dict[str, str]:
        whole = int(pct)
        regain = 0 if pct < 100 else 5
        return {
            "X-Business-Use-Case-Usage": json.dumps({ACCOUNT_NUMBER: [{"type": "ads_insights", "call_count": whole, "total_cputime": max(1, whole // 2),
                                                                       "total_time": max(1, whole // 2), "estimated_time_to_regain_access": regain,
                                                                       "ads_api_access_tier": "standard_access"}]}),
            "X-Ad-Account-Usage": json.dumps({"acc_id_util_pct": pct, "reset_time_duration": 60, "ads_api_access_tier": "standard_access"}),
            "X-FB-Ads-Insights-Throttle": json.dumps({"app_id_util_pct": max(0, whole - 5), "acc_id_util_pct": whole, "ads_api_access_tier": "standard_access"}),
        }

    def _check(self, request: Request, account_id: str | None = None) -> tuple[dict[str, str], Response | None]:
        """Usage headers for this call, or the answer that ends it (no token, a queued error,
        an unknown account, a spent call budget)."""
        headers = self.usage_headers(self._usage())
        self.state.requests = self.state.requests[-199:] + [{"path": request.url.path, "params": dict(request.query_params)}]
        if not request.query_params.get("access_token") and not request.headers.get("authorization"):
            return headers, error(190, "An active access token must be used to query information about the current user.", status=401)
        if self.state.failures:
            failure = self.state.failures.pop(0)
            return headers, error(failure.code, failure.message, failure.subcode, failure.http_status, {**headers, **failure.headers})
        if account_id is not None and account_id != ACCOUNT_NUMBER:
            return headers, error(100, f"Unsupported get request. Object with ID 'act_{account_id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", 33)
        if len(self.state.calls) > CALLS_PER_MINUTE:
            return headers, error(80000, "(#80000) There have been too many calls from this ad-account. Wait a bit and try again.", 2446079, headers=headers)
        return headers, None

    @staticmethod
    def _page(request: Request, items: list[dict[str, Any]], offset: int, limit: int, total: int, headers: dict[str, str]) -> JSONResponse:
        body: dict[str, Any] = {"data": items, "paging": {"cursors": {"before": encode_cursor(offset), "after": encode_cursor(offset + len(items))}}}
        if offset + len(items) < total:
            params = {k: v for k, v in request.query_params.items() if k not in ("after", "before")}
            params["after"] = encode_cursor(offset + len(items))
            body["paging"]["next"] = f"{str(request.base_url).rstrip('/')}{request.url.path}?{urlencode(params)}"
        return Response(orjson.dumps(body), media_type="application/json", headers=headers)  # pages are big: the fast encoder

    @staticmethod
    def _paging(params: Any) -> tuple[int, int]:
        try:
            limit = min(MAX_LIMIT, max(1, int(params.get("limit", "25"))))
        except ValueError as exc:
            raise BadRequest("(#100) limit must be a number") from exc
        return (decode_cursor(params["after"]) if params.get("after") else 0), limit

    # the account's objects

    async def edge(self, request: Request) -> Response:
        headers, refused = self._check(request, request.path_params["account"])
        if refused:
            return refused
        acc = account(self.state.extra_ads)
        today = today_in_bangkok()
        edge = request.path_params["edge"]
        if edge == "campaigns":
            items = [{"id": c.id, "name": c.name, "status": c.status, "effective_status": c.status, "objective": c.objective,
                      "created_time": _meta_time(today - timedelta(days=c.start_ago)),
                      **({"daily_budget": str(c.daily_budget)} if c.daily_budget else {}),
                      **({"lifetime_budget": str(c.lifetime_budget)} if c.lifetime_budget else {})} for c in acc.campaigns]
        elif edge == "adsets":
            items = [{"id": s.id, "name": s.name, "status": s.status, "campaign_id": s.campaign_id,
                      **({"daily_budget": str(s.daily_budget)} if s.daily_budget else {})} for s in acc.ad_sets]
        elif edge == "ads":
            items = [{"id": a.id, "name": a.name, "status": a.status, "effective_status": a.status, "adset_id": a.ad_set_id,
                      "campaign_id": a.campaign_id} for a in acc.ads if a.listed]
        else:
            return error(100, f"(#100) Unknown edge {edge} on the ad account", headers=headers)
        try:
            offset, limit = self._paging(request.query_params)
        except BadRequest as exc:
            return error(100, str(exc), headers=headers)
        wanted = [f for f in (request.query_params.get("fields") or "id,name").split(",") if f]
        page = [{k: v for k, v in item.items() if k in wanted or k == "id"} for item in items[offset:offset + limit]]
        return self._page(request, page, offset, limit, len(items), headers)

    # insights: synchronous, or as a report run

    async def insights(self, request: Request) -> Response:
        headers, refused = self._check(request, request.path_params["account"])
        if refused:
            return refused
        params = dict(request.query_params)
        if request.method == "POST":
            form = await request.form()
            params.update({k: str(v) for k, v in form.items()})
        try:
            query = parse_query(params, self.state.extra_ads, self.state.revision)
            offset, limit = self._paging(params)
        except BadRequest as exc:
            return error(100, str(exc), headers=headers)
        if request.method == "POST":  # an async report run
            run_id = str(6_023_920_000_000 + len(self.state.reports) + 1)
            fails = self.state.failing_reports > 0
            self.state.failing_reports -= fails
            self.state.reports[run_id] = ReportRun(run_id, query, params, time.monotonic(), 0.05 + query.size() / 4_000_000, fails)
            return JSONResponse({"report_run_id": run_id}, headers=headers)
        total = query.size()
        if total > SYNC_ROW_LIMIT:
            return error(100, "Please reduce the amount of data you're asking for, then retry your request", 1487534, headers=headers)
        return self._page(request, query.rows(offset, limit), offset, limit, total, headers)

    def node(self, request: Request, node_id: str) -> Response | None:
        """`GET /act_{id}` (the account) and `GET /{report_run_id}` (a report run's status);
        None when the id is neither (the simulator's profile route answers)."""
        if node_id.startswith("act_"):
            headers, refused = self._check(request, node_id.removeprefix("act_"))
            return refused or JSONResponse({"id": SIMULATOR_AD_ACCOUNT_ID, "account_id": ACCOUNT_NUMBER, "name": ACCOUNT_NAME,
                                            "currency": "THB", "timezone_name": "Asia/Bangkok", "account_status": 1}, headers=headers)
        run = self.state.reports.get(node_id)
        if run is None:
            return None
        headers, refused = self._check(request)
        if refused:
            return refused
        done = min(1.0, (time.monotonic() - run.started) / run.duration_s)
        status = "Job Completed" if done >= 1 else "Job Running" if done > 0.1 else "Job Started"
        if run.fails and done >= 1:
            status = "Job Failed"
        body = {"id": run.id, "account_id": ACCOUNT_NUMBER, "async_status": status, "async_percent_completion": int(done * 100),
                "date_start": run.query.since.isoformat(), "date_stop": run.query.until.isoformat(), "time_ref": int(time.time())}
        if status == "Job Completed":
            body["time_completed"] = int(time.time())
        return JSONResponse(body, headers=headers)

    async def report_insights(self, request: Request) -> Response:
        run = self.state.reports.get(request.path_params["run_id"])
        headers, refused = self._check(request)
        if refused:
            return refused
        if run is None:
            return error(100, f"Unsupported get request. Object with ID '{request.path_params['run_id']}' does not exist.", 33, headers=headers)
        if run.fails:
            return error(-2, "Report Failed", 2490547, status=500, headers=headers)
        if time.monotonic() - run.started < run.duration_s:
            return error(100, "(#100) The report is not ready yet: poll its async_status first.", headers=headers)
        try:
            offset, limit = self._paging(request.query_params)
        except BadRequest as exc:
            return error(100, str(exc), headers=headers)
        return self._page(request, run.query.rows(offset, limit), offset, limit, run.query.size(), headers)

    # test and bench controls

    async def control(self, request: Request) -> Response:
        """GET: the account's size and recent calls. POST `{extra_ads, revision, usage_pct,
        times, failing_reports, reset}`."""
        if request.method == "POST":
            spec = await request.json()
            if spec.get("reset"):
                self.state = MarketingState()
            if "extra_ads" in spec:
                self.state.extra_ads = max(0, int(spec["extra_ads"]))
            if "revision" in spec:
                self.state.revision = int(spec["revision"])
            if "usage_pct" in spec:
                self.state.usage_override = [float(spec["usage_pct"])] * int(spec.get("times", 1))
            if "failing_reports" in spec:
                self.state.failing_reports = int(spec["failing_reports"])
        acc = account(self.state.extra_ads)
        return JSONResponse({"account_id": SIMULATOR_AD_ACCOUNT_ID, "extra_ads": self.state.extra_ads, "revision": self.state.revision,
                             "campaigns": len(acc.campaigns), "ad_sets": len(acc.ad_sets), "ads": sum(a.listed for a in acc.ads),
                             "reports": len(self.state.reports), "requests": self.state.requests[-50:]})

    async def fail(self, request: Request) -> Response:
        """Queue errors for the next Marketing API calls: same spec as `/_sim/fail`."""
        spec = await request.json()
        for _ in range(int(spec.get("times", 1))):
            self.state.failures.append(Failure(int(spec["code"]), spec.get("subcode"), spec.get("message", "Simulated error"),
                                               int(spec.get("http_status", 400)), spec.get("headers") or {}))
        return JSONResponse({"queued": len(self.state.failures)})

    def routes(self) -> list[Route]:
        """Before the simulator's catch-all `/{version}/{psid}` route."""
        return [
            Route("/_sim/marketing", self.control, methods=["GET", "POST"]),
            Route("/_sim/marketing/fail", self.fail, methods=["POST"]),
            Route("/{version}/act_{account}/insights", self.insights, methods=["GET", "POST"]),
            Route("/{version}/act_{account}/{edge}", self.edge),
            Route("/{version}/{run_id}/insights", self.report_insights),
        ]


def _meta_time(day: date) -> str:
    return datetime.combine(day, datetime.min.time(), TZ).strftime("%Y-%m-%dT%H:%M:%S%z")


def iter_account_figures(days: list[date], extra_ads: int = 0, today: date | None = None) -> Iterator[tuple[SimAd, date, DayFigures]]:
    """Every ad's figures for each of `days` it ran (no HTTP): demo data and benchmarks load
    these straight into the store. Today stops at the current hour."""
    today = today or today_in_bangkok()
    now_hours = datetime.now(TZ).hour + 1
    for ad in account(extra_ads).ads:
        for day in days:
            if today - timedelta(days=ad.start_ago) <= day <= today - timedelta(days=ad.end_ago) and day <= today:
                yield ad, day, day_figures(ad, day, now_hours if day == today else 24)

"""`vschool bench dashboard`: the marketing panel's data for a 30-day range.

Loads `--days` (730) days × `--ads` (200) ads of hourly rows (3.5 M by default) and the daily
rows rolled up from them, plus a CRM side (customers from ads, their conversations, orders,
payments and some refunds), all with SQL `generate_series` (deterministic, no randomness). Then,
for `--runs` different 30-day ranges inside the last two years:

- `cold_ms`: everything the panel shows (KPIs, the campaign → ad set → ad table, the daily
  trend, the weekday × hour heat map, the last sync) from PostgreSQL, as JSON shapes: nothing of
  ours cached (PostgreSQL's own buffers are warm, as on a running server). Median.
- `cached_ms`: the same data read from its snapshot file (`cache/analytics/range_….json`). Median.
- `baseline_hourly_ms`: same run, the naive way: per-ad sums and the heat map straight from the
  hourly rows of the range (what the daily rows and the hour totals avoid). `ratio` =
  baseline_hourly_ms ÷ cold_ms (how many times faster the panel is than the naive query).
- `cold_ms_4x` (unless `--no-4x`): history extended to 4× the rows (8 years at 200 ads), same
  ranges. Flat is the goal: each query reads only its range through the `day` indexes.
"""

import argparse
import statistics
import time
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from vschool.bench import bench_services

_CAMPAIGNS = """
INSERT INTO ad_account (id, name, currency, timezone_name) VALUES ('act_bench', 'V School (bench)', 'THB', 'Asia/Bangkok');
INSERT INTO campaign (id, ad_account_id, name, status)
  SELECT '7' || lpad(c::text, 12, '0'), 'act_bench', 'แคมเปญ ' || c, 'ACTIVE' FROM generate_series(1, :campaigns) c;
INSERT INTO ad_set (id, campaign_id, name, status)
  SELECT '6' || lpad(s::text, 12, '0'), '7' || lpad((1 + (s - 1) % :campaigns)::text, 12, '0'), 'กลุ่มเป้าหมาย ' || s, 'ACTIVE'
  FROM generate_series(1, :ad_sets) s;
INSERT INTO ad (id, ad_set_id, campaign_id, name, status)
  SELECT '8' || lpad(a::text, 12, '0'), '6' || lpad((1 + (a - 1) % :ad_sets)::text, 12, '0'),
         '7' || lpad((1 + ((a - 1) % :ad_sets) % :campaigns)::text, 12, '0'), 'โฆษณา ' || a, 'ACTIVE'
  FROM generate_series(1, :ads) a;
"""
# Spend follows the hour (busy evenings), the weekday and the ad; all integer arithmetic.
_HOURLY = """
INSERT INTO ad_insight_hourly (ad_id, day, hour, spend, impressions, clicks, leads)
SELECT a.id, d::date, h,
       ((10 + (a.n * 7 + h * 13) % 40) * (CASE WHEN h BETWEEN 18 AND 22 THEN 3 WHEN h < 7 THEN 1 ELSE 2 END)
         * (6 + extract(isodow FROM d)::int % 3))::numeric / 10,
       (200 + (a.n * 31 + h * 17 + extract(doy FROM d)::int) % 900),
       (3 + (a.n + h + extract(doy FROM d)::int) % 25),
       ((a.n + h * 3 + extract(doy FROM d)::int) % 7 = 0)::int
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ad) a,
     generate_series(CAST(:since AS date), CAST(:until AS date), interval '1 day') d,
     generate_series(0, 23) h
"""
_DAILY = """
INSERT INTO ad_insight_daily (ad_id, day, spend, impressions, clicks, leads, purchase_roas)
SELECT ad_id, day, sum(spend), sum(impressions), sum(clicks), sum(leads),
       CASE WHEN (hashtext(ad_id) + extract(doy FROM day)::int) % 3 = 0 THEN 1.5 + (extract(doy FROM day)::int % 20) / 10.0 END
FROM ad_insight_hourly WHERE day BETWEEN :since AND :until GROUP BY ad_id, day
"""
# One customer from an ad every ~15 minutes on average, a sixth of them buy, a twentieth of those refund.
_CRM = """
INSERT INTO customer (standard_id, display_name, lead_stage, first_ad_id, created_at, updated_at)
SELECT 'TVS-CUS-BN-' || lpad(k::text, 8, '0') || '-' || :tag, 'ลูกค้า ' || k, 'new',
       '8' || lpad((1 + (k * 7919) % :ads)::text, 12, '0'),
       CAST(:since AS timestamptz) + (k::bigint * :span_s / :customers) * interval '1 second',
       CAST(:since AS timestamptz) + (k::bigint * :span_s / :customers) * interval '1 second'
FROM generate_series(1, :customers) k;
INSERT INTO conversation (customer_id, channel, page_id, status, unread_count, source_ad_id, created_at, updated_at)
SELECT id, 'facebook', 'PAGEBENCH', 'resolved', 0, first_ad_id, created_at, created_at
FROM customer WHERE standard_id LIKE '%-' || :tag;
INSERT INTO orders (order_number, customer_id, status, total, currency, attributed_ad_id, created_at, updated_at)
SELECT 'VS-BN-' || :tag || '-' || id, id, 'paid', 18900 + (id % 5) * 5000, 'THB', first_ad_id,
       created_at + interval '2 days', created_at + interval '2 days'
FROM customer WHERE standard_id LIKE '%-' || :tag AND id % 6 = 0;
INSERT INTO payment (order_id, kind, amount, method, paid_at)
SELECT id, 'deposit', 5000, 'promptpay', created_at FROM orders WHERE order_number LIKE 'VS-BN-' || :tag || '-%'
UNION ALL
SELECT id, 'payment', total - 5000, 'transfer', created_at + interval '3 days' FROM orders WHERE order_number LIKE 'VS-BN-' || :tag || '-%'
UNION ALL
SELECT id, 'refund', 5000, 'transfer', created_at + interval '10 days' FROM orders WHERE order_number LIKE 'VS-BN-' || :tag || '-%' AND id % 20 = 0;
"""


def _load(engine: sa.Engine, since: date, until: date, ads: int, tag: str, first: bool) -> int:
    from models.db import session_scope
    from models.marketing_rollups import roll_up_hours

    days = (until - since).days + 1
    customers = max(1, days * ads // 8)  # 200 ads → 25 a day
    with engine.begin() as conn:
        if first:
            for stmt in _CAMPAIGNS.strip().split(";\n"):
                conn.execute(sa.text(stmt), {"campaigns": max(1, ads // 20), "ad_sets": max(1, ads // 5), "ads": ads})
        conn.execute(sa.text(_HOURLY), {"since": since, "until": until})
        conn.execute(sa.text(_DAILY), {"since": since, "until": until})
        for stmt in _CRM.strip().split(";\n"):
            conn.execute(sa.text(stmt), {"since": since.isoformat(), "span_s": days * 86_400, "customers": customers, "ads": ads, "tag": tag})
        conn.execute(sa.text("INSERT INTO ad_sync_run (kind, since, until, status, rows, progress, finished_at) "
                             "VALUES ('daily', :since, :until, 'succeeded', :rows, 100, now())"),
                     {"since": since, "until": until, "rows": days * ads * 24})
    with session_scope() as session:
        roll_up_hours(session, since, until)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM ad_insight_hourly")).scalar_one()


_NAIVE = [
    sa.text("""SELECT ad_id, sum(spend), sum(impressions), sum(clicks), sum(leads) FROM ad_insight_hourly
               WHERE day BETWEEN :since AND :until GROUP BY ad_id"""),
    sa.text("""SELECT extract(isodow FROM day)::int, hour, sum(spend), sum(leads) FROM ad_insight_hourly
               WHERE day BETWEEN :since AND :until GROUP BY 1, 2"""),
]


def _time_ms(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _measure(ranges: list[tuple[date, date]]) -> dict[str, float]:
    from cache.marketing import as_json, compute_range, read_range
    from models.db import session_scope
    from models.marketing_figures import panel_figures

    def cold(since: date, until: date) -> None:
        with session_scope() as session:
            as_json(panel_figures(session, since, until))

    def naive(since: date, until: date) -> None:
        with session_scope() as session:
            for q in _NAIVE:
                session.execute(q, {"since": since, "until": until}).all()

    cold(*ranges[0])  # connection pool and plans warm, as on a running server
    cold_ms = [_time_ms(lambda r=r: cold(*r)) for r in ranges]
    naive_ms = [_time_ms(lambda r=r: naive(*r)) for r in ranges]
    for r in ranges:
        compute_range(*r)
    cached_ms = [_time_ms(lambda r=r: read_range(*r)) for r in ranges]
    return {"cold_ms": statistics.median(cold_ms), "cold_p90_ms": sorted(cold_ms)[int(len(cold_ms) * 0.9)],
            "cached_ms": statistics.median(cached_ms), "baseline_hourly_ms": statistics.median(naive_ms)}


def bench_dashboard(args: argparse.Namespace) -> dict[str, Any]:
    ads, days, runs = getattr(args, "ads", None) or 200, getattr(args, "bench_days", None) or 730, getattr(args, "runs", None) or 15
    until = date(2026, 10, 31)
    since = until - timedelta(days=days - 1)
    # `runs` 30-day ranges spread over the loaded years (the latest included).
    ranges = [(until - timedelta(days=29 + k * (days - 30) // max(1, runs - 1)), until - timedelta(days=k * (days - 30) // max(1, runs - 1))) for k in range(runs)]
    with bench_services():
        from models.db import get_engine

        engine = get_engine()
        started = time.perf_counter()
        hourly_rows = _load(engine, since, until, ads, "a", first=True)
        load_s = time.perf_counter() - started
        figures = _measure(ranges)
        result: dict[str, Any] = {
            "bench": "dashboard",
            **{k: round(v, 2) for k, v in figures.items()},
            "ratio": round(figures["baseline_hourly_ms"] / figures["cold_ms"], 2),
            "hourly_rows": hourly_rows,
            "load_rows_per_s": round(hourly_rows / load_s),
            "ads": ads,
            "days": days,
            "range_days": 30,
            "runs": runs,
        }
        if not getattr(args, "no_4x", False):
            # 4× the rows: three more spans of history before the first.
            for k in range(1, 4):
                _load(engine, since - timedelta(days=days * k), since - timedelta(days=days * (k - 1) + 1), ads, f"h{k}", first=False)
            four = _measure(ranges)
            result.update(
                cold_ms_4x=round(four["cold_ms"], 2),
                cached_ms_4x=round(four["cached_ms"], 2),
                baseline_hourly_ms_4x=round(four["baseline_hourly_ms"], 2),
                hourly_rows_4x=hourly_rows * 4,
                growth_4x=round(four["cold_ms"] / figures["cold_ms"], 2),
            )
        return result

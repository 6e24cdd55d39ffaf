"""`vschool bench import`: how fast the old system's store comes in (`vschool import legacy`).

It writes a legacy layout into its scratch folder — `--customers` customer files (default
50,000; Thai and English names, PSIDs, phones in the ways people write them, tags, a note for
one in five, ids over three yearly sequences) and `--bench-days` days (default 730) of daily and
hourly ad logs for `--ads` ads (default 200) in the Marketing API's shape — then imports it twice.

- `customers_per_s`: customers over the customer stage of the first run (reading the files,
  matching, COPY and the set-based inserts); `insight_rows_per_s`: daily + hourly rows over the
  ad-log stage (reading, parsing, upserting, rolling up the hour totals).
- `rerun_s`: the whole second run, which finds everything already there and writes nothing.
- Same-run baselines: `baseline_customers_per_s` only reads and parses the same files (no
  database); `baseline_insight_rows_per_s` reads and parses the same log files and COPYs the
  rows into a table without keys. `ratio_customers`, `ratio_insights`: ours ÷ baseline.
"""

import argparse
import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from vschool.bench import bench_services

FIRST = ("สมชาย", "สมศรี", "วิไลวรรณ", "ปิยะพร", "Emily", "Kenji", "Nattapong", "Mai", "อาทิตย์", "Lisa", "ธนพร", "John")
LAST = ("ใจดี", "แก้วมณี", "ศรีสุข", "Carter", "Tanaka", "มั่นคง", "Nguyen", "Smith", "ทองคำ", "บุญมา")
TAGS = ("ซูชิ", "Ramen", "VIP", "วากาชิ", "Weekend", "English speaker", "คอร์สเชฟ")
LEADS = "onsite_conversion.messaging_conversation_started_7d"


def write_customers(root: Path, count: int, rng: random.Random) -> None:
    folder = root / "customer"
    folder.mkdir(parents=True)
    for n in range(count):
        year = (24, 25, 26)[n % 3]
        number = n // 3 + 1
        sid = f"TVS-CUS-FB-{year}-{number:04d}"
        phone = f"08{rng.randrange(10**7, 10**8)}"
        record: dict[str, Any] = {
            "customerId": sid, "firstName": rng.choice(FIRST), "lastName": rng.choice(LAST),
            "phoneNumber": rng.choice((phone, f"+66 {phone[1:3]} {phone[3:6]} {phone[6:]}", f"{phone[:3]}-{phone[3:6]}-{phone[6:]}")),
            "facebookPsid": str(7_000_000_000_000_000 + n), "labels": rng.sample(TAGS, rng.randrange(0, 3)),
            "status": rng.choice(("lead", "contacted", "Qualified", "นักเรียน")), "createdAt": f"20{year}-0{1 + n % 9}-1{n % 9}T10:00:00Z",
        }
        if n % 5 == 0:
            record["notes"] = [{"text": "สนใจคอร์สวันเสาร์", "date": f"20{year}-03-01T09:00:00+07:00"}]
        (folder / f"{sid}.json").write_bytes(orjson.dumps(record))


def write_ad_logs(root: Path, ads: int, days: int, rng: random.Random) -> int:
    """Daily and hourly logs, one file per day each; returns the rows written."""
    names = [{"ad_id": str(120_210_000_000_000_000 + a), "ad_name": f"Ad {a}", "adset_id": str(120_210_000_000_100_000 + a // 4),
              "adset_name": f"Ad set {a // 4}", "campaign_id": str(120_210_000_000_200_000 + a // 20), "campaign_name": f"แคมเปญ {a // 20}"}
             for a in range(ads)]
    daily_dir, hourly_dir = root / "cache" / "ad_logs" / "daily", root / "cache" / "ad_logs" / "hourly"
    daily_dir.mkdir(parents=True)
    hourly_dir.mkdir(parents=True)
    first, rows = date.today() - timedelta(days=days), 0
    for d in range(days):
        day = (first + timedelta(days=d)).isoformat()
        hourly, daily = [], []
        for ad in names:
            spend = [rng.randrange(0, 2000) for _ in range(24)]
            for hour in range(24):
                hourly.append({"ad_id": ad["ad_id"], "date_start": day, "hourly_stats_aggregated_by_advertiser_time_zone": f"{hour:02d}:00:00 - {hour:02d}:59:59",
                               "spend": f"{spend[hour] / 100:.2f}", "impressions": str(spend[hour] * 3), "clicks": str(spend[hour] // 90),
                               "actions": [{"action_type": LEADS, "value": str(spend[hour] // 700)}]})
            daily.append({**ad, "date_start": day, "spend": f"{sum(spend) / 100:.2f}", "impressions": str(sum(spend) * 3),
                          "clicks": str(sum(s // 90 for s in spend)), "reach": str(sum(spend)), "actions": [{"action_type": LEADS, "value": str(sum(s // 700 for s in spend))}]})
        (hourly_dir / f"{day}.json").write_bytes(orjson.dumps({"data": hourly}))
        (daily_dir / f"{day}.json").write_bytes(orjson.dumps({"data": daily}))
        rows += len(hourly) + len(daily)
    return rows


def _baseline_customers(root: Path) -> float:
    started = time.perf_counter()
    for path in sorted((root / "customer").glob("*.json")):
        orjson.loads(path.read_bytes())
    return time.perf_counter() - started


def _baseline_insights(root: Path) -> float:
    """Read and parse the same logs and COPY their rows into tables without keys."""
    from models.db import get_engine
    from models.transfer.ad_logs import ParsedLog, parse_log

    started = time.perf_counter()
    with get_engine().begin() as conn:
        pg = conn.connection.driver_connection
        pg.execute("CREATE TEMP TABLE plain_daily (LIKE ad_insight_daily INCLUDING DEFAULTS) ON COMMIT DROP")
        pg.execute("CREATE TEMP TABLE plain_hourly (LIKE ad_insight_hourly INCLUDING DEFAULTS) ON COMMIT DROP")
        for kind, table, columns in (("daily", "plain_daily", "ad_id, day, spend, impressions, clicks, reach, leads, actions, action_values, purchase_roas"),
                                     ("hourly", "plain_hourly", "ad_id, day, hour, spend, impressions, clicks, leads")):
            for path in sorted((root / "cache" / "ad_logs" / kind).glob("*.json")):
                parsed = ParsedLog()
                parse_log(orjson.loads(path.read_bytes()), str(path), kind == "hourly", None, [], parsed)
                with pg.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in parsed.rows:
                        copy.write_row(row)
    return time.perf_counter() - started


def bench_import(args: argparse.Namespace) -> dict[str, Any]:
    """The `import` bench (see the module docstring)."""
    customers = getattr(args, "bench_customers", None) or 50_000
    ads = getattr(args, "ads", None) or 200
    days = getattr(args, "bench_days", None) or 730
    rng = random.Random(18)
    with bench_services() as scratch:
        from models.transfer.legacy import import_legacy

        root = scratch / "legacy"
        write_customers(root, customers, rng)
        rows = write_ad_logs(root, ads, days, rng)
        baseline_customers_s = _baseline_customers(root)
        baseline_insights_s = _baseline_insights(root)
        first = import_legacy(root)
        started = time.perf_counter()
        second = import_legacy(root)
        rerun_s = time.perf_counter() - started
    logs = first["ad_logs"]
    stored = logs["daily"]["rows"] + logs["hourly"]["rows"]
    if first["customers"]["created"] != customers or stored != rows or first["problem_count"]:
        raise RuntimeError(f"the import did not bring everything in: {first['customers']}, {stored} of {rows} rows, {first['problems'][:5]}")
    customers_per_s = customers / first["seconds"]["customers"]
    insight_rows_per_s = stored / first["seconds"]["ad_logs"]
    return {
        "bench": "import",
        "customers": customers,
        "insight_rows": stored,
        "ads": ads,
        "days": days,
        "customers_per_s": round(customers_per_s),
        "insight_rows_per_s": round(insight_rows_per_s),
        "rerun_s": round(rerun_s, 2),
        "rerun_written": second["customers"]["created"] + second["customers"]["updated"] + second["ad_logs"]["daily"]["written"] + second["ad_logs"]["hourly"]["written"],
        "first_run_s": round(sum(first["seconds"].values()), 2),
        "baseline_customers_per_s": round(customers / baseline_customers_s),
        "baseline_insight_rows_per_s": round(rows / baseline_insights_s),
        "ratio_customers": round(customers_per_s / (customers / baseline_customers_s), 3),
        "ratio_insights": round(insight_rows_per_s / (rows / baseline_insights_s), 3),
    }

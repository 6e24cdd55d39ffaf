"""`vschool bench adsync`: how fast ad insights get from Meta into PostgreSQL.

- Store stage: ≥ 1,000,000 hourly rows (the simulator's generator, converted exactly as the sync
  converts Meta's rows) through `store_hourly` in the sync's batches: first load
  (`rows_per_s`), then the same rows again (`resync_rows_per_s`: nothing changed, nothing
  rewritten). Baseline, same run and same batches: a plain text COPY of the same rows into a
  table of the same shape without keys (`baseline_rows_per_s`); `ratio` = store / baseline.
  Store and baseline take turns batch by batch, so load from elsewhere on the machine weighs on
  both alike; two rounds, the best of each reported. Only the store calls are timed (rows are
  built between them). `merge_first_rows_per_s`: the first load again with every batch merged
  through the temporary table (no straight-in COPY).
- End to end (`e2e_rows_per_s`): `run_sync` in this process against the Meta simulator on a free
  port over HTTP (paging, report runs, usage headers), from empty tables, over as many days as
  hold ≥ `--rows` hourly rows; daily and hourly rows both count.
"""

import argparse
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx

from vschool.bench import bench_services

ROUNDS = 2  # store stage rounds (first load + baseline, re-sync); each figure is its best round


def _batches(extra_ads: int, days: list, limit: int, size: int) -> Iterator[list[tuple]]:
    """The hourly rows of the bench's account as the sync would store them, `size` at a time."""
    from actors.meta.marketing import HOURLY_FIELDS, hourly_row
    from models.ad_store import whole_days
    from vschool.simulator.marketing import ad_names, insight_rows, iter_account_figures

    fields, names = tuple(HOURLY_FIELDS.split(",")), ad_names(extra_ads)
    batch: list[tuple] = []
    made = 0
    for ad, day, figures in iter_account_figures(days, extra_ads, today=days[-1] + timedelta(days=1)):
        batch.extend(hourly_row(row) for row in insight_rows(ad, day, figures, True, fields, names[ad.id]))
        if len(batch) >= size or made + len(batch) >= limit:
            take, batch = whole_days(batch[: limit - made])
            made += len(take)
            yield take
            if made >= limit:
                return
    if batch and made < limit:
        yield batch[: limit - made]


def _timed(batches: Iterator[list[tuple]], *stores) -> tuple[int, list[float]]:
    """Rows, and seconds spent in each `store(pg, rows)` (one transaction per batch, commit
    included). Several stores take turns batch by batch, first one then the other leading, so
    the machine's other load weighs on each alike."""
    from models.db import get_engine

    rows, spent = 0, [0.0] * len(stores)
    for n, batch in enumerate(batches):
        order = list(range(len(stores)))
        for i in order if n % 2 == 0 else order[::-1]:
            with get_engine().begin() as conn:
                pg = conn.connection.driver_connection
                t0 = time.perf_counter()
                stores[i](pg, batch)
            spent[i] += time.perf_counter() - t0
        rows += len(batch)
    return rows, spent


def _plain_copy(pg, rows: list[tuple]) -> None:
    with pg.cursor().copy("COPY bench_plain_hourly (ad_id, day, hour, spend, impressions, clicks, leads) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _start_simulator(scratch, port: int) -> subprocess.Popen:
    env = {**os.environ, "VSCHOOL_DATA_DIR": str(scratch), "VSCHOOL_SIMULATOR_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "vschool.cli", "simulator", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_sim/marketing", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the Meta simulator did not start")
        time.sleep(0.2)


def bench_adsync(args: argparse.Namespace) -> dict[str, Any]:
    from vschool.harness import free_port
    from vschool.simulator.marketing import HISTORY_DAYS, account, today_in_bangkok

    target = args.rows or 1_000_000
    days_back = min(HISTORY_DAYS, max(1, getattr(args, "bench_days", None) or HISTORY_DAYS))
    extra_ads = math.ceil(target / (days_back * 24))
    yesterday = today_in_bangkok() - timedelta(days=1)
    days = [yesterday - timedelta(days=n) for n in range(days_back - 1, -1, -1)]
    with bench_services() as scratch:
        from actors.ads import STORE_BATCH  # the broker is set up inside the bench's services
        from models.ad_store import HOURLY, store_hourly, upsert
        from models.db import get_engine
        from models.settings import get_settings

        with get_engine().begin() as conn:
            conn.exec_driver_sql("CREATE TABLE bench_plain_hourly (LIKE ad_insight_hourly INCLUDING DEFAULTS)")
        first_s = plain_s = resync_s = math.inf
        for _ in range(ROUNDS):  # best of each: other work on the machine only ever slows a round down
            with get_engine().begin() as conn:
                conn.exec_driver_sql("TRUNCATE ad_insight_hourly, bench_plain_hourly")
            rows, (first, plain) = _timed(_batches(extra_ads, days, target, STORE_BATCH), store_hourly, _plain_copy)
            _, (resync,) = _timed(_batches(extra_ads, days, target, STORE_BATCH), store_hourly)
            first_s, plain_s, resync_s = min(first_s, first), min(plain_s, plain), min(resync_s, resync)
        with get_engine().begin() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM ad_insight_hourly").scalar()
            conn.exec_driver_sql("TRUNCATE ad_insight_hourly")
        merge_only = replace(HOURLY, by_ad_and_day=False)  # the first load without the straight-in COPY
        _, (merge_s,) = _timed(_batches(extra_ads, days, target, STORE_BATCH), lambda pg, batch: upsert(pg, merge_only, batch))
        with get_engine().begin() as conn:
            conn.exec_driver_sql("DROP TABLE bench_plain_hourly")
            conn.exec_driver_sql("TRUNCATE ad_insight_hourly, ad_insight_daily, ad, ad_set, campaign, ad_account CASCADE")

        port = free_port()
        simulator = _start_simulator(scratch, port)
        try:
            os.environ["VSCHOOL_SIMULATOR_PORT"] = str(port)
            get_settings.cache_clear()
            httpx.post(f"http://127.0.0.1:{port}/_sim/marketing", json={"extra_ads": extra_ads}).raise_for_status()
            from actors.ads import run_sync

            t0 = time.perf_counter()
            result = run_sync("manual", since=days[0], until=yesterday)
            e2e_s = time.perf_counter() - t0
        finally:
            os.killpg(simulator.pid, signal.SIGTERM)
            simulator.wait(timeout=20)
        if result.status != "succeeded":
            raise RuntimeError(f"the sync failed: {result.error}")
        with get_engine().begin() as conn:
            e2e_hourly = conn.exec_driver_sql("SELECT count(*) FROM ad_insight_hourly").scalar()
    return {
        "bench": "adsync",
        "rows": rows,
        "stored_rows": stored,
        "rows_per_s": round(rows / first_s),
        "resync_rows_per_s": round(rows / resync_s),
        "baseline_rows_per_s": round(rows / plain_s),
        "ratio": round((rows / first_s) / (rows / plain_s), 3),
        "merge_first_rows_per_s": round(rows / merge_s),
        "batch_rows": STORE_BATCH,
        "store_rounds": ROUNDS,
        "e2e_rows": result.rows,
        "e2e_hourly_rows": e2e_hourly,
        "e2e_rows_per_s": round(result.rows / e2e_s),
        "e2e_ms": round(e2e_s * 1000),
        "e2e_requests": result.client.get("requests"),
        "e2e_report_runs": result.client.get("report_runs"),
        "ads": len(account(extra_ads).ads),
        "days": days_back,
    }

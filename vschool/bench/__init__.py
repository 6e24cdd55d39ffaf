"""`vschool bench NAME --json`: self-contained benchmarks. Each uses the services named by
DATABASE_URL/REDIS_URL, or starts the embedded ones in a temporary data folder, starts what it
measures on free ports, and stops and removes everything it started."""

import argparse
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def bench_services() -> Iterator[Path]:
    """Yield a scratch folder, with DATABASE_URL/REDIS_URL pointing at migrated services."""
    from models.db import reset_engine
    from models.settings import get_settings
    from vschool import services
    from vschool.migrations import upgrade_to_head

    scratch = Path(tempfile.mkdtemp(prefix="vschool-bench-"))
    started = not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
    try:
        if started:
            addresses = services.start(scratch)
            os.environ.update(DATABASE_URL=addresses["database_url"], REDIS_URL=addresses["redis_url"])
        os.environ["VSCHOOL_DATA_DIR"] = str(scratch)
        get_settings.cache_clear()
        reset_engine()
        upgrade_to_head()
        yield scratch
    finally:
        reset_engine()
        if started:
            services.stop(scratch)
        shutil.rmtree(scratch, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_bench(name: str, args: argparse.Namespace) -> dict[str, Any]:
    benches: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {}
    from vschool.bench.adsync import bench_adsync
    from vschool.bench.dashboard import bench_dashboard
    from vschool.bench.e2e import bench_e2e
    from vschool.bench.footprint import bench_footprint
    from vschool.bench.kb import bench_kb
    from vschool.bench.legacy_import import bench_import
    from vschool.bench.push import bench_push
    from vschool.bench.reports import bench_reports
    from vschool.bench.seats import bench_seats
    from vschool.bench.timeline import bench_timeline
    from vschool.bench.ui import bench_ui
    from vschool.bench.webhook import bench_webhook

    benches["dashboard"] = bench_dashboard
    benches["adsync"] = bench_adsync
    benches["e2e"] = bench_e2e
    benches["footprint"] = bench_footprint
    benches["import"] = bench_import
    benches["kb"] = bench_kb
    benches["push"] = bench_push
    benches["seats"] = bench_seats
    benches["reports"] = bench_reports
    benches["timeline"] = bench_timeline
    benches["ui"] = bench_ui
    benches["webhook"] = bench_webhook
    return benches[name](args)

"""Marketing snapshots across hosts (ADR 013): a refresh on one host is what every host reads
next, and a host cut off from Redis (and PostgreSQL) still reads its own last copy."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cache.marketing import load_panel, range_path, refresh_marketing_snapshots, summary_path
from cache.snapshots import invalidate, read_snapshot, snapshot_path
from models.db import session_scope
from models.settings import get_settings
from tests.marketing_helpers import hand_checked

TODAY = date(2026, 3, 2)


@contextmanager
def on_host(data_dir: Path, redis_url: str | None = None) -> Iterator[None]:
    """This process acts as a host with its own data folder (and, given, another Redis address)."""
    saved = {k: os.environ.get(k) for k in ("VSCHOOL_DATA_DIR", "REDIS_URL")}
    os.environ["VSCHOOL_DATA_DIR"] = str(data_dir)
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    get_settings.cache_clear()
    try:
        yield
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        get_settings.cache_clear()


@pytest.mark.usefixtures("db")
def test_a_refresh_on_one_host_is_what_another_host_serves_next(tmp_path: Path) -> None:
    worker_b, app_a = tmp_path / "worker-b", tmp_path / "app-a"
    with on_host(app_a):
        invalidate(snapshot_path("analytics"))
        invalidate(snapshot_path("campaigns"))
        before = load_panel(date(2026, 3, 1), TODAY)  # nothing yet: computed from an empty school
        assert Decimal(before.data["totals"]["revenue"]) == 0
    with session_scope() as s:
        hand_checked(s)
    with on_host(worker_b):
        refresh_marketing_snapshots(today=TODAY)  # after a sync on worker host B
        written = read_snapshot(summary_path())["generated_at"]
    with on_host(app_a):
        assert read_snapshot(summary_path())["generated_at"] == written
        served = load_panel(date(2026, 3, 1), TODAY)
        assert (served.stale, Decimal(served.data["totals"]["revenue"])) == (False, Decimal("31800.00"))
        assert (app_a / "cache" / "analytics" / range_path(date(2026, 3, 1), TODAY).name).exists()  # A's own copy
    with on_host(app_a, redis_url=f"unix://{tmp_path}/no-redis.sock"):  # Redis away from host A
        offline = read_snapshot(range_path(date(2026, 3, 1), TODAY))
        assert Decimal(offline["totals"]["revenue"]) == Decimal("31800.00")
        assert read_snapshot(summary_path())["generated_at"] == written
    with on_host(app_a):
        invalidate(snapshot_path("analytics"))  # dropped on one host: gone for every host
    with on_host(worker_b):
        assert read_snapshot(summary_path()) is None
        assert not (worker_b / "cache" / "analytics" / "summary.json").exists()

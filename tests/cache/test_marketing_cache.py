"""Marketing snapshots: written atomically, rebuilt by the actor, and read when PostgreSQL is down."""

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from cache.marketing import load_panel, range_path, refresh_marketing_snapshots, summary_path
from cache.snapshots import (
    invalidate,
    read_snapshot,
    snapshot_path,
    stale_while_revalidate,
    write_snapshot,
)
from models.db import reset_engine, session_scope
from models.marketing import AdSyncRun
from models.marketing_figures import preset_range
from models.settings import get_settings
from tests.conftest import ROOT, wait_until
from tests.marketing_helpers import hand_checked

TODAY = date(2026, 3, 2)  # the hand-checked account's last day


@pytest.fixture(autouse=True)
def no_snapshots() -> None:
    """Snapshots are derived from the tables the `db` fixture empties: start without any."""
    invalidate(snapshot_path("analytics"))
    invalidate(snapshot_path("campaigns"))


def test_writes_are_atomic_readers_never_see_half_a_file(tmp_path: Path) -> None:
    path = tmp_path / "analytics" / "summary.json"
    write_snapshot(path, {"n": 0, "pad": "ก" * 50_000})
    seen: list[object] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            data = read_snapshot(path)
            seen.append(data["n"] if data else None)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for n in range(1, 200):
        write_snapshot(path, {"n": n, "pad": "ก" * 50_000})
    stop.set()
    for t in threads:
        t.join()
    assert seen and None not in seen  # every read parsed a whole file
    assert read_snapshot(path)["n"] == 199

    with pytest.raises(TypeError):
        write_snapshot(path, {"n": object()})  # cannot be written: the old file stays whole
    assert read_snapshot(path)["n"] == 199
    assert sorted(p.name for p in path.parent.iterdir()) == ["summary.json"]  # no temporary file left
    assert json.loads(path.read_text())["generated_at"]


def test_stale_while_revalidate_serves_the_old_file_and_refreshes_it_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    calls: list[int] = []
    done = threading.Event()

    def compute() -> dict:
        calls.append(1)
        return {"value": len(calls)}

    first = stale_while_revalidate(path, compute, max_age_s=60)
    assert (first.data["value"], first.stale) == (1, False)  # nothing cached: computed now
    assert stale_while_revalidate(path, compute, max_age_s=60).data["value"] == 1  # fresh: no call
    old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    write_snapshot(path, {"value": 1, "generated_at": old})
    served = stale_while_revalidate(path, compute, max_age_s=60, on_done=done.set)
    assert (served.data["value"], served.stale, served.refreshing) == (1, True, True)  # the old one, at once
    assert done.wait(10)
    assert read_snapshot(path)["value"] == 2 and stale_while_revalidate(path, compute, max_age_s=60).stale is False

    def broken() -> dict:
        raise ConnectionError("database unreachable")

    missing = stale_while_revalidate(tmp_path / "none.json", broken, max_age_s=60)
    assert missing.data is None and "database unreachable" in missing.error


@pytest.mark.usefixtures("db")
def test_refresh_writes_every_snapshot_with_the_hand_checked_figures() -> None:
    with session_scope() as s:
        hand_checked(s)
        s.add(AdSyncRun(kind="manual", since=date(2026, 3, 1), until=date(2026, 3, 2), status="succeeded", progress=100,
                        finished_at=datetime(2026, 3, 2, 10, tzinfo=UTC)))
    made = refresh_marketing_snapshots(today=TODAY)
    assert made["hour_rows"] == 2  # the finished run's days rolled into hour totals: (1 Mar, 10:00), (2 Mar, 23:00)

    summary = read_snapshot(summary_path())
    week = summary["presets"]["7d"]
    assert (week["since"], week["until"]) == ("2026-02-24", "2026-03-02")
    assert Decimal(week["totals"]["revenue"]) == Decimal("31800.00") and Decimal(week["totals"]["spend"]) == Decimal("2999.00")
    assert summary["last_sync"]["status"] == "succeeded"
    day = read_snapshot(snapshot_path("analytics", "daily_2026-03-01.json"))
    assert Decimal(day["totals"]["revenue"]) == Decimal("23900.00") and day["totals"]["leads"] == 2
    month = read_snapshot(snapshot_path("analytics", "monthly_2026-03.json"))
    assert (month["since"], month["until"], Decimal(month["totals"]["revenue"])) == ("2026-03-01", "2026-03-02", Decimal("31800.00"))
    assert read_snapshot(snapshot_path("analytics", "monthly_2026-02.json"))["totals"]["spend"] == "999.00"
    campaign = read_snapshot(snapshot_path("campaigns", "9100000000100.json"))["campaign"]
    assert Decimal(campaign["revenue"]) == Decimal("31800.00") and [s["name"] for s in campaign["ad_sets"]] == ["กรุงเทพฯ 25-45"]
    thirty = read_snapshot(range_path(*preset_range("30d", TODAY)))
    assert {(c["weekday"], c["hour"]) for c in thirty["heat"] if c["spend"] != "0"} == {(7, 10), (1, 23)}
    assert made["files"] and refresh_marketing_snapshots(today=TODAY)["hour_rows"] == 0  # nothing new finished


@pytest.mark.usefixtures("db")
def test_the_actor_rebuilds_and_tells_open_panels(worker) -> None:
    from actors.cache import refresh_marketing_cache
    from actors.push import announced

    summary_path().unlink(missing_ok=True)
    with session_scope() as s:
        hand_checked(s)
    refresh_marketing_cache.send()

    def marketing_announced() -> bool:
        """the actor announced `marketing` (after writing the files)"""
        return "marketing" in {e["topic"] for e in announced()}

    wait_until(marketing_announced, timeout_s=60)
    assert Decimal(read_snapshot(summary_path())["presets"]["30d"]["totals"]["spend"]) >= 0


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[Path]:
    """Embedded PostgreSQL and Redis of this test's own (so stopping them harms nobody)."""
    import subprocess
    import sys

    from vschool import services

    addresses = services.start(tmp_path)
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "REDIS_URL", "VSCHOOL_DATA_DIR")}
    os.environ.update(DATABASE_URL=addresses["database_url"], REDIS_URL=addresses["redis_url"], VSCHOOL_DATA_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-m", "vschool.cli", "migrate"], cwd=ROOT, check=True)
    get_settings.cache_clear()
    reset_engine()
    try:
        yield tmp_path
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
        reset_engine()
        services.stop(tmp_path)


def test_the_panel_reads_its_snapshot_marked_stale_while_postgresql_is_stopped(own_database: Path) -> None:
    from vschool import services

    with session_scope() as s:
        hand_checked(s)
    since, until = date(2026, 3, 1), date(2026, 3, 2)
    fresh = load_panel(since, until)
    assert (fresh.stale, Decimal(fresh.data["totals"]["revenue"])) == (False, Decimal("31800.00"))
    assert (own_database / "cache" / "analytics" / "range_2026-03-01_2026-03-02.json").exists()

    services._stop_postgres(own_database)
    reset_engine()
    # An hour later the snapshot is old: it is still shown at once, and the refresh fails.
    old = read_snapshot(range_path(since, until))
    write_snapshot(range_path(since, until), {**old, "generated_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()})
    served = load_panel(since, until)
    assert served.stale and Decimal(served.data["totals"]["revenue"]) == Decimal("31800.00")
    after = wait_until(lambda: (c := load_panel(since, until)).error and c, timeout_s=30)
    assert after.stale and "OperationalError" in after.error
    assert Decimal(after.data["totals"]["revenue"]) == Decimal("31800.00")  # still the saved figures
    nothing = load_panel(date(2025, 1, 1), date(2025, 1, 31))  # never saved: says why, shows nothing
    assert nothing.data is None and nothing.error

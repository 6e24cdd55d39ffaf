"""The marketing snapshots (seed 002, `cache/analytics/` and `cache/campaigns/`).

Files under {data_dir}/cache/:
- analytics/summary.json           the presets' totals (today, 7d, 30d, this month) and the last sync
- analytics/range_{since}_{until}.json   the marketing panel's whole data for one range (the
                                   presets are rebuilt on every refresh; a custom range is
                                   written the first time someone opens it)
- analytics/daily_{date}.json      one Bangkok day: totals and per-campaign figures
- analytics/monthly_{YYYY-MM}.json one month: totals and per-campaign figures
- campaigns/{campaign_id}.json     one campaign's last 30 days with its ad sets and ads

Everything is computed by `models.marketing_figures` and written atomically by
`cache.snapshots`; values are JSON (money as exact decimal strings).
"""

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cache.snapshots import (
    Cached,
    json_default,
    read_snapshot,
    snapshot_path,
    stale_while_revalidate,
    write_snapshot,
)
from models.db import session_scope
from models.marketing_figures import PRESETS, panel_figures, preset_range, today_in_bangkok
from models.marketing_rollups import roll_up_hours

ROLLED_MARK = "marketing_hours_rolled_through"  # app_setting: finished_at of the last rolled-up sync
DAYS_KEPT = 3  # daily snapshots rebuilt each refresh: Meta revises the last 3 days
RANGE_FILES_KEPT_S = 2 * 86_400
FRESH_S = 600  # a range snapshot younger than this, written after the last refresh, is current  # custom-range snapshots nobody refreshes are dropped after this


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    """The same shapes the snapshot files hold (Decimal → exact string), so a page shows data
    from the database and from a file the same way."""
    return json.loads(json.dumps(data, default=json_default, ensure_ascii=False))


def range_path(since: date, until: date) -> Path:
    return snapshot_path("analytics", f"range_{since.isoformat()}_{until.isoformat()}.json")


def summary_path() -> Path:
    return snapshot_path("analytics", "summary.json")


def daily_path(day: date) -> Path:
    return snapshot_path("analytics", f"daily_{day.isoformat()}.json")


def monthly_path(month: date) -> Path:
    return snapshot_path("analytics", f"monthly_{month:%Y-%m}.json")


def campaign_path(campaign_id: str) -> Path:
    if not campaign_id.isdigit():
        raise ValueError(f"not a campaign id: {campaign_id!r}")
    return snapshot_path("campaigns", f"{campaign_id}.json")


def read_range(since: date, until: date) -> dict[str, Any] | None:
    return read_snapshot(range_path(since, until))


def figures_from_database(since: date, until: date) -> dict[str, Any]:
    with session_scope() as session:
        return as_json(panel_figures(session, since, until))


def compute_range(since: date, until: date) -> dict[str, Any]:
    """The panel's data for a range, from PostgreSQL, written to its snapshot file."""
    return write_snapshot(range_path(since, until), figures_from_database(since, until))


def load_panel(since: date, until: date, on_done: Callable[[], None] | None = None) -> Cached:
    """What the marketing panel shows for a range: its snapshot at once when there is one
    (current if written since the latest refresh began — every sync and order or payment change
    ends in a refresh — and less than 10 minutes ago; otherwise recomputed in the background,
    `on_done` called after), else computed now. When PostgreSQL is down the old
    snapshot comes back marked stale, with the reason."""
    summary = read_snapshot(summary_path()) or {}
    try:
        fresh_after = datetime.fromisoformat(summary["refresh_started_at"])
    except (KeyError, TypeError, ValueError):
        fresh_after = None
    return stale_while_revalidate(
        range_path(since, until), lambda: figures_from_database(since, until), FRESH_S, fresh_after=fresh_after, on_done=on_done
    )


def roll_up_finished_syncs(session: Session) -> int:
    """Bring the hour totals up to date with every sync run that finished since the last
    refresh (the days it covered; a run with no range, or the first time, rebuilds all)."""
    session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('ad_insight_hour_total'))"))
    mark = session.execute(sa.text("SELECT value #>> '{}' FROM app_setting WHERE key = :k"), {"k": ROLLED_MARK}).scalar()
    runs = session.execute(
        sa.text(
            "SELECT since, until, finished_at FROM ad_sync_run WHERE finished_at IS NOT NULL"
            + (" AND finished_at > :mark" if mark else "")
            + " ORDER BY finished_at"
        ),
        {"mark": datetime.fromisoformat(mark)} if mark else {},
    ).all()
    nothing_rolled = not session.execute(sa.text("SELECT EXISTS (SELECT 1 FROM ad_insight_hour_total)")).scalar_one()
    hourly_rows = session.execute(sa.text("SELECT EXISTS (SELECT 1 FROM ad_insight_hourly)")).scalar_one()
    written = 0
    if (nothing_rolled and hourly_rows) or any(since is None for since, _, _ in runs):
        written = roll_up_hours(session)
    else:
        for since, until, _ in runs:
            written += roll_up_hours(session, since, until)
    if runs:
        value = json.dumps(runs[-1][2].isoformat())
        session.execute(
            sa.text(
                "INSERT INTO app_setting (key, value, updated_at) VALUES (:k, CAST(:v AS jsonb), now())"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()"
            ),
            {"k": ROLLED_MARK, "v": value},
        )
    return written


def refresh_marketing_snapshots(today: date | None = None) -> dict[str, Any]:
    """Rebuild every marketing snapshot from PostgreSQL; return what was written."""
    started = time.perf_counter()
    refresh_started_at = datetime.now(UTC).isoformat()
    today = today or today_in_bangkok()
    with session_scope() as session:
        hours = roll_up_finished_syncs(session)
    written: list[str] = []
    with session_scope() as session:
        presets = {}
        for name in PRESETS:
            since, until = preset_range(name, today)
            data = write_snapshot(range_path(since, until), as_json(panel_figures(session, since, until)))
            written.append(range_path(since, until).name)
            presets[name] = {"since": data["since"], "until": data["until"], "totals": data["totals"]}
            if name == "30d":
                for campaign in data["campaigns"]:
                    if campaign["id"]:
                        write_snapshot(campaign_path(campaign["id"]), {"since": data["since"], "until": data["until"], "campaign": campaign})
                        written.append(f"campaigns/{campaign['id']}.json")
                last_sync = data["last_sync"]
        for back in range(DAYS_KEPT):
            day = today - timedelta(days=back)
            write_snapshot(daily_path(day), as_json(panel_figures(session, day, day, detail=False)))
            written.append(daily_path(day).name)
        this_month = today.replace(day=1)
        for month in (this_month, (this_month - timedelta(days=1)).replace(day=1)):
            end = min(today, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
            write_snapshot(monthly_path(month), as_json(panel_figures(session, month, end, detail=False)))
            written.append(monthly_path(month).name)
    summary = write_snapshot(summary_path(), {"today": today.isoformat(), "refresh_started_at": refresh_started_at, "presets": presets, "last_sync": last_sync})
    _drop_old_range_files({range_path(*preset_range(n, today)) for n in PRESETS})
    return {"generated_at": summary["generated_at"], "files": written, "hour_rows": hours,
            "took_ms": round((time.perf_counter() - started) * 1000, 1)}


def _drop_old_range_files(keep: set[Path]) -> None:
    folder = snapshot_path("analytics")
    cutoff = datetime.now(UTC).timestamp() - RANGE_FILES_KEPT_S
    for path in folder.glob("range_*.json"):
        try:
            if path not in keep and path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass

"""The ad sync: the ad account's campaigns, ad sets and ads, then their daily and hourly insights
at ad level, from the Marketing API (`actors.meta.marketing`) into PostgreSQL (`models.ad_store`).

What a run covers (days of the ad account, Asia/Bangkok):
- `hourly` (the scheduler, every hour): daily and hourly figures of the last 3 days.
- `daily` (the scheduler, once a night): daily and hourly figures of the last 30 days, which
  catches Meta's late attribution changes (up to 28 days) in both.
- `manual` ("Sync now", `vschool sync ads`): the last 3 days, plus `since`..`until` when given
  (a backfill: long ranges go through Meta's async report runs, window by window).
Every run re-reads the last 3 days: Meta revises recent figures.

A run is recorded in `ad_sync_run` (status, rows, progress %, error) and announced on the
`ad_sync` topic as it goes. Only one run works at a time (a PostgreSQL advisory lock); a run
that finds another one working ends at once, marked failed with that reason. Writes are
idempotent upserts, so a run that fails half-way leaves whole batches and the next run simply
reads those days again. At the end: a line in `{data}/logs/marketing_snapshots.jsonl` and a
`refresh_marketing_cache` message.
"""

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import dramatiq
import psycopg
import redis
import sqlalchemy as sa
from sqlmodel import select

from actors.meta.marketing import (
    MarketingClient,
    MarketingError,
    daily_row,
    hourly_row,
    marketing_client,
)
from actors.push import announce
from logs.jsonl import append, log_error, logs_dir
from models.ad_store import (
    Stored,
    add_unlisted,
    store_account,
    store_ad_sets,
    store_ads,
    store_campaigns,
    store_daily,
    store_hourly,
    whole_days,
)
from models.base import utcnow
from models.db import get_engine, session_scope
from models.enums import RunStatus
from models.marketing import AdSyncRun
from models.settings import get_settings

log = logging.getLogger("vschool.ads")

RESYNC_DAYS = 3  # Meta revises recent figures: every run reads these again
DAILY_JOB_DAYS = 30
KEPT_DAYS = 37 * 31  # Meta keeps insights for 37 months
WINDOW_DAYS = {False: 92, True: 31}  # hourly? → days read per window (one report run each when long)
STORE_BATCH = 50_000  # rows per COPY + upsert transaction
PAGES_AHEAD = 8  # pages read ahead of the store
LOCK_KEY = 0x5653_4144  # pg advisory lock: "VSAD"
SNAPSHOT_FILE = "marketing_snapshots.jsonl"


@dataclass(frozen=True)
class Window:
    since: date
    until: date
    hourly: bool

    @property
    def weight(self) -> int:
        return ((self.until - self.since).days + 1) * (24 if self.hourly else 1)


@dataclass
class SyncResult:
    run_id: int
    kind: str
    status: str
    since: str | None
    until: str | None
    rows: int = 0
    written: int = 0  # new or changed rows (the rest were already stored, unchanged)
    error: str | None = None
    client: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def school_today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _day(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2026-09-01, not {value!r}") from None


def plan(kind: str, since: str | date | None, until: str | date | None, today: date) -> list[Window]:
    """The windows a run reads, daily ones first (they carry the totals), oldest first."""
    if kind not in ("hourly", "daily", "manual"):
        raise ValueError(f"unknown sync kind {kind!r}: hourly, daily or manual")
    first, last = _day(since, "since"), _day(until, "until")
    recent = (today - timedelta(days=RESYNC_DAYS - 1), today)
    if kind == "daily":
        ranges = [(today - timedelta(days=DAILY_JOB_DAYS - 1), today)]
    elif first or last:
        first, last = first or last, min(last or today, today)
        if first > last:
            raise ValueError(f"since ({first}) is after until ({last})")
        if first < today - timedelta(days=KEPT_DAYS):
            raise ValueError(f"Meta keeps 37 months of insights: since must be on or after {today - timedelta(days=KEPT_DAYS)}")
        ranges = _merge([(first, last), recent])
    else:
        ranges = [recent]
    windows = []
    for hourly in (False, True):
        for a, b in ranges:
            while a <= b:
                end = min(b, a + timedelta(days=WINDOW_DAYS[hourly] - 1))
                windows.append(Window(a, end, hourly))
                a = end + timedelta(days=1)
    return windows


def _merge(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


# --- the run's record -------------------------------------------------------------------------

def _tell(run_id: int) -> None:
    try:
        announce("ad_sync", run_id)
    except redis.RedisError:
        pass  # open panels miss a progress tick; the run itself goes on


def _update(run_id: int, **values: Any) -> None:
    with session_scope() as session:
        run = session.get(AdSyncRun, run_id)
        for name, value in values.items():
            setattr(run, name, value)
        session.add(run)
    _tell(run_id)


# --- the work ---------------------------------------------------------------------------------

def _store(rows: list[tuple], hourly: bool) -> Stored:
    with get_engine().begin() as conn:
        pg = conn.connection.driver_connection
        return (store_hourly if hourly else store_daily)(pg, rows)


def _money(minor: Any) -> Decimal | None:
    """Meta gives budgets in the currency's minor unit (satang) as strings."""
    return Decimal(str(minor)) / 100 if minor not in (None, "") else None


def sync_structure(client: MarketingClient) -> Stored:
    """The account, its campaigns, ad sets and ads (names, status, budgets)."""
    info = client.account()
    campaigns, ad_sets, ads = client.campaigns(), client.ad_sets(), client.ads()
    campaign_ids = {c["id"] for c in campaigns}
    known_sets = [s for s in ad_sets if s.get("campaign_id") in campaign_ids]
    set_ids = {s["id"] for s in known_sets}
    known_ads = [a for a in ads if a.get("adset_id") in set_ids]
    if len(known_ads) < len(ads) or len(known_sets) < len(ad_sets):
        log_error("ad_sync", "ads or ad sets whose parent Meta did not list were left out",
                  ads=len(ads) - len(known_ads), ad_sets=len(ad_sets) - len(known_sets))
    stored = Stored()
    with get_engine().begin() as conn:
        pg = conn.connection.driver_connection
        stored += store_account(pg, client.account_id, info.get("name") or client.account_id, info.get("currency") or "THB",
                                info.get("timezone_name") or get_settings().timezone)
        stored += store_campaigns(pg, [(c["id"], client.account_id, c.get("name") or c["id"], c.get("status") or "ACTIVE", c.get("objective"),
                                        _money(c.get("daily_budget")), _money(c.get("lifetime_budget")), c.get("created_time"))
                                       for c in campaigns])
        stored += store_ad_sets(pg, [(s["id"], s["campaign_id"], s.get("name") or s["id"], s.get("status") or "ACTIVE",
                                      _money(s.get("daily_budget")), _money(s.get("lifetime_budget"))) for s in known_sets])
        stored += store_ads(pg, [(a["id"], a["adset_id"], a.get("campaign_id") or "", a.get("name") or a["id"], a.get("status") or "ACTIVE")
                                 for a in known_ads])
    return stored


def pages_ahead(client: MarketingClient, windows: list[Window]) -> Iterator[tuple[Window, list[dict[str, Any]] | None]]:
    """Every window's pages, read by a thread up to `PAGES_AHEAD` pages ahead of the caller, so
    Meta prepares the next page (or report run) while PostgreSQL stores the last batch.
    `(window, None)` follows each window's last page. An error of the reader is raised here."""
    ahead: queue.Queue = queue.Queue(maxsize=PAGES_AHEAD)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for window in windows:
                for page in client.insights(window.since, window.until, window.hourly):
                    if not put((window, page)):
                        return
                if not put((window, None)):
                    return
            put(None)
        except BaseException as exc:
            put(exc)

    reader = threading.Thread(target=read, name="ad-sync-reader", daemon=True)
    reader.start()
    try:
        while (item := ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=30)


def sync_windows(client: MarketingClient, windows: list[Window], on_window: Callable[[Window, Stored], None]) -> Stored:
    """The windows' insights, stored in batches of whole days as the pages arrive; then the ads
    among them that Meta's lists left out (archived), named from their daily rows."""
    stored, batch = Stored(), []
    seen: dict[str, tuple] = {}
    for window, page in pages_ahead(client, windows):
        if page is not None:
            if not window.hourly:
                for row in page:
                    seen.setdefault(row["ad_id"], (row.get("ad_name"), row.get("adset_id"), row.get("adset_name"),
                                                   row.get("campaign_id"), row.get("campaign_name")))
            batch.extend(map(hourly_row if window.hourly else daily_row, page))
            if len(batch) < STORE_BATCH:
                continue
            ready, batch = whole_days(batch)
        else:
            ready, batch = batch, []
        if ready:
            stored += _store(ready, window.hourly)
        if page is None:
            on_window(window, stored)
    if seen:
        with get_engine().begin() as conn:
            added = add_unlisted(conn.connection.driver_connection, client.account_id, seen)
        if added:
            log.info("%d archived ads with figures added from their insight rows", added)
    return stored


def run_sync(kind: str = "manual", since: str | date | None = None, until: str | date | None = None, *,
             today: date | None = None, client: MarketingClient | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> SyncResult:
    """Run one ad sync in this process and return how it ended (also recorded in `ad_sync_run`).
    `today`: the account day the run counts back from (default: today in Bangkok); `client`: a
    Marketing API client of the caller's (default: one for this installation, closed at the end)."""
    today = today or school_today()
    own_client = client is None
    with session_scope() as session:
        run = AdSyncRun(kind=kind if kind in ("hourly", "daily", "manual") else "manual")
        session.add(run)
        session.flush()
        run_id = run.id
    _tell(run_id)
    result = SyncResult(run_id, run.kind, RunStatus.RUNNING, None, None)
    lock = get_engine().connect()
    try:
        windows = plan(kind, since, until, today)
        covered = (min(w.since for w in windows), max(w.until for w in windows))
        result.since, result.until = covered[0].isoformat(), covered[1].isoformat()
        _update(run_id, since=covered[0], until=covered[1])
        if not lock.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
            raise RuntimeError("Another ad sync is running; this one did nothing. Try again when it has finished.")
        lock.commit()
        _close_interrupted(run_id)
        client = client or marketing_client()
        total = 1 + sum(w.weight for w in windows)
        stored = sync_structure(client)
        done = 1
        _update(run_id, progress=max(1, 100 * done // total))

        def window_done(window: Window, so_far: Stored) -> None:
            nonlocal done
            done += window.weight
            progress = min(99, 100 * done // total)
            _update(run_id, rows=stored.received + so_far.received, progress=progress)
            if on_progress:
                on_progress(progress, stored.received + so_far.received)

        stored += sync_windows(client, windows, window_done)
        result.rows, result.written = stored.received, stored.written
        result.status = RunStatus.SUCCEEDED
        _update(run_id, status=RunStatus.SUCCEEDED, rows=stored.received, progress=100, finished_at=utcnow(), error=None)
    except (MarketingError, ValueError, RuntimeError, psycopg.Error, sa.exc.SQLAlchemyError) as exc:
        result.status, result.error = RunStatus.FAILED, _friendly(exc)
        log_error("ad_sync", "the ad sync failed", run_id=run_id, kind=kind, error=str(exc)[:500])
        _update(run_id, status=RunStatus.FAILED, error=result.error, finished_at=utcnow())
    except Exception as exc:  # a bug or an answer of a shape we do not know: recorded, then raised
        result.status, result.error = RunStatus.FAILED, f"Unexpected error: {exc.__class__.__name__}: {str(exc)[:300]}"
        log_error("ad_sync", "the ad sync failed unexpectedly", run_id=run_id, kind=kind, error=repr(exc)[:500])
        _update(run_id, status=RunStatus.FAILED, error=result.error, finished_at=utcnow())
        raise
    finally:
        if client is not None:
            result.client = asdict(client.stats)
            if own_client:
                client.close()
        try:
            lock.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            lock.close()
        except sa.exc.SQLAlchemyError:
            pass
    if result.status == RunStatus.SUCCEEDED:
        _snapshot(result, today)
        _refresh_cache()
    return result


def _friendly(exc: Exception) -> str:
    if isinstance(exc, MarketingError):
        if exc.kind == "token":
            return f"Meta refused the access token: reconnect the Facebook account. ({exc})"
        if exc.kind == "throttled":
            return f"Meta kept throttling the ad account; the next run will read these days again. ({exc})"
        return f"The Marketing API refused the sync: {exc}"
    if isinstance(exc, psycopg.Error | sa.exc.SQLAlchemyError):
        return f"The database refused the figures; nothing of the failed batch was kept. ({exc.__class__.__name__}: {str(exc)[:300]})"
    return str(exc)


def _close_interrupted(run_id: int) -> None:
    """Runs still marked running while we hold the lock were cut off (a worker stopped)."""
    with session_scope() as session:
        for run in session.exec(select(AdSyncRun).where(AdSyncRun.status == RunStatus.RUNNING, AdSyncRun.id != run_id)):
            run.status, run.finished_at = RunStatus.FAILED, utcnow()
            run.error = run.error or "Interrupted: the process running it stopped before it finished."
            session.add(run)


def _snapshot(result: SyncResult, today: date) -> None:
    """Seed 000's hourly marketing log: one small line per finished run."""
    with session_scope() as session:
        def totals(first: date, last: date) -> dict[str, Any]:
            spend, shown, clicks, leads = session.execute(sa.text(
                "SELECT coalesce(sum(spend), 0), coalesce(sum(impressions), 0), coalesce(sum(clicks), 0), coalesce(sum(leads), 0) "
                "FROM ad_insight_daily WHERE day BETWEEN :a AND :b"), {"a": first, "b": last}).one()
            return {"spend": str(spend), "impressions": int(shown), "clicks": int(clicks), "leads": int(leads),
                    "cpl": str(round(spend / leads, 2)) if leads else None}

        record = {"at": utcnow().isoformat(), "run_id": result.run_id, "kind": result.kind, "since": result.since,
                  "until": result.until, "rows": result.rows, "written": result.written,
                  "today": totals(today, today), "last_7_days": totals(today - timedelta(days=6), today)}
    append(logs_dir() / SNAPSHOT_FILE, record)


def _refresh_cache() -> None:
    try:
        from actors.cache import refresh_marketing_cache
    except ImportError:
        log.info("no marketing cache actor yet: snapshots not refreshed")
        return
    try:
        refresh_marketing_cache.send()
    except redis.RedisError as exc:
        log_error("ad_sync", "could not queue the marketing cache refresh", error=str(exc)[:300])


@dramatiq.actor(queue_name="bulk", max_retries=0, time_limit=6 * 3_600_000)
def sync_ads(kind: str = "manual", since: str | None = None, until: str | None = None) -> None:
    """Sync the ad account (see the module docstring for what each kind covers).

    Reads: the Marketing API. Writes: ad_account, campaign, ad_set, ad, ad_insight_daily,
    ad_insight_hourly, ad_sync_run; logs/marketing_snapshots.jsonl. Announces `ad_sync`; sends
    `refresh_marketing_cache`. Safe to run twice: every write is an upsert that skips unchanged
    rows. Not retried by Dramatiq: a failed run is recorded, and the next run reads those days
    again."""
    run_sync(kind, since, until)

"""The ad sync against the Meta simulator over HTTP: the Marketing API client (paging, report
runs, usage headers, error classes) and whole sync runs (recorded, announced, idempotent)."""

import json
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from actors.ads import LOCK_KEY, SNAPSHOT_FILE, run_sync, sync_ads
from actors.meta.marketing import MarketingError, marketing_client
from actors.push import announced
from logs.jsonl import logs_dir
from models.db import get_engine, session_scope
from models.marketing import AdSyncRun
from tests.conftest import wait_until
from vschool.simulator.marketing import account, today_in_bangkok

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def sim(simulator: str) -> str:
    """The simulator's Marketing API, reset: the standard account, nothing queued."""
    httpx.post(f"{simulator}/_sim/marketing", json={"reset": True}).raise_for_status()
    return simulator


def _client(**options):
    return marketing_client(**{"backoff_s": 0.05, "max_pause_s": 0.3, "report_poll_s": 0.02, **options})


def _fail_next(sim: str, **spec) -> None:
    httpx.post(f"{sim}/_sim/marketing/fail", json=spec).raise_for_status()


def _expected_rows(since: date, until: date, hourly: bool) -> int:
    """Hand count: each ad with figures on the days it ran (past days: all 24 hours)."""
    today = today_in_bangkok()
    total = 0
    for ad in account().ads:
        first, last = max(since, today - timedelta(days=ad.start_ago)), min(until, today - timedelta(days=ad.end_ago))
        total += max(0, (last - first).days + 1) * (24 if hourly else 1)
    return total


def _keys(pages: list[list[dict]], hourly: bool) -> list[tuple]:
    breakdown = "hourly_stats_aggregated_by_advertiser_time_zone"
    return [(r["ad_id"], r["date_start"], r[breakdown] if hourly else None) for page in pages for r in page]


PAST = today_in_bangkok() - timedelta(days=40)  # a range whose figures never change


def test_paging_is_followed_to_the_end(sim: str) -> None:
    client = _client(page_size=5)
    ads = client.ads()
    assert len(ads) == sum(a.listed for a in account().ads) == 12 and len({a["id"] for a in ads}) == 12
    assert client.stats.requests == 3  # 5 + 5 + 2
    assert {"120210000000000001", "120210000000000002", "120210000000000003"} <= {a["id"] for a in ads}
    client = _client(page_size=100)
    keys = _keys(list(client.insights(PAST, PAST + timedelta(days=1), hourly=True)), hourly=True)
    assert len(keys) == len(set(keys)) == _expected_rows(PAST, PAST + timedelta(days=1), True)
    assert client.stats.requests == -(-len(keys) // 100) and client.stats.report_runs == 0


def test_paging_through_today_serves_each_hour_so_far_once(sim: str) -> None:
    today = today_in_bangkok()
    client = _client(page_size=7)
    keys = _keys(list(client.insights(today - timedelta(days=1), today, hourly=True)), hourly=True)
    assert len(keys) == len(set(keys)) and client.stats.requests > 20
    hours_today = {ad: sum(1 for a, d, _ in keys if a == ad and d == today.isoformat()) for ad, _, _ in keys}
    assert len(set(hours_today.values())) == 1 and 1 <= next(iter(hours_today.values())) <= 24


def test_long_ranges_go_through_a_report_run_with_the_same_rows(sim: str) -> None:
    since, until = PAST, PAST + timedelta(days=9)
    client = _client()
    through_report = list(client.insights(since, until, hourly=True))
    assert client.stats.report_runs == 1
    direct = list(_client().insights(since, until, hourly=True, report=False))
    assert sum(through_report, []) == sum(direct, []) and len(_keys(direct, True)) == _expected_rows(since, until, True)
    row = direct[0][0]
    assert isinstance(row["spend"], str) and isinstance(row["impressions"], str)  # numbers as strings, as Meta sends them


def test_a_failed_report_run_is_retried_over_smaller_ranges(sim: str) -> None:
    httpx.post(f"{sim}/_sim/marketing", json={"failing_reports": 1}).raise_for_status()
    client = _client()
    since, until = PAST, PAST + timedelta(days=9)
    keys = _keys(list(client.insights(since, until, hourly=True)), hourly=True)
    assert client.stats.splits == 1 and client.stats.report_runs == 3  # failed, then both halves
    assert len(keys) == len(set(keys)) == _expected_rows(since, until, True)


def test_too_much_data_splits_the_range(sim: str) -> None:
    _fail_next(sim, code=100, subcode=1487534, message="Please reduce the amount of data you're asking for, then retry your request")
    client = _client()
    since, until = PAST, PAST + timedelta(days=9)
    keys = _keys(list(client.insights(since, until, hourly=False)), hourly=False)
    assert client.stats.splits == 1 and client.stats.throttled == 0
    assert len(keys) == len(set(keys)) == _expected_rows(since, until, False)


def test_the_simulator_refuses_a_direct_request_over_too_many_rows_and_the_client_splits_it(sim: str) -> None:
    httpx.post(f"{sim}/_sim/marketing", json={"extra_ads": 250}).raise_for_status()  # 262 ads × 30 days × 24 h > 150,000
    client = _client(sync_days={False: 31, True: 31})
    pages = client.insights(PAST, PAST + timedelta(days=29), hourly=True)
    first = next(pages)
    pages.close()
    assert client.stats.splits == 1 and client.stats.report_runs == 0
    assert first[0]["date_start"] == PAST.isoformat() and len(first) == client.page_size


def test_throttling_backs_off_and_paging_resumes_where_it_stopped(sim: str) -> None:
    client = _client(page_size=50)
    pages = client.insights(PAST, PAST, hourly=True)
    first = next(pages)
    _fail_next(sim, code=80000, subcode=2446079, message="(#80000) There have been too many calls from this ad-account.", times=2)
    _fail_next(sim, code=613, subcode=1487742, message="(#613) There have been too many calls from this ad-account.")
    _fail_next(sim, code=4, subcode=1504022, message="Too many API requests")
    keys = _keys([first, *pages], hourly=True)
    assert client.stats.throttled == 4 and client.stats.retries == 4
    assert len(keys) == len(set(keys)) == _expected_rows(PAST, PAST, True)


def test_high_usage_slows_the_client_down_before_any_throttling(sim: str) -> None:
    calm = _client(page_size=5)
    calm.ads()
    assert calm.stats.pauses == 0 and calm.stats.peak_usage_pct < 60
    httpx.post(f"{sim}/_sim/marketing", json={"usage_pct": 95, "times": 2}).raise_for_status()
    busy = _client(page_size=5)
    assert len(busy.ads()) == 12
    assert busy.stats.pauses == 2 and busy.stats.paused_s > 0 and busy.stats.throttled == 0
    assert busy.stats.peak_usage_pct == 95


def test_token_and_bad_requests_are_not_retried(sim: str) -> None:
    _fail_next(sim, code=190, message="Error validating access token", http_status=401)
    client = _client()
    with pytest.raises(MarketingError) as refused:
        client.campaigns()
    assert refused.value.kind == "token" and client.stats.retries == 0
    with pytest.raises(MarketingError) as refused:
        list(client.insights(PAST + timedelta(days=1), PAST, hourly=False))
    assert refused.value.kind == "invalid"


# --- whole runs -------------------------------------------------------------------------------

def _totals() -> dict[str, tuple]:
    with get_engine().connect() as conn:
        return {
            table: conn.execute(sa.text(f"SELECT count(*), sum(spend), sum(impressions), sum(clicks), sum(leads) FROM {table}")).one()
            for table in ("ad_insight_daily", "ad_insight_hourly")
        }


def test_a_sync_run_is_recorded_announced_and_snapshotted(sim: str) -> None:
    today = today_in_bangkok() - timedelta(days=30)  # a fixed past "today": full days only
    since, until = today - timedelta(days=9), today - timedelta(days=3)
    seen: list[int] = []
    result = run_sync("manual", since.isoformat(), until.isoformat(), today=today, client=_client(),
                      on_progress=lambda percent, rows: seen.append(percent))
    assert result.status == "succeeded" and result.error is None
    # since..until and the last 3 days (today - 2 … today): one range here, since they touch
    assert (result.since, result.until) == (since.isoformat(), today.isoformat())
    daily, hourly = _expected_rows(since, today, False), _expected_rows(since, today, True)
    assert _totals()["ad_insight_daily"][0] == daily and _totals()["ad_insight_hourly"][0] == hourly
    assert result.rows == daily + hourly + 1 + 3 + 6 + 12  # account, campaigns, ad sets, ads
    assert seen == sorted(seen) and seen[-1] == 99 and len(seen) == 2  # one daily and one hourly window
    with session_scope() as s:
        run = s.get(AdSyncRun, result.run_id)
        assert (run.status, run.progress, run.rows, run.kind) == ("succeeded", 100, result.rows, "manual")
        assert run.finished_at is not None and (run.since, run.until) == (since, today)
        names = dict(s.execute(sa.text("SELECT id, name FROM campaign")).all())
    assert names["120210000000000100"] == "CTM | คอร์สซูชิมืออาชีพ 5 วัน"
    events = announced()
    assert len([e for e in events if e["topic"] == "ad_sync" and e["id"] == str(result.run_id)]) >= 4
    lines = [json.loads(line) for line in (logs_dir() / SNAPSHOT_FILE).read_text().splitlines()]
    (mine,) = [line for line in lines if line["run_id"] == result.run_id]
    assert mine["kind"] == "manual" and mine["today"]["impressions"] > 0


def test_a_resync_writes_nothing_new_and_keeps_the_same_totals(sim: str) -> None:
    today = today_in_bangkok() - timedelta(days=30)
    first = run_sync("hourly", today=today, client=_client())
    before = _totals()
    again = run_sync("hourly", today=today, client=_client())
    assert first.status == again.status == "succeeded"
    assert again.rows == first.rows and again.written == 0 and first.written == first.rows
    assert _totals() == before
    assert before["ad_insight_daily"][0] == _expected_rows(today - timedelta(days=2), today, False)


def test_meta_revising_recent_days_rewrites_only_what_changed(sim: str) -> None:
    today = today_in_bangkok() - timedelta(days=1)  # the simulator revises its last 3 days: the 2 before its today
    first = run_sync("hourly", today=today, client=_client())
    with get_engine().connect() as conn:
        stamp = conn.execute(sa.text("SELECT max(synced_at) FROM ad_insight_hourly")).scalar()
    httpx.post(f"{sim}/_sim/marketing", json={"revision": 1}).raise_for_status()
    revised = run_sync("hourly", today=today, client=_client())
    assert revised.rows == first.rows and 0 < revised.written < revised.rows
    with get_engine().connect() as conn:
        rewritten_days = conn.execute(sa.text("SELECT DISTINCT day FROM ad_insight_hourly WHERE synced_at > :t ORDER BY day"), {"t": stamp}).scalars().all()
    assert rewritten_days == [today - timedelta(days=1), today]  # today - 2 is outside the simulator's revised window


def test_an_archived_ad_with_figures_is_added_from_its_insight_rows(sim: str) -> None:
    today = today_in_bangkok() - timedelta(days=450)  # the archived Songkran promotion ran then
    result = run_sync("hourly", today=today, client=_client())
    assert result.status == "succeeded"
    with get_engine().connect() as conn:
        archived = conn.execute(sa.text("SELECT ad.name, ad.status, ad_set.name, campaign.name FROM ad JOIN ad_set ON ad_set.id = ad.ad_set_id "
                                         "JOIN campaign ON campaign.id = ad.campaign_id WHERE ad.id = '120210000000000015'")).one()
        orphans = conn.execute(sa.text("SELECT count(*) FROM ad_insight_daily d WHERE NOT EXISTS (SELECT 1 FROM ad WHERE ad.id = d.ad_id)")).scalar()
    assert archived == ("ซูชิ | โปรสงกรานต์ (จบแล้ว)", "ARCHIVED", "กรุงเทพฯ 25-44 | สนใจอาหารญี่ปุ่น", "CTM | คอร์สซูชิมืออาชีพ 5 วัน")
    assert orphans == 0


def test_bad_ranges_fail_the_run_with_a_clear_reason(sim: str) -> None:
    result = run_sync("manual", "2026-02-30", None, client=_client())
    assert result.status == "failed" and "since must be a date like 2026-09-01" in result.error
    result = run_sync("manual", today_in_bangkok().isoformat(), (today_in_bangkok() - timedelta(days=3)).isoformat(), client=_client())
    assert result.status == "failed" and "is after until" in result.error
    with session_scope() as s:
        assert s.exec(select(AdSyncRun.status).order_by(AdSyncRun.id)).all() == ["failed", "failed"]


def test_only_one_sync_works_at_a_time(sim: str) -> None:
    with get_engine().connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        result = run_sync("hourly", client=_client())
        holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
    assert result.status == "failed" and "Another ad sync is running" in result.error
    assert _totals()["ad_insight_daily"][0] == 0
    assert run_sync("hourly", today=today_in_bangkok() - timedelta(days=30), client=_client()).status == "succeeded"


def test_the_actor_runs_on_a_worker(sim: str, worker) -> None:
    sync_ads.send("manual")

    def finished() -> AdSyncRun | None:
        """the worker's ad sync run has finished"""
        with session_scope() as s:
            return s.exec(select(AdSyncRun).where(AdSyncRun.finished_at.is_not(None))).first()

    run = wait_until(finished, timeout_s=60)
    assert run.status == "succeeded", run.error
    assert run.rows > 0 and _totals()["ad_insight_hourly"][0] > 0


def test_what_each_kind_of_run_reads() -> None:
    from actors.ads import plan

    today = date(2026, 11, 22)
    spans = lambda windows: [(w.since.isoformat(), w.until.isoformat(), w.hourly) for w in windows]  # noqa: E731
    assert spans(plan("hourly", None, None, today)) == spans(plan("manual", None, None, today)) == [
        ("2026-11-20", "2026-11-22", False), ("2026-11-20", "2026-11-22", True)]
    assert spans(plan("daily", None, None, today)) == [("2026-10-24", "2026-11-22", False), ("2026-10-24", "2026-11-22", True)]
    backfill = plan("manual", "2024-11-23", "2025-01-31", today)  # far back: its own windows, plus the last 3 days
    assert spans(backfill)[0] == ("2024-11-23", "2025-01-31", False) and spans(backfill)[1] == ("2026-11-20", "2026-11-22", False)
    assert [s for s in spans(backfill) if s[2]] == [("2024-11-23", "2024-12-23", True), ("2024-12-24", "2025-01-23", True),
                                                   ("2025-01-24", "2025-01-31", True), ("2026-11-20", "2026-11-22", True)]
    assert spans(plan("manual", "2026-11-01", "2030-01-01", today))[0] == ("2026-11-01", "2026-11-22", False)  # never past today
    with pytest.raises(ValueError, match="37 months"):
        plan("manual", "2020-01-01", None, today)
    with pytest.raises(ValueError, match="unknown sync kind"):
        plan("weekly", None, None, today)

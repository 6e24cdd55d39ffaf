"""The ad store's bulk upserts on real PostgreSQL: new rows go in, unchanged rows are skipped
(not rewritten), changed rows are updated, a bad batch leaves nothing behind."""

import json
from dataclasses import replace
from decimal import Decimal

import psycopg
import pytest
import sqlalchemy as sa

from models.ad_store import HOURLY, store_daily, store_hourly, upsert, whole_days
from models.db import get_engine

pytestmark = pytest.mark.usefixtures("db")

AD = "120210000000000001"


def _hours(day: str, spend: str = "12.30", ad: str = AD) -> list[tuple]:
    return [(ad, day, h, spend, str(1000 + h), str(20 + h), h % 3) for h in range(24)]


def _store(fn, rows, target=None):
    with get_engine().begin() as conn:
        pg = conn.connection.driver_connection
        return fn(pg, rows) if target is None else fn(pg, target, rows)


def _rows() -> list[tuple]:
    with get_engine().connect() as conn:
        return conn.execute(sa.text("SELECT ad_id, day::text, hour, spend, impressions, clicks, leads, synced_at FROM ad_insight_hourly ORDER BY 1, 2, 3")).all()


def test_the_same_batch_twice_writes_once_and_a_change_rewrites_only_that_row() -> None:
    rows = _hours("2026-09-01") + _hours("2026-09-02")
    first = _store(store_hourly, rows)
    assert (first.received, first.written) == (48, 48)
    before = _rows()
    again = _store(store_hourly, rows)
    assert (again.received, again.written, again.unchanged) == (48, 0, 48)
    assert _rows() == before  # synced_at kept: nothing was rewritten
    changed = list(rows)
    changed[30] = (AD, "2026-09-02", 6, "99.99", "1006", "26", 0)
    third = _store(store_hourly, changed)
    assert third.written == 1
    after = _rows()
    differs = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert differs == [30] and after[30][3] == Decimal("99.99") and after[30][7] > before[30][7]


def test_new_batches_and_merged_batches_leave_the_same_table() -> None:
    days = [f"2026-09-{d:02d}" for d in range(1, 6)]
    rows = [r for d in days for r in _hours(d)]
    _store(store_hourly, rows[:50])  # some rows exist: the next batch overlaps them
    overlapping = _store(store_hourly, rows)
    assert overlapping.written == len(rows) - 50
    straight_in = _rows()
    with get_engine().begin() as conn:
        conn.execute(sa.text("TRUNCATE ad_insight_hourly"))
    _store(upsert, rows, replace(HOURLY, by_ad_and_day=False))
    assert [r[:7] for r in _rows()] == [r[:7] for r in straight_in] and len(straight_in) == 120


def test_a_key_twice_in_one_batch_is_stored_once() -> None:
    rows = _hours("2026-09-01")
    stored = _store(store_hourly, [*rows, rows[5]])
    assert stored.received == 25 and len(_rows()) == 24
    stored = _store(store_hourly, [*rows, rows[5]])  # and again, onto existing rows
    assert stored.written == 0 and len(_rows()) == 24


def test_a_bad_number_refuses_the_whole_batch() -> None:
    rows = _hours("2026-09-01")
    rows[7] = (AD, "2026-09-01", 7, "twelve baht", "1", "1", 0)
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        _store(store_hourly, rows)
    assert _rows() == []


def test_daily_rows_keep_actions_and_meta_roas() -> None:
    actions = [{"action_type": "onsite_conversion.messaging_conversation_started_7d", "value": "37"}]
    row = (AD, "2026-09-01", "1082.92", "9134", "206", "6493", 37, json.dumps(actions),
           json.dumps([{"action_type": "purchase", "value": "49800.00"}]), "45.986776")
    assert _store(store_daily, [row]).written == 1
    assert _store(store_daily, [row]).written == 0
    with get_engine().connect() as conn:
        stored = conn.execute(sa.text("SELECT spend, reach, leads, actions, purchase_roas FROM ad_insight_daily")).one()
    assert stored == (Decimal("1082.92"), 6493, 37, actions, Decimal("45.9868"))


def test_batches_are_cut_between_days() -> None:
    rows = _hours("2026-09-01") + _hours("2026-09-02")[:5]
    ready, rest = whole_days(rows)
    assert len(ready) == 24 and len(rest) == 5 and rest[0][1] == "2026-09-02"
    assert whole_days(_hours("2026-09-01")[:3]) == (_hours("2026-09-01")[:3], [])

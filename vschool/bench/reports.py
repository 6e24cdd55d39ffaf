"""`vschool bench reports`: the team reports page's queries over a busy school's year.

Loads, with COPY, one year of history — 200,000 customers and conversations, 2,000,000 messages,
the period facts the product writes as things happen (a tenth of conversations reopened, first
responses and resolutions with business minutes), labels, CSAT answers and AI outcomes — then
times the reports page's reads (`models.reports.figures_at_once` and `names`) for the page's presets
(the last 7, 30 and 90 days) and 30-day ranges anywhere in the year. PostgreSQL is left as the
load leaves it (after the ANALYZE autovacuum would run); the app keeps no cache of these figures.

- `p95_ms`, `p50_ms`: one page's figures at one year of history;
- `p95_ms_2x`: the same after a second year is loaded before the first (twice the history);
  `ratio_2x` = p95_ms_2x ÷ p95_ms (target ≤ 1.3);
- `baseline_p95_ms`: the floor, in the same run: counting the range's periods from their
  index alone; `ratio` = ours ÷ baseline.
`--scale 0.1` loads a tenth (a quick look); the targets are for `--scale 1`.
"""

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import sqlalchemy as sa

from models.report_facts import slot
from vschool.bench import bench_services, percentile

CONVERSATIONS_PER_YEAR = 200_000
MESSAGES_PER_CONVERSATION = 10
AGENTS, TEAMS, ADS = 8, 3, 20
LABELS = ("Corporate", "Diploma", "Sushi", "Ramen", "Wagashi", "VIP")
BKK = ZoneInfo("Asia/Bangkok")
CHUNK = 50_000


def _ts(at: datetime) -> str:
    return at.isoformat()


def _copy(pg: Any, table: str, columns: str, rows: Iterator[str]) -> None:
    with pg.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n, row in enumerate(rows, start=1):
            buffer.write(row)
            if n % CHUNK == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def _periods(rng: random.Random, cid: int, created: datetime, closes: datetime) -> Iterator[str]:
    """Like the product writes them; the dimensions as `_load_year` gives the conversation."""
    started, reopened = created, False
    dims = f"{'instagram' if cid % 7 == 0 else 'facebook'}\t{1 + cid % TEAMS}\tad-{cid % ADS}"
    for _ in range(2 if rng.random() < 0.1 else 1):
        agent = rng.randint(1, AGENTS)
        first = started + timedelta(minutes=rng.expovariate(1 / 45)) if rng.random() < 0.85 else None
        resolved = (first or started) + timedelta(minutes=rng.expovariate(1 / 600)) if rng.random() < 0.9 else None
        if resolved and resolved > closes:
            resolved = None
        cells = [cid, _ts(started), "t" if reopened else "f", _ts(first) if first else "\\N", agent if first else "\\N",
                 round(rng.expovariate(1 / 30), 2) if first else "\\N", _ts(resolved) if resolved else "\\N",
                 agent if resolved else "\\N", round(rng.expovariate(1 / 400), 2) if resolved else "\\N", dims, slot(started)]
        yield "\t".join(map(str, cells)) + "\n"
        if resolved is None:
            return
        started, reopened = resolved + timedelta(hours=rng.randint(1, 72)), True
        if started > closes:
            return


def _load_year(pg: Any, rng: random.Random, first_id: int, count: int, opens: datetime) -> None:
    """`count` conversations (and their customers, messages and facts) spread over the year from `opens`."""
    closes = opens + timedelta(days=365)
    span = (closes - opens).total_seconds()
    created = {cid: opens + timedelta(seconds=span * (k + rng.random()) / count) for k, cid in enumerate(range(first_id, first_id + count))}
    ids = range(first_id, first_id + count)
    _copy(pg, "customer", "id, standard_id, display_name, lead_stage, tags, created_at, updated_at",
          (f"{c}\tTVS-CUS-FB-{created[c].year % 100}-{c:07d}\tลูกค้า {c}\tnew\t{{}}\t{_ts(created[c])}\t{_ts(created[c])}\n" for c in ids))
    _copy(pg, "conversation", "id, customer_id, channel, page_id, status, team_id, source_ad_id, unread_count, ai_paused, created_at, updated_at",
          (f"{c}\t{c}\t{'instagram' if c % 7 == 0 else 'facebook'}\tPAGE\tresolved\t{1 + c % TEAMS}\tad-{c % ADS}\t0\tf\t"
           f"{_ts(created[c])}\t{_ts(created[c])}\n" for c in ids))
    _copy(pg, "conversation_label", "conversation_id, label_id", (f"{c}\t{1 + c % len(LABELS)}\n" for c in ids if c % 3))

    def messages() -> Iterator[str]:
        for c in ids:
            at = created[c]
            for n in range(MESSAGES_PER_CONVERSATION):
                inbound = n % 2 == 0
                at += timedelta(minutes=rng.randint(1, 120))
                yield (f"{c}\t{'inbound' if inbound else 'outbound'}\t{'customer' if inbound else 'staff'}\t"
                       f"{f'mb{c}_{n}' if inbound else chr(92) + 'N'}\tสอบถามคอร์สซูชิค่ะ {n}\t[]\t{{}}\tread\t{_ts(at)}\t{_ts(at)}\n")

    _copy(pg, "message", "conversation_id, direction, sender_kind, mid, text, attachments, reactions, status, sent_at, created_at", messages())
    _copy(pg, "conversation_period", "conversation_id, started_at, reopened, first_response_at, first_responder_id, first_response_min, "
          "resolved_at, agent_id, resolution_min, channel, team_id, source_ad_id, started_slot", (row for c in ids for row in _periods(rng, c, created[c], closes)))
    _copy(pg, "csat_survey", "conversation_id, agent_id, language, asked_at, score, answered_at, comment",
          (f"{c}\t{1 + c % AGENTS}\tth\t{_ts(created[c] + timedelta(hours=5))}\t{rng.randint(1, 5)}\t{_ts(created[c] + timedelta(hours=6))}\t"
           f"{'ครูใจดีมากค่ะ' if c % 9 == 0 else chr(92) + 'N'}\n" for c in ids if c % 4 == 0))
    outcomes = ("auto_sent", "draft_sent", "draft_edited", "handed_off")
    _copy(pg, "ai_outcome_fact", "task_id, conversation_id, outcome, at",
          (f"{c * 2 + k}\t{c}\t{outcomes[(c + k) % 4]}\t{_ts(created[c] + timedelta(minutes=k + 1))}\n" for c in ids for k in range(2)))


def _setup_names(pg: Any) -> None:
    with pg.cursor() as cur:
        cur.executemany("INSERT INTO staff_user (id, email, display_name, password_hash, role, language, is_active, created_at) "
                        "VALUES (%s, %s, %s, 'x', 'agent', 'th', true, now())",
                        [(n, f"agent{n}@vschool.test", f"Agent {n}") for n in range(1, AGENTS + 1)])
        cur.executemany("INSERT INTO team (id, name) VALUES (%s, %s)", [(n, f"Team {n}") for n in range(1, TEAMS + 1)])
        cur.executemany("INSERT INTO label (id, name, color) VALUES (%s, %s, 'gray')", list(enumerate(LABELS, start=1)))


def _ranges(rng: random.Random, today: date, runs: int) -> list[tuple[date, date]]:
    presets = [(today - timedelta(days=d - 1), today) for d in (7, 30, 90)]
    anywhere = [(s, s + timedelta(days=29)) for s in (today - timedelta(days=rng.randint(30, 364)) for _ in range(runs))]
    return presets * max(1, runs // 6) + anywhere


def _timed(ranges: list[tuple[date, date]], fn: Callable[[date, date], None]) -> list[float]:
    times = []
    for since, until in ranges:
        started = time.perf_counter()
        fn(since, until)
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_reports(args: argparse.Namespace) -> dict[str, Any]:
    scale = getattr(args, "scale", None) or 1.0
    runs = getattr(args, "runs", None) or 30
    count = max(1_000, int(CONVERSATIONS_PER_YEAR * scale))
    rng = random.Random(18)
    with bench_services():
        from models.db import get_engine, libpq_url, session_scope
        from models.reports import Range, figures_at_once, names
        from models.settings import get_settings

        def page(since: date, until: date) -> None:  # what the page's computed var reads
            figures_at_once(Range(since, until))
            with session_scope() as s:
                names(s)

        def floor(since: date, until: date) -> None:
            start, end = Range(since, until).bounds()
            with session_scope() as s:
                s.execute(sa.text("SELECT count(*) FROM conversation_period WHERE started_at >= :a AND started_at < :b"), {"a": start, "b": end}).one()

        def load(first_id: int, opens: datetime) -> float:
            started = time.perf_counter()
            with get_engine().begin() as conn:
                _load_year(conn.connection.driver_connection, rng, first_id, count, opens)
            with psycopg.connect(libpq_url(get_settings().database_url), autocommit=True) as pg:
                pg.execute("VACUUM (ANALYZE)")  # what autovacuum does after a bulk load
            return time.perf_counter() - started

        now = datetime.now(UTC)
        today = now.astimezone(BKK).date()
        with get_engine().begin() as conn:
            _setup_names(conn.connection.driver_connection)
        load_s = load(1, now - timedelta(days=365))
        ranges = _ranges(rng, today, runs)
        ours, base = _timed(ranges, page), _timed(ranges, floor)
        load_s += load(count + 1, now - timedelta(days=730))
        with get_engine().begin() as conn:
            totals = conn.execute(sa.text("SELECT (SELECT count(*) FROM conversation), (SELECT count(*) FROM message)")).one()
        twice = _timed(ranges, page)
    p95, p95_2x = percentile(ours, 0.95), percentile(twice, 0.95)
    return {
        "bench": "reports",
        "p50_ms": round(statistics.median(ours), 2),
        "p95_ms": round(p95, 2),
        "p95_ms_2x": round(p95_2x, 2),
        "ratio_2x": round(p95_2x / p95, 3),
        "baseline_p95_ms": round(percentile(base, 0.95), 2),
        "ratio": round(p95 / percentile(base, 0.95), 2),
        "conversations": count,
        "messages": count * MESSAGES_PER_CONVERSATION,
        "conversations_2x": totals[0],
        "messages_2x": totals[1],
        "ranges": len(ranges),
        "scale": scale,
        "load_s": round(load_s, 1),
    }

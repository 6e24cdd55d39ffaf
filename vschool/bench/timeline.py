"""`vschool bench timeline`: the customer page's reads at scale.

Loads `--customers` (100,000) customers with SQL `generate_series` (Thai and English names,
phones), and one customer with `--events` (5,000) events: messages over several conversations,
ad referrals, orders, payments and notes. Then, `--runs` times each:

- `p50_ms`/`p95_ms`: that customer's page — the facts and the newest page of the timeline;
  `deep_p95_ms`: a page from the far end of the history (keyset, so it should cost the same);
- `search_p50_ms`/`search_p95_ms`: one page of the Customers list for a search (Thai name part,
  id fragment, phone fragment) over all customers, with the total count;
- `baseline_p50_ms`: the floor for the timeline: the newest 50 messages of one conversation
  straight from its index (a single-table read). `ratio` = baseline ÷ ours.
Targets: timeline < 200 ms, search < 100 ms.
"""

import argparse
import statistics
import time
from typing import Any

import sqlalchemy as sa

from vschool.bench import bench_services, percentile

_CUSTOMERS = """
INSERT INTO customer (standard_id, display_name, phone, lead_stage, tags, created_at, updated_at)
SELECT 'TVS-CUS-FB-25-' || lpad(n::text, 6, '0'),
       (ARRAY['สมหญิง', 'มาลี', 'Ken', 'ปิยะ', 'Aiko', 'วรรณา', 'Somchai', 'กมล'])[1 + n % 8] || ' '
         || (ARRAY['ใจดี', 'ศรีสุข', 'Tanaka', 'รุ่งเรือง', 'Smith', 'สายทอง', 'มั่นคง'])[1 + n % 7] || ' ' || n,
       '08' || lpad((n * 7919 % 100000000)::text, 8, '0'),
       (ARRAY['new', 'contacted', 'qualified', 'deposit', 'enrolled', 'lost'])[1 + n % 6], '{}',
       now() - make_interval(mins => n), now() - make_interval(mins => n)
FROM generate_series(1, :customers) n
"""
_STORY = """
WITH c AS (SELECT id FROM customer WHERE standard_id = 'TVS-CUS-FB-25-000001')
INSERT INTO conversation (customer_id, channel, page_id, status, unread_count, ai_paused, created_at, updated_at)
SELECT c.id, 'facebook', 'PAGE', CASE WHEN k = :conversations THEN 'open' ELSE 'resolved' END, 0, false, now(), now()
FROM c, generate_series(1, :conversations) k;

INSERT INTO message (conversation_id, direction, sender_kind, mid, text, attachments, reactions, status, sent_at, created_at)
SELECT cv.id, CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END, CASE WHEN n % 2 = 0 THEN 'customer' ELSE 'staff' END,
       'm_bench_tl_' || n, 'สอบถามคอร์สซูชิรอบถัดไปค่ะ ' || n, '[]', '{}', 'read',
       now() - make_interval(mins => :messages - n), now()
FROM generate_series(1, :messages) n
JOIN LATERAL (SELECT id FROM conversation ORDER BY id OFFSET (n % :conversations) LIMIT 1) cv ON true;

INSERT INTO ad_referral (customer_id, source, ad_id, ref, context, occurred_at, created_at)
SELECT (SELECT id FROM customer WHERE standard_id = 'TVS-CUS-FB-25-000001'), 'ADS', '12021000000000000' || (n % 3 + 1), NULL, '{}',
       now() - make_interval(hours => n * 7), now()
FROM generate_series(1, :referrals) n;

INSERT INTO orders (order_number, customer_id, status, total, currency, created_at, updated_at)
SELECT 'VS-BENCH-' || n, (SELECT id FROM customer WHERE standard_id = 'TVS-CUS-FB-25-000001'), 'paid', 39000, 'THB',
       now() - make_interval(hours => n * 11), now()
FROM generate_series(1, :orders) n;

INSERT INTO payment (order_id, kind, amount, method, paid_at, created_at)
SELECT o.id, k.kind, CASE WHEN k.kind = 'deposit' THEN 5000 ELSE 34000 END, 'transfer', o.created_at + interval '1 hour', now()
FROM orders o, (VALUES ('deposit'), ('payment')) k(kind);

INSERT INTO note (customer_id, body, created_at)
SELECT (SELECT id FROM customer WHERE standard_id = 'TVS-CUS-FB-25-000001'), 'โน้ตจากเจ้าหน้าที่ ' || n, now() - make_interval(hours => n * 13)
FROM generate_series(1, :notes) n;
"""


def _timed(runs: int, fn) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_timeline(args: argparse.Namespace) -> dict[str, Any]:
    customers = getattr(args, "bench_customers", None) or 100_000
    events = getattr(args, "events", None) or 5_000
    runs = getattr(args, "runs", None) or 50
    conversations, referrals, orders, notes = 8, 20, 40, 60
    messages = events - referrals - orders * 3 - notes
    with bench_services():
        from models.customer_queries import customer_by_standard_id, customer_facts, find_customers
        from models.db import get_engine, session_scope
        from models.timeline import timeline

        with get_engine().begin() as conn:
            conn.execute(sa.text(_CUSTOMERS), {"customers": customers})
            for statement in _STORY.split(";\n"):
                if statement.strip():
                    conn.execute(sa.text(statement), {"conversations": conversations, "messages": messages, "referrals": referrals,
                                                      "orders": orders, "notes": notes})
            conn.execute(sa.text("ANALYZE"))

        def page() -> None:
            with session_scope() as s:
                customer = customer_by_standard_id(s, "TVS-CUS-FB-25-000001")
                customer_facts(s, customer)
                timeline(s, customer.id)

        with session_scope() as s:
            customer = customer_by_standard_id(s, "TVS-CUS-FB-25-000001")
            cursor, deep_cursor, pages, seen = None, None, 0, 0
            while True:  # walk to the far end once: every event, each exactly once
                entries, next_cursor = timeline(s, customer.id, before=cursor)
                pages, seen = pages + 1, seen + len(entries)
                if next_cursor is None:
                    break
                deep_cursor, cursor = cursor, next_cursor
            conversation_id = s.execute(sa.text("SELECT max(id) FROM conversation")).scalar_one()

        def deep() -> None:
            with session_scope() as s:
                timeline(s, customer.id, before=deep_cursor)

        def floor() -> None:
            with session_scope() as s:
                s.execute(sa.text("SELECT * FROM message WHERE conversation_id = :c ORDER BY sent_at DESC LIMIT 50"), {"c": conversation_id}).all()

        searches = ["ศรีสุข", "000123", "0812", "Tanaka 99"]

        def search() -> None:
            for term in searches:
                with session_scope() as s:
                    find_customers(s, 0, term)

        page(), floor(), search()  # warm
        ours, deep_times, base = _timed(runs, page), _timed(runs, deep), _timed(runs, floor)
        search_times = [t / len(searches) for t in _timed(max(5, runs // 5), search)]
    return {
        "bench": "timeline",
        "p50_ms": round(statistics.median(ours), 2),
        "p95_ms": round(percentile(ours, 0.95), 2),
        "deep_p95_ms": round(percentile(deep_times, 0.95), 2),
        "search_p50_ms": round(statistics.median(search_times), 2),
        "search_p95_ms": round(percentile(search_times, 0.95), 2),
        "baseline_p50_ms": round(statistics.median(base), 2),
        "ratio": round(statistics.median(base) / statistics.median(ours), 3),
        "events": seen,
        "pages": pages,
        "customers": customers,
        "runs": runs,
    }

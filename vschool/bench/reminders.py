"""The reminders figure of `vschool bench seats` (ADR 016): `--reminders` (2,000) orders owe
money on a round starting in 5 days, so each is a "balance due" candidate (and the "class
starts" query runs over the same tables and finds none). Measured once, in the same run:

- `reminders_s`: select the due reminders (one INSERT … SELECT per kind, the unique key skipping
  any already queued) and queue a `send_reminder` message for each (Redis), as the scheduler's
  `queue_reminders` does; `reminders_queued` says how many;
- `reminders_select_s`: the selection alone (the rest is 1 Redis enqueue per reminder);
- `reminders_baseline_s`: the floor — a plain SELECT of the same candidates, nothing written.

Call `reminder_figures()` inside `bench_services()` (the seats bench does).
"""

import gc
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

_LOAD = """
WITH p AS (INSERT INTO product (sku, kind, name, price, currency, is_active, created_at)
           VALUES ('BENCH-REMIND', 'course', 'Bench Sushi', 24900, 'THB', true, now()) RETURNING id),
r AS (INSERT INTO course_round (product_id, starts_on, ends_on, daily_start, daily_end, capacity, language, status, created_at, updated_at)
      SELECT p.id, :starts, :starts + 4, '09:30', '16:00', :n, 'th', 'open', now(), now() FROM p RETURNING id),
c AS (INSERT INTO customer (standard_id, display_name, lead_stage, tags, created_at, updated_at)
      SELECT 'TVS-CUS-FB-26-R' || lpad(k::text, 6, '0'), 'นักเรียน ' || k, 'deposit', '{}', now(), now()
      FROM generate_series(1, :n) k RETURNING id),
o AS (INSERT INTO orders (order_number, customer_id, status, total, currency, created_at, updated_at)
      SELECT 'VS-BENCH-R' || c.id, c.id, 'deposit_paid', 24900, 'THB', now(), now() FROM c RETURNING id, customer_id),
s AS (INSERT INTO seat (round_id, order_id, attendee_id, state, created_at, updated_at)
      SELECT r.id, o.id, o.customer_id, 'taken', now(), now() FROM o, r RETURNING order_id)
INSERT INTO payment (order_id, kind, amount, method, paid_at, created_at)
SELECT order_id, 'deposit', 10000, 'transfer', now(), now() FROM s
"""
_FLOOR = """
SELECT o.id FROM seat s JOIN course_round r ON r.id = s.round_id JOIN orders o ON o.id = s.order_id
WHERE s.state IN ('held', 'taken') AND r.starts_on > :today AND r.starts_on <= :until
  AND o.total > coalesce((SELECT sum(CASE WHEN p.kind = 'refund' THEN -p.amount ELSE p.amount END) FROM payment p WHERE p.order_id = o.id), 0)
"""


def reminder_figures(candidates: int = 2_000) -> dict[str, Any]:
    """Load the candidates, then time selecting and queueing their reminders (see above)."""
    # Imported here: the broker and the engine bind to the bench's services, known only inside bench_services().
    import dramatiq

    from actors.reminders import send_reminder
    from models.db import get_engine, session_scope
    from models.reminder_rules import select_due

    tz = ZoneInfo("Asia/Bangkok")
    now = datetime.combine(datetime.now(tz).date(), datetime.min.time(), tz) + timedelta(hours=10)  # the school's daytime
    today = now.date()
    with get_engine().begin() as conn:
        conn.execute(sa.text(_LOAD), {"n": candidates, "starts": today + timedelta(days=5)})
        conn.execute(sa.text("ANALYZE"))
    gc.collect()  # the bookings before leave garbage: its collection must not land in a timed query
    started = time.perf_counter()
    with session_scope() as s:
        found = s.execute(sa.text(_FLOOR), {"today": today, "until": today + timedelta(days=7)}).scalars().all()
    floor_s = time.perf_counter() - started
    started = time.perf_counter()
    with session_scope() as s:
        ids = select_due(s, now)
    select_s = time.perf_counter() - started
    for reminder_id in ids:
        send_reminder.send(reminder_id)
    took_s = time.perf_counter() - started
    dramatiq.get_broker().flush_all()  # no worker runs here: nothing is sent
    return {"reminders_candidates": len(found), "reminders_queued": len(ids), "reminders_s": round(took_s, 3),
            "reminders_select_s": round(select_s, 3),
            "reminders_baseline_s": round(floor_s, 3)}

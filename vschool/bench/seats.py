"""`vschool bench seats`: many staff booking one round at once.

Each run makes a fresh round of `--capacity` (12) seats and `--bookers` (50) customers; that many
threads, each with its own PostgreSQL connection, wait at a barrier and then book one seat each
through `models.booking.book` (the order, its item and the held seat in one transaction, the
round row locked while its seats are counted). Reported over `--runs` (5) runs:

- `accepted` (the most any run accepted: must equal the capacity, never more) and `accepted_min`;
- `p50_ms`/`p95_ms`: one booking's latency, accepted or refused, start to commit;
- `baseline_p50_ms`/`baseline_p95_ms`: the same threads at the same moment doing a plain
  single-row `SELECT` of the round (one round trip); `ratio` = ours ÷ baseline.
Target: `accepted` == 12 and `p95_ms` < 250 (SPEC.md). `reminders_s` is added by issue 14's reminders.

All 50 bookers are threads of this one process on purpose: that is the harsher case. In production
an app process runs its staff's handlers one at a time on its event loop, so bookings landing on
one process queue for its CPU as these threads queue for the interpreter lock, while here all 50
transactions also race for the round's row lock at once. A booking's own work is about 8 statements
and 3 ms of Python CPU (ADR 015), so most of `p95_ms` is the wait behind the other 49.
"""

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from datetime import time as clock
from decimal import Decimal
from threading import Barrier
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from models.booking import book
from models.commerce import Product
from models.customers import Customer
from models.db import get_engine, sqlalchemy_url
from models.rounds import CourseRound
from models.seat_rules import SeatRefused
from models.settings import get_settings
from vschool.bench import bench_services, percentile
from vschool.bench.reminders import reminder_figures


def _setup(engine: sa.Engine, run: int, capacity: int, bookers: int) -> tuple[int, int, list[int]]:
    with Session(engine) as s:
        course = Product(sku=f"BENCH-SEATS-{run}", name="Professional Sushi (bench)", price=Decimal("24900"))
        s.add(course)
        s.flush()
        rnd = CourseRound(product_id=course.id, starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 8), daily_start=clock(9),
                          daily_end=clock(16), capacity=capacity)
        people = [Customer(standard_id=f"TVS-CUS-BN-{run:02d}-{n:04d}", display_name=f"Bench {run}-{n}") for n in range(bookers)]
        s.add(rnd)
        s.add_all(people)
        s.commit()
        return course.id, rnd.id, [p.id for p in people]


def _race(engine: sa.Engine, bookers: int, task: Any) -> list[tuple[bool, float]]:
    gate = Barrier(bookers)

    def one(n: int) -> tuple[bool, float]:
        with Session(engine) as s:
            s.connection()  # connected before the start: the race measures the work, not connecting
            gate.wait(timeout=60)
            start = time.perf_counter()
            ok = task(s, n)
            return ok, (time.perf_counter() - start) * 1000

    with ThreadPoolExecutor(bookers) as pool:
        return list(pool.map(one, range(bookers)))


def bench_seats(args: argparse.Namespace) -> dict[str, Any]:
    """One flat JSON object: see the module docstring."""
    bookers, capacity, runs = args.bookers or 50, args.capacity or 12, args.runs or 5
    with bench_services():
        get_engine()  # settings and URL ready
        engine = sa.create_engine(sqlalchemy_url(get_settings().database_url), pool_size=bookers, max_overflow=0)
        accepted, ours, baseline = [], [], []
        for run in range(runs):
            course_id, round_id, people = _setup(engine, run, capacity, bookers)

            def booking(s: Session, n: int, course_id: int = course_id, round_id: int = round_id, people: list[int] = people) -> bool:
                try:
                    book(s, people[n], course_id, [round_id])
                    s.commit()
                    return True
                except SeatRefused:
                    s.rollback()
                    return False

            def plain(s: Session, n: int, round_id: int = round_id) -> bool:
                s.execute(sa.text("SELECT capacity FROM course_round WHERE id = :id"), {"id": round_id}).scalar_one()
                s.commit()
                return True

            results = _race(engine, bookers, booking)
            accepted.append(sum(ok for ok, _ in results))
            ours += [ms for _, ms in results]
            baseline += [ms for _, ms in _race(engine, bookers, plain)]
        engine.dispose()
        reminders = reminder_figures()  # issue 14's reminders: 2,000 candidates selected and queued
    p95, base95 = percentile(ours, 0.95), percentile(baseline, 0.95)
    return {
        "bench": "seats", "bookers": bookers, "capacity": capacity, "runs": runs,
        "accepted": max(accepted), "accepted_min": min(accepted),
        "p50_ms": round(percentile(ours, 0.5), 2), "p95_ms": round(p95, 2),
        "baseline_p50_ms": round(percentile(baseline, 0.5), 2), "baseline_p95_ms": round(base95, 2),
        "ratio": round(p95 / base95, 2) if base95 else None,
        **reminders,
    }

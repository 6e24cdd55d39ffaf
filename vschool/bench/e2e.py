"""`vschool bench e2e`: a customer's message → the school's reply reaching Meta.

The real backend (production mode), a worker and the Meta simulator run on their own services, with the demo
knowledge base and the AI at L3. Customers ask a question the knowledge base answers through
the simulator (a signed webhook to `/webhooks/messenger`); the webhook stores it, the worker
applies it, the reply actor answers it with the offline responder and the send actor calls the
Send API. The figure is the simulator's receipt time of that call minus the moment the customer's
message was sent. First at 20 messages per second (`--rate`), then one message every 10 s (idle
workers).

The rate is measured in steady state: 2 s at the same rate go first, unmeasured (`warmup_events`
in the output). Freshly started processes open their database connections, compile their
queries and load their caches during the first second or so; in that second replies took
150–250 ms at p50, against 50–90 ms afterwards.
"""

import argparse
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from vschool.bench import bench_services, percentile


def _prepare_ai() -> None:
    """The school's demo knowledge base, catalog and facts in the bench's database (without
    the record the offline responder's price answer stays under the 0.9 auto-send confidence
    and becomes a draft), and the AI at L3 (auto-send when confident and grounded): the reply
    pipeline answers every message by itself. The
    school is open around the clock (no opening periods, no holidays): on a day the seeded
    calendar counts as closed every customer would also get the out-of-hours reply, and the
    figures would depend on the day and hour the bench runs."""
    from knowledge.ingest import ingest_paths
    from models.ai_rules import set_global_level
    from models.db import session_scope
    from models.hours import Holiday, OpeningPeriod
    from vschool.demo import load_catalog, load_school_facts

    root = Path(__file__).resolve().parents[2]
    with session_scope() as session:
        ingest_paths(session, [root / "knowledge" / "school"])
        load_catalog(session)
        load_school_facts(session)
        set_global_level(session, 3, None)
        session.execute(sa.delete(OpeningPeriod))
        session.execute(sa.delete(Holiday))


WORKERS = 2  # `vschool worker`'s default customers' pool: one process per core
WARMUP_S = 2.0
QUESTION = "เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ"  # answered from the knowledge base with confidence


def _run_phase(customer_phone: httpx.Client, psids: list[str], interval_s: float) -> dict[str, float]:
    """Each customer says the question, `interval_s` apart (on a fixed schedule, so a slow
    answer never lowers the rate); returns when each one started typing."""
    started: dict[str, float] = {}
    t_start = time.monotonic()
    for n, psid in enumerate(psids):
        time.sleep(max(0.0, t_start + n * interval_s - time.monotonic()))
        started[psid] = time.time() * 1000
        customer_phone.post(f"/_sim/customers/{psid}/say", json={"text": QUESTION}).raise_for_status()
    return started


def _latencies(customer_phone: httpx.Client, started: dict[str, float], timeout_s: float = 60) -> list[float]:
    """Once every reply has reached the simulator (or time is up): reply received − message sent."""
    deadline = time.monotonic() + timeout_s
    while True:
        sent = customer_phone.get("/_sim/sent").json()["sent"]
        replies: dict[str, float] = {}
        for x in sent:  # the first message each customer got: the answer (any automatic one comes after it)
            if "message" in x["body"]:
                replies.setdefault(x["body"]["recipient"]["id"], x["at"])
        if all(p in replies for p in started) or time.monotonic() > deadline:
            return [replies[p] - t for p, t in started.items() if p in replies]
        time.sleep(1.0)


def bench_e2e(args: argparse.Namespace) -> dict[str, Any]:
    from vschool.harness import start_app
    from vschool.workers import BACKGROUND_PROCESSES

    burst = args.events or 200
    rate = args.rate
    idle = args.idle_events
    with bench_services() as scratch:
        _prepare_ai()
        app = start_app(Path(scratch) / "logs", frontend=False, worker=True, worker_processes=WORKERS, simulator=True, data_dir=Path(scratch),
                        production=True)
        try:
            # One keep-alive client, like a phone: the load generator should not eat the cores it measures.
            with httpx.Client(base_url=app.simulator_url, timeout=10) as customer_phone:
                warmup = int(WARMUP_S * rate)
                psids = [customer_phone.post("/_sim/customers", json={"name": f"ลูกค้า {n}"}).json()["psid"] for n in range(warmup + burst + idle)]
                warmup_started = _run_phase(customer_phone, psids[:warmup], 1 / rate)
                _latencies(customer_phone, warmup_started)  # every warm-up reply is in: the queues are empty
                psids = psids[warmup:]
                burst_started = _run_phase(customer_phone, psids[:burst], 1 / rate)
                burst_ms = _latencies(customer_phone, burst_started)
                time.sleep(10)  # let the workers go idle
                idle_started = _run_phase(customer_phone, psids[burst:], 10.0)
                idle_ms = _latencies(customer_phone, idle_started)
        finally:
            app.stop()
    return {
        "bench": "e2e",
        "events": len(burst_ms),
        "rate_per_s": rate,
        "warmup_events": warmup,
        "p50_ms": round(percentile(burst_ms, 0.5), 1),
        "p99_ms": round(percentile(burst_ms, 0.99), 1),
        "idle_events": len(idle_ms),
        "idle_p50_ms": round(percentile(idle_ms, 0.5), 1),
        "idle_max_ms": round(max(idle_ms), 1) if idle_ms else None,
        "lost": (burst - len(burst_ms)) + (idle - len(idle_ms)),
        "responder": "offline responder at L3 (auto-send), demo knowledge base",
        "worker_processes": WORKERS,  # the customers' pool; plus the background pool (ADR 010)
        "background_processes": BACKGROUND_PROCESSES,
        "backend": "reflex --env prod, 2 processes",
    }

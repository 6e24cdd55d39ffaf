"""`vschool bench e2e`: a customer's message → the school's reply reaching Meta.

The real backend, a worker and the Meta simulator run on their own services. Customers write
through the simulator (a signed webhook to `/webhooks/messenger`); the bench plays the staff
member (the AI's offline responder takes this place once it exists): as soon as the worker has
stored a message, it queues a reply and sends `send_message`. The figure is the simulator's
receipt time of that Send API call minus the moment the customer's message was sent. First at
20 messages per second, then one message every 10 s (idle workers, backed-off consumers).
"""

import argparse
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from vschool.bench import bench_services, percentile


def _staff_replier(db: str, stop: threading.Event) -> threading.Thread:
    """Answer every new inbound message as soon as the worker has stored it."""
    from actors.outbound import send_message
    from models.db import session_scope
    from models.enums import Role
    from models.reply_rules import queue_staff_reply
    from vschool.staff import create_staff

    with session_scope() as session:
        staff = create_staff(session, None, "bench-staff@vschool.local", "Bench", Role.AGENT, "bench-password-1")

    def run() -> None:
        seen = 0
        with psycopg.connect(db, autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT id, conversation_id FROM message WHERE direction = 'inbound' AND id > %s ORDER BY id", (seen,)
                ).fetchall()
                for message_id, conversation_id in rows:
                    seen = max(seen, message_id)
                    with session_scope() as session:
                        reply = queue_staff_reply(session, staff, conversation_id, "ได้รับข้อความแล้วค่ะ เดี๋ยวแอดมินตอบนะคะ")
                    send_message.send(reply.id)
                if not rows:
                    time.sleep(0.002)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _run_phase(sim: str, psids: list[str], interval_s: float) -> dict[str, float]:
    started: dict[str, float] = {}
    for psid in psids:
        t0 = time.time()
        started[psid] = t0 * 1000
        httpx.post(f"{sim}/_sim/customers/{psid}/say", json={"text": "สวัสดีค่ะ สนใจคอร์สซูชิค่ะ"}, timeout=10).raise_for_status()
        time.sleep(max(0.0, interval_s - (time.time() - t0)))
    return started


def _latencies(sim: str, started: dict[str, float], timeout_s: float = 60) -> list[float]:
    deadline = time.monotonic() + timeout_s
    while True:
        sent = httpx.get(f"{sim}/_sim/sent", timeout=10).json()["sent"]
        replies = {x["body"]["recipient"]["id"]: x["at"] for x in sent if "message" in x["body"]}
        if all(p in replies for p in started) or time.monotonic() > deadline:
            return [replies[p] - t for p, t in started.items() if p in replies]
        time.sleep(0.2)


def bench_e2e(args: argparse.Namespace) -> dict[str, Any]:
    from vschool.harness import start_app

    burst = args.events or 200
    idle = args.idle_events
    with bench_services() as scratch:
        from models.settings import get_settings

        db = get_settings().database_url
        app = start_app(Path(scratch) / "logs", frontend=False, worker=True, simulator=True, data_dir=Path(scratch))
        stop = threading.Event()
        try:
            sim = app.simulator_url
            psids = [httpx.post(f"{sim}/_sim/customers", json={"name": f"ลูกค้า {n}"}).json()["psid"] for n in range(burst + idle)]
            _staff_replier(db, stop)
            burst_started = _run_phase(sim, psids[:burst], 1 / 20)
            burst_ms = _latencies(sim, burst_started)
            time.sleep(10)  # let the workers go idle
            idle_started = _run_phase(sim, psids[burst:], 10.0)
            idle_ms = _latencies(sim, idle_started)
        finally:
            stop.set()
            app.stop()
    return {
        "bench": "e2e",
        "events": len(burst_ms),
        "rate_per_s": 20,
        "p50_ms": round(percentile(burst_ms, 0.5), 1),
        "p99_ms": round(percentile(burst_ms, 0.99), 1),
        "idle_events": len(idle_ms),
        "idle_p50_ms": round(percentile(idle_ms, 0.5), 1),
        "idle_max_ms": round(max(idle_ms), 1) if idle_ms else None,
        "lost": (burst - len(burst_ms)) + (idle - len(idle_ms)),
        "responder": "staff reply queued by the bench (offline responder not built yet)",
    }

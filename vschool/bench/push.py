"""`vschool bench push`: `announce()` → the new value visible in a real browser page.

A signed-in Chromium tab shows the Overview. For each event, spaced out at random as in real
use (so the worker is often idle and its consumer has backed off), the bench adds a customer and
then either calls `announce()` itself (the push path alone) or sends the `register_customer`
actor (worker pick-up + database + announce + push). A MutationObserver in the page stamps
the moment the counter's text changes; the figure is that stamp minus the time of the announce
(or of the send). Same machine, same clock. Baseline: one Redis RPUSH → BLPOP hop.
"""

import argparse
import random
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from vschool.bench import bench_services, percentile

OBSERVER = """
() => {
  window.__changes = [];
  const target = document.querySelector('#counter-customers');
  new MutationObserver(() => {
    window.__changes.push({t: performance.timeOrigin + performance.now(), text: target.textContent});
  }).observe(target, {subtree: true, childList: true, characterData: true});
}
"""


def _redis_hop_ms(samples: int = 200) -> float:
    """Median one-way RPUSH → BLPOP time on this Redis (the physical floor of the push path)."""
    import redis

    from actors.broker import redis_url

    url = redis_url()
    key = f"vschool:bench:hop:{secrets.token_hex(4)}"
    received: list[float] = []
    ready = threading.Event()

    def consumer() -> None:
        client = redis.Redis.from_url(url)
        ready.set()
        for _ in range(samples):
            _, raw = client.blpop([key])
            received.append(time.perf_counter() - float(raw))

    thread = threading.Thread(target=consumer)
    thread.start()
    ready.wait()
    producer = redis.Redis.from_url(url)
    for _ in range(samples):
        producer.rpush(key, repr(time.perf_counter()))
        time.sleep(0.002)
    thread.join()
    return percentile(received, 0.5) * 1000


INBOX_OBSERVER = """
() => {
  window.__want = null; window.__seenAt = null;
  new MutationObserver(() => {
    const list = document.querySelector('#conversation-list');
    if (window.__want && !window.__seenAt && list && list.textContent.includes(window.__want)) {
      window.__seenAt = performance.timeOrigin + performance.now();
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""


def _inbox_latencies(page, app, rng: random.Random, events: int) -> list[float]:
    """A signed webhook message → its text visible in the open inbox list (through the real
    webhook, the worker, PostgreSQL, announce and the push path)."""
    import hashlib
    import hmac
    import json

    import httpx

    from models.settings import get_settings

    settings = get_settings()
    secret = settings.meta_app_secret.get_secret_value().encode()
    page.click("#nav-inbox")
    page.wait_for_selector("#inbox-empty, #conversation-list")
    page.evaluate(INBOX_OBSERVER)
    found: list[float] = []
    for n in range(events):
        time.sleep(rng.uniform(0.2, 1.5))
        text = f"สนใจคอร์สราเมงค่ะ {n}-{rng.randrange(10**6)}"
        event = {"sender": {"id": "24999999999999999"}, "recipient": {"id": settings.page_id}, "timestamp": int(time.time() * 1000),
                 "message": {"mid": f"m_push_bench_{n}_{rng.randrange(10**9)}", "text": text}}
        raw = json.dumps({"object": "page", "entry": [{"id": settings.page_id, "time": event["timestamp"], "messaging": [event]}]}, ensure_ascii=False).encode()
        page.evaluate("(t) => { window.__want = t; window.__seenAt = null; }", text)
        t0 = time.time()
        httpx.post(f"{app.backend_url}/webhooks/messenger", content=raw, timeout=10,
                   headers={"X-Hub-Signature-256": "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()}).raise_for_status()
        page.wait_for_function("window.__seenAt !== null", timeout=30_000, polling=5)
        found.append(page.evaluate("window.__seenAt") - t0 * 1000)
    return found


def _staff_password() -> str:
    from models.db import session_scope
    from models.enums import Role
    from vschool.staff import create_staff

    password = secrets.token_urlsafe(16)
    with session_scope() as session:
        create_staff(session, None, "bench@vschool.local", "Bench", Role.ADMIN, password)
    return password


def bench_push(args: argparse.Namespace) -> dict[str, Any]:
    if getattr(args, "hosts", None) or getattr(args, "tabs", None):
        from vschool.bench.push_hosts import bench_push_hosts  # imports this module: a cycle

        return bench_push_hosts(args)
    from playwright.sync_api import sync_playwright

    with bench_services() as scratch:
        from actors.customers import register_customer
        from actors.push import announce
        from models.customer_rules import find_or_create_customer
        from models.db import session_scope
        from models.enums import Channel
        from vschool.harness import CHROMIUM, CHROMIUM_ARGS, WORKER_TIMEOUT_MS, start_app

        password = _staff_password()
        hop_ms = _redis_hop_ms()
        app = start_app(Path(scratch) / "logs", worker=True, simulator=True, data_dir=Path(scratch))
        announce_ms: list[float] = []
        actor_ms: list[float] = []
        rng = random.Random(7)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(f"{app.frontend_url}/login")
                page.wait_for_selector("#login-submit:enabled", timeout=120_000)
                page.fill("#login-email", "bench@vschool.local")
                page.fill("#login-password", password)
                page.click("#login-submit")
                page.wait_for_selector("#app-shell[data-hydrated=true]")
                page.wait_for_function("document.querySelector('#counter-customers')?.textContent === '0'")
                page.evaluate(OBSERVER)
                events = args.events or 60
                total = events + events // 2
                for n in range(1, total + 1):
                    time.sleep(rng.uniform(0.2, 1.5))  # spaced as staff and customers would be
                    psid = f"99{n:015d}"
                    via_actor = n % 3 == 0
                    if via_actor:
                        t0 = time.time()
                        register_customer.send(Channel.FACEBOOK.value, "BENCHPAGE", psid)
                    else:
                        with session_scope() as session:
                            find_or_create_customer(session, Channel.FACEBOOK, "BENCHPAGE", psid)
                        t0 = time.time()
                        announce("customer", n)
                    page.wait_for_function(
                        f"window.__changes.some(c => c.text === '{n:,}')", timeout=30_000, polling=5
                    )
                    seen = page.evaluate(f"window.__changes.find(c => c.text === '{n:,}').t")
                    (actor_ms if via_actor else announce_ms).append(seen - t0 * 1000)
                inbox_ms = _inbox_latencies(page, app, rng, args.inbox_events)
                browser.close()
        finally:
            app.stop()
    return {
        "bench": "push",
        "events": len(announce_ms),
        "p50_ms": round(percentile(announce_ms, 0.5), 1),
        "p95_ms": round(percentile(announce_ms, 0.95), 1),
        "p99_ms": round(percentile(announce_ms, 0.99), 1),
        "max_ms": round(max(announce_ms), 1),
        "actor_events": len(actor_ms),
        "actor_p50_ms": round(percentile(actor_ms, 0.5), 1),
        "actor_p95_ms": round(percentile(actor_ms, 0.95), 1),
        "inbox_events": len(inbox_ms),
        "inbox_p50_ms": round(percentile(inbox_ms, 0.5), 1),
        "inbox_p95_ms": round(percentile(inbox_ms, 0.95), 1),
        "baseline_redis_hop_p50_ms": round(hop_ms, 3),
        "worker_timeout_ms": WORKER_TIMEOUT_MS,
        "spacing_s": [0.2, 1.5],
    }

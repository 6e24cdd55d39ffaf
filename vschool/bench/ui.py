"""`vschool bench ui`: how fast a click feels in the production build, measured in Chromium.

The production stack as deploy/ runs it (vschool/cluster.py): the frontend exported once and
served by nginx, one app host (`reflex run --env prod --backend-only`), one worker host, the
Meta simulator. A signed-in admin's tab (1280 × 800) then measures, inside the page, the time
from the click to what the person waits for, stamped by a MutationObserver:

- `open_thread`: a conversation in the list → its name in the thread header and its messages;
- `page_switch`: a sidebar link → the page's own content (inbox rows, customer rows, the
  overview's counters, the marketing KPIs), cycling through the four;
- `send`: Enter in the composer → the staff member's own bubble with that text.

Baseline (same run): the smallest server round trip the app has, the keyboard-help toggle (one
event, one boolean back). Customers write through the simulator first, so every conversation's
24-hour window is open and a reply is allowed.
"""

import argparse
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from vschool.bench import bench_services, percentile

CHROMIUM = "/usr/bin/chromium"
# Run in the page: click `click`, resolve with the milliseconds until `ready(...)` holds.
MEASURE = """
async ([click, ready, arg]) => {
  const checks = {
    thread: (name) => (document.getElementById('thread-name')?.innerText || '') === name
                      && document.querySelectorAll('.msg-in, .msg-out, .msg-ai').length > 0,
    inbox: () => location.pathname === '/inbox' && !!document.querySelector('.conversation-item'),
    customers: () => location.pathname === '/customers' && !!document.querySelector('.customer-link'),
    overview: () => location.pathname === '/' && (document.getElementById('counter-customers')?.innerText || '') !== '',
    marketing: () => location.pathname === '/marketing' && (document.getElementById('kpi-spend')?.innerText || '') !== '',
    bubble: (text) => [...document.querySelectorAll('.msg-out')].some((el) => el.innerText.includes(text)),
    help: () => !!document.getElementById('keyboard-help'),
    no_help: () => !document.getElementById('keyboard-help'),
  };
  const target = typeof click === 'string' ? document.querySelector(click) : null;
  const t0 = performance.now();
  if (click === 'send') {
    const box = document.getElementById('composer');
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(box, arg);
    box.dispatchEvent(new Event('input', {bubbles: true}));
    document.getElementById('composer-form').requestSubmit();
  } else {
    target.click();
  }
  return await new Promise((resolve, reject) => {
    const check = () => { if (checks[ready](arg)) { observer.disconnect(); resolve(performance.now() - t0); } };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { observer.disconnect(); reject(new Error('not shown within 15 s: ' + ready)); }, 15000);
    check();
  });
}
"""
PAGES = [("#nav-customers", "customers"), ("#nav-", "overview"), ("#nav-marketing", "marketing"), ("#nav-inbox", "inbox")]


def _customers_write(simulator: str, count: int) -> None:
    """`count` customers write to the school through the simulator (a signed webhook each)."""
    for n in range(count):
        psid = httpx.post(f"{simulator}/_sim/customers", json={"name": f"ลูกค้า ทดสอบ {n + 1}"}).json()["psid"]
        httpx.post(f"{simulator}/_sim/customers/{psid}/say", json={"text": f"สวัสดีค่ะ สอบถามคอร์สซูชิ รอบที่ {n + 1}"}).raise_for_status()


def _measure(page: Any, click: str, ready: str, arg: str = "") -> float:
    return float(page.evaluate(MEASURE, [click, ready, arg]))


def _open_threads(page: Any, samples: int) -> list[float]:
    found = []
    for n in range(samples):
        items = page.locator(".conversation-item")
        item = items.nth(n % items.count())
        name = item.locator(".conversation-name").inner_text()
        item_id = item.get_attribute("id")
        if page.locator(f"#{item_id}[data-selected=true]").count():  # already open: open another first
            page.locator(".conversation-item").nth((n + 1) % items.count()).click()
            page.wait_for_timeout(300)
        found.append(_measure(page, f"#{item_id}", "thread", name))
        page.wait_for_timeout(150)
    return found


def _page_switches(page: Any, samples: int) -> list[float]:
    found = []
    for n in range(samples):
        link, ready = PAGES[n % len(PAGES)]
        found.append(_measure(page, "#nav-overview" if ready == "overview" else link, ready))
        page.wait_for_timeout(200)
    return found


def _sends(page: Any, samples: int) -> list[float]:
    found = []
    for n in range(samples):
        found.append(_measure(page, "send", "bubble", f"ค่ะ ราคาคอร์สละ 24,900 บาท ({n + 1}-{secrets.token_hex(2)})"))
        page.wait_for_timeout(300)
    return found


def _round_trips(page: Any, samples: int) -> list[float]:
    found = []
    for _ in range(samples):
        found.append(_measure(page, "#help-toggle", "help"))
        _measure(page, "#help-toggle", "no_help")
    return found


def _run(cluster: Any, token: str, samples: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from vschool.auth import SESSION_COOKIE

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="th-TH")
        context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": cluster.proxy_url}])
        page = context.new_page()
        page.goto(f"{cluster.proxy_url}/inbox")
        page.wait_for_selector("#app-shell[data-hydrated=true]")
        page.wait_for_selector(".conversation-item")
        for _ in range(2):  # warm: every page once, a thread once
            _page_switches(page, len(PAGES))
        _open_threads(page, 2)
        figures = {"open_thread": _open_threads(page, samples), "page_switch": _page_switches(page, samples)}
        page.locator(".conversation-item").first.click()
        page.wait_for_selector("#composer")
        figures["send"] = _sends(page, samples)
        figures["baseline"] = _round_trips(page, samples)
        browser.close()
    return figures


def bench_ui(args: argparse.Namespace) -> dict[str, Any]:
    samples = args.events or 20
    with bench_services() as scratch:
        from models.db import session_scope
        from vschool.auth import sign_in
        from vschool.bench.push import _staff_password
        from vschool.cluster import export_frontend, start_cluster
        from vschool.demo import load_demo_data
        from vschool.harness import free_port

        password = _staff_password()
        with session_scope() as session:
            load_demo_data(session, customers=20, days=3)
            _, token = sign_in(session, "bench@vschool.local", password)
        proxy_port = free_port()
        folder = Path(tempfile.mkdtemp(prefix="vschool-bench-ui-", dir=scratch))
        frontend = export_frontend(folder / "frontend", f"http://localhost:{proxy_port}")
        addresses = {"database_url": os.environ["DATABASE_URL"], "redis_url": os.environ["REDIS_URL"]}
        shared = {"VSCHOOL_SECRET_KEY": secrets.token_urlsafe(24), "META_APP_SECRET": secrets.token_urlsafe(24),
                  "META_VERIFY_TOKEN": secrets.token_urlsafe(24)}
        cluster = start_cluster(folder, addresses, shared, frontend, proxy_port=proxy_port, apps=1, workers=1)
        try:
            _customers_write(cluster.hosts["simulator"].simulator_url, 8)
            time.sleep(3)  # the worker applies them
            figures = _run(cluster, token, samples)
        finally:
            cluster.stop()
    result: dict[str, Any] = {"bench": "ui", "samples": samples, "build": "reflex export (nginx) + reflex --env prod, 1 app host"}
    for name, values in figures.items():
        key = "roundtrip_baseline" if name == "baseline" else name
        result[f"{key}_p50_ms"] = round(percentile(values, 0.5), 1)
        result[f"{key}_p95_ms"] = round(percentile(values, 0.95), 1)
        result[f"{key}_max_ms"] = round(max(values), 1)
    return result

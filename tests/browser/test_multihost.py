"""The product on several hosts (ADR 013), as deploy/ runs it: two app hosts and two worker hosts
(each a worker and a scheduler) as separate process groups with their own data folders, sharing
one PostgreSQL and one Redis, behind Debian's nginx (deploy/nginx/) serving one exported
frontend and passing websockets. Meta (the simulator) posts to host A's webhook.

The tests run in order on one cluster: a message through host A's webhook appears live in a
browser on host B; a sync on worker host B changes the panel served by host A; worker host A
killed mid-reply still gives the customer exactly one reply; the two schedulers fired each job
once throughout, the survivor after the crash."""

import os
import re
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, Page, expect

from actors.lease import fires
from actors.messenger import relay_unprocessed_events
from tests.browser.conftest import PASSWORD, sign_in
from tests.conftest import ROOT, open_around_the_clock, wait_until
from vschool import services
from vschool.cluster import HOST_COOKIE, Cluster, export_frontend, start_cluster
from vschool.harness import RunningApp, free_port

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]
TUNING = {"VSCHOOL_WORKER_HEARTBEAT_TIMEOUT_MS": "3000", "VSCHOOL_BROKER_MAINTENANCE_CHANCE": "1000000"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("multihost")
    addresses = services.start(folder / "shared")  # the one PostgreSQL and the one Redis
    running = None
    try:
        subprocess.run([sys.executable, "-m", "vschool.cli", "migrate"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": addresses["database_url"], "VSCHOOL_DATA_DIR": str(folder / "shared")})
        open_around_the_clock(addresses["database_url"])  # the thread's last line is the customer's, any day
        proxy_port = free_port()
        frontend = export_frontend(folder / "frontend", f"http://localhost:{proxy_port}")
        shared = {name: secrets.token_urlsafe(24) for name in ("VSCHOOL_SECRET_KEY", "META_APP_SECRET", "META_VERIFY_TOKEN")}
        running = start_cluster(folder, addresses, {**shared, **TUNING}, frontend, proxy_port=proxy_port)
        for email, role in (("nok@vschool.test", "agent"), ("fon@vschool.test", "marketing")):
            _vschool(running, "app1", "user", "create", "--email", email, "--role", role, "--password", PASSWORD)
        yield running
    finally:
        if running is not None:
            running.stop()
        services.stop(folder / "shared")


def _vschool(cluster: Cluster, host: str, *args: str) -> str:
    """A `vschool` command run on `host` (its data folder, the shared settings)."""
    env = {**cluster.env, "VSCHOOL_DATA_DIR": str(cluster.folder / host)}
    return subprocess.run([sys.executable, "-m", "vschool.cli", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True, timeout=300).stdout


def _pinned(browser: Browser, cluster: Cluster, host: str) -> BrowserContext:
    """A browser whose page loads, websocket and calls all go through the proxy to app `host`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="th-TH")
    context.add_cookies([{"name": HOST_COOKIE, "value": host, "url": cluster.proxy_url}])
    context.set_default_timeout(30_000)
    return context


def _websockets_by_host(cluster: Cluster) -> Counter:
    """Finished websocket connections in the proxy's log, by the app host that served them."""
    port_to_host = {str(port): name for name, port in cluster.app_ports.items()}
    log = (cluster.folder / "nginx" / "vschool.access.log").read_text()
    return Counter(port_to_host.get(port, port) for port in re.findall(r'"GET /_event\S* [^"]*" 101 .*upstream=127\.0\.0\.1:(\d+)', log))


def _screenshot(page: Page, name: str) -> None:
    """Kept for a person to look at (under `VSCHOOL_ARTIFACTS_DIR`, default `test-artifacts/`)."""
    folder = Path(os.environ.get("VSCHOOL_ARTIFACTS_DIR", "test-artifacts")) / "multihost"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def _database(cluster: Cluster) -> str:
    return cluster.env["DATABASE_URL"]


def test_a_message_through_host_a_webhook_appears_live_in_a_browser_on_host_b(cluster: Cluster, browser: Browser) -> None:
    context = _pinned(browser, cluster, "app2")
    inbox: Page = context.new_page()
    sign_in(inbox, RunningApp(cluster.proxy_url, ""), "nok@vschool.test")
    inbox.click("#nav-inbox")
    expect(inbox.locator("#inbox-empty")).to_be_visible()

    sim = cluster.hosts["simulator"].simulator_url  # it posts to app1's webhook: host A
    psid = httpx.post(f"{sim}/_sim/customers", json={"name": "สมหญิง หลายเครื่อง"}).json()["psid"]
    httpx.post(f"{sim}/_sim/customers/{psid}/say", json={"text": "สอบถามคอร์สซูชิค่ะ"}).raise_for_status()
    expect(inbox.locator(".conversation-item").first).to_contain_text("สอบถามคอร์สซูชิค่ะ", timeout=30_000)  # live
    _screenshot(inbox, "inbox-on-host-b-1280")
    inbox.set_viewport_size({"width": 390, "height": 844})
    expect(inbox.locator(".conversation-item").first).to_be_visible()
    _screenshot(inbox, "inbox-on-host-b-390")
    context.close()
    served = wait_until(lambda: _websockets_by_host(cluster) or None, timeout_s=15)
    assert set(served) == {"app2"}  # the tab's websocket was host B's, through the proxy
    with psycopg.connect(_database(cluster)) as conn:
        assert conn.execute("SELECT count(*) FROM inbound_event").fetchone()[0] >= 1


def test_a_sync_on_worker_host_b_changes_the_panel_served_by_host_a(cluster: Cluster, browser: Browser) -> None:
    context = _pinned(browser, cluster, "app1")
    panel: Page = context.new_page()
    sign_in(panel, RunningApp(cluster.proxy_url, ""), "fon@vschool.test")
    panel.click("#nav-marketing")
    expect(panel.locator("#empty-state")).to_be_visible()  # no ad figures yet
    cluster.pause("worker1", True)  # worker host A frozen: B runs the sync and the cache refresh
    try:
        _vschool(cluster, "worker2", "sync", "ads")
        expect(panel.locator("#kpi-spend")).to_be_visible(timeout=60_000)  # live, from B's refresh
        expect(panel.locator("#kpi-spend")).not_to_have_text("฿0")
        _screenshot(panel, "marketing-on-host-a-1280")
    finally:
        cluster.pause("worker1", False)
    assert (cluster.folder / "worker2" / "cache" / "analytics" / "summary.json").exists()  # refreshed on B…
    assert not (cluster.folder / "worker1" / "cache").exists()  # …and not on A
    context.close()


def test_worker_host_a_killed_mid_reply_still_gives_exactly_one_reply(cluster: Cluster) -> None:
    sim = cluster.hosts["simulator"].simulator_url
    db = _database(cluster)
    with psycopg.connect(db) as conn:
        conversation = conn.execute("SELECT id FROM conversation ORDER BY id LIMIT 1").fetchone()[0]
    httpx.post(f"{sim}/_sim/fail", json={"delay_ms": 4000}).raise_for_status()  # Meta is slow to answer
    cluster.pause("worker2", True)  # so worker host A takes the reply
    text = "มีค่ะ รอบเสาร์อาทิตย์เริ่ม 6 ธันวาคมค่ะ"
    code = (
        "from models.db import session_scope; from models.staff import StaffUser; from sqlmodel import select;"
        "from models.reply_rules import queue_staff_reply; from actors.outbound import send_message;"
        "s = session_scope().__enter__();"
        "u = s.exec(select(StaffUser).where(StaffUser.email == 'nok@vschool.test')).one();"
        f"m = queue_staff_reply(s, u, {conversation}, {text!r}); s.commit(); send_message.send(m.id)"
    )
    try:
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**cluster.env, "VSCHOOL_DATA_DIR": str(cluster.folder / "app1")}, check=True)

        def in_flight() -> bool:
            with psycopg.connect(db) as conn:
                row = conn.execute("SELECT attempts, status FROM outbound_send ORDER BY id DESC LIMIT 1").fetchone()
                return bool(row and row[0] == 1 and row[1] == "queued")

        wait_until(in_flight, timeout_s=30)
        cluster.crash("worker1")  # mid-call: Meta gets the message, worker host A never hears back
    finally:
        cluster.pause("worker2", False)

    def settled() -> bool:
        with psycopg.connect(db) as conn:
            return conn.execute("SELECT status FROM outbound_send ORDER BY id DESC LIMIT 1").fetchone()[0] == "sent"

    wait_until(settled, timeout_s=120, every_s=0.5)
    sent = [x["body"]["message"]["text"] for x in httpx.get(f"{sim}/_sim/sent").json()["sent"] if "message" in x["body"]]
    assert sent.count(text) == 1  # exactly one copy reached the customer


def test_two_schedulers_fired_each_job_once_and_the_survivor_took_over(cluster: Cluster) -> None:
    client = redis.Redis.from_url(cluster.env["REDIS_URL"])
    survivor = str(cluster.hosts["worker2"].processes[1].pid)  # worker host B's scheduler

    def relay_slots() -> set[int]:
        return {f["slot"] for f in fires(client) if f["job"] == relay_unprocessed_events.actor_name}

    # The survivor has fired, and the 10-second relay has had at least three slots in all
    wait_until(lambda: any(f":{survivor}:" in f["lease"] for f in fires(client)) and len(relay_slots()) >= 3, timeout_s=90)
    runs = Counter((f["job"], f["slot"]) for f in fires(client))
    assert max(runs.values()) == 1  # no run of any job fired twice, across both schedulers and the crash

"""`vschool bench push --hosts H --tabs T`: `announce()` → every open tab, across app hosts.

H app hosts (production backends, one process each, sharing PostgreSQL and Redis, as deploy/
runs them) and T signed-in staff tabs spread over them round-robin, each with its own session
(as staff on their own devices). A tab here is a socket client, not a browser: it speaks
Engine.IO/Socket.IO over a websocket to `/_event` with its session cookie, sends the page's
`hydrate_and_load` for the Overview, answers pings, and stamps each state update it receives.
For each event the bench adds a customer and calls `announce("customer")`; every backend
process reads it off the stream and refreshes the tabs whose sockets it holds (ADR 019): their
Overview counter recomputes and the delta goes down each tab's socket. The figure is, per tab
and event, the arrival of the update carrying the new count minus the announce. `updated`
counts (tab, event) pairs seen; it must equal tabs × events. Baseline (same run): one Redis
RPUSH → BLPOP hop. Over the measured events the bench also reads where the CPU went
(vschool/bench/cpu_meter.py): app hosts, this client, PostgreSQL, Redis, per tab update.
"""
import argparse
import asyncio
import json
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

import websockets

from vschool.bench import bench_services, percentile
from vschool.bench.cpu_meter import Meter, per_component

HYDRATE = "reflex___state____state.hydrate_and_load"
COUNT = re.compile(r'"customers"\s*:\s*"([\d,]+)"')
EVENT_TIMEOUT_S = 10
LINK_TRIES, LINK_WAIT_S = 6, 20


class Tab:
    """One staff tab on one app host: the last customer count it was shown, and when."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port, self.cookie = port, cookie
        self.seen: dict[int, float] = {}  # customer count → arrival (epoch ms)
        self.ws: Any = None

    async def open(self) -> None:
        url = f"ws://127.0.0.1:{self.port}/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
        self.ws = await websockets.connect(url, additional_headers={"Cookie": self.cookie}, max_size=None, open_timeout=60)
        await self.ws.recv()  # Engine.IO open
        await self.ws.send("40/_event,")
        event = {"name": HYDRATE, "router_data": {"pathname": "/", "query": {}, "asPath": "/"}, "payload": {}}
        await self.ws.send("42/_event," + json.dumps(["event", event]))

    async def listen(self) -> None:
        async for raw in self.ws:
            if raw == "2":
                await self.ws.send("3")  # pong
                continue
            for match in COUNT.finditer(raw):
                self.seen.setdefault(int(match.group(1).replace(",", "")), time.time() * 1000)


async def _run(ports: list[int], cookies: list[str], events: int, add_customer: Any, announce: Any,
               meter: Meter) -> tuple[list[float], int, dict[str, float]]:
    tabs = len(cookies)
    clients = [Tab(ports[n % len(ports)], cookie) for n, cookie in enumerate(cookies)]
    for batch in range(0, tabs, 20):  # a few at a time, as staff arrive
        await asyncio.gather(*(tab.open() for tab in clients[batch:batch + 20]))
    listeners = [asyncio.create_task(tab.listen()) for tab in clients]
    latencies: list[float] = []
    updated = 0
    try:
        for _ in range(LINK_TRIES):  # every tab linked to the feed (hydrated, on_load run)
            count = await asyncio.to_thread(add_customer)
            await asyncio.to_thread(announce)
            end = time.monotonic() + LINK_WAIT_S
            while not all(count in tab.seen for tab in clients) and time.monotonic() < end:
                await asyncio.sleep(0.05)
            if all(count in tab.seen for tab in clients):
                break
        else:
            raise TimeoutError(f"{sum(count in t.seen for t in clients)} of {tabs} tabs linked to the feed")
        before = await asyncio.to_thread(meter.read)
        for _ in range(events):
            count = await asyncio.to_thread(add_customer)
            t0 = time.time() * 1000
            await asyncio.to_thread(announce)
            end = time.monotonic() + EVENT_TIMEOUT_S
            while not all(count in tab.seen for tab in clients) and time.monotonic() < end:
                await asyncio.sleep(0.005)
            arrived = [tab.seen[count] - t0 for tab in clients if count in tab.seen]
            latencies += arrived
            updated += len(arrived)
            await asyncio.sleep(0.3)
        components = per_component(before, await asyncio.to_thread(meter.read), updated, events)
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*(tab.ws.close() for tab in clients), return_exceptions=True)
    return latencies, updated, components


def bench_push_hosts(args: argparse.Namespace) -> dict[str, Any]:
    from vschool.bench.push import _redis_hop_ms, _staff_password

    hosts, tabs, events = args.hosts or 1, args.tabs or 200, args.events or 20
    with bench_services() as scratch:
        from actors.push import announce
        from models.customer_rules import find_or_create_customer
        from models.db import session_scope
        from models.enums import Channel
        from vschool.auth import SESSION_COOKIE, open_session, sign_in
        from vschool.harness import start_app

        password = _staff_password()
        with session_scope() as session:  # each tab its own session, as staff on their own devices
            user, token = sign_in(session, "bench@vschool.local", password)
            cookies = [f"{SESSION_COOKIE}={token}"] + [f"{SESSION_COOKIE}={open_session(session, user)}" for _ in range(tabs - 1)]
        added = [0]

        def add_customer() -> int:
            added[0] += 1
            with session_scope() as session:
                find_or_create_customer(session, Channel.FACEBOOK, "BENCHPAGE", f"98{added[0]:015d}")
            return added[0]

        hop_ms = _redis_hop_ms()
        apps = []
        try:
            for n in range(hosts):
                apps.append(start_app(Path(scratch) / f"app{n + 1}", frontend=False, worker=False, production=True, backend_processes=1,
                                      data_dir=Path(scratch) / f"app{n + 1}"))
            ports = [int(app.backend_url.rsplit(":", 1)[1]) for app in apps]
            meter = Meter([proc.pid for app in apps for proc in app.processes], Path(scratch), os.environ["REDIS_URL"])
            latencies, updated, components = asyncio.run(_run(ports, cookies, events, add_customer, lambda: announce("customer", 0), meter))
        finally:
            for app in apps:
                app.stop()
    return {
        "bench": "push",
        "hosts": hosts,
        "tabs": tabs,
        "events": events,
        "updated": updated,
        "expected": tabs * events,
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "baseline_redis_hop_p50_ms": round(hop_ms, 3),
        "backend": "reflex --env prod, 1 process per host",
        **components,
    }

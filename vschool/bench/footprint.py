"""`vschool bench footprint`: the memory of the small-machine production stack under traffic.

The production profile for a 2 GB VPS (README): the backend alone in production mode with one
process (`GRANIAN_WORKERS=1`; nginx serves the exported pages), `vschool worker --processes 1`
(the customers' pool, one process × 4 threads, plus the background pool), one scheduler,
PostgreSQL and Redis. No dev frontend server, no simulator, no knowledge watcher in the figure
(the simulator runs, as Meta, but is not counted).

Mixed traffic for `--seconds` (120): customers' messages through the signed webhook, each
answered by the AI at L3 and sent through the Send API (a reply), and staff reads of the REST
API (customers, conversations, messages: what a page load reads). The figure is the proportional
set size (PSS) summed over every process of the stack, from /proc/PID/smaps_rollup: a page
shared by forked processes counts once in total, split between them. Same-run baselines: the
same stack idle, right after it started, and the plain resident sizes (RSS), which count shared
pages once per process.
"""

import argparse
import time
from pathlib import Path
from typing import Any

import httpx

from vschool.bench import bench_services
from vschool.bench.e2e import QUESTION, _prepare_ai

TARGET_MB = 1000
RATE_PER_S = 1.0  # customer messages per second (each brings a reply)
READS_PER_S = 2.0  # REST reads per second


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; (0, 0) if it is gone."""
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


def _processes() -> dict[int, tuple[int, int]]:
    """pid → (session id, parent pid) of every process on the machine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                found[int(entry.name)] = (int(fields[3]), int(fields[1]))
            except (OSError, ValueError, IndexError):
                continue
    return found


def stack_memory(parts: dict[str, set[int]], services_dir: Path) -> dict[str, tuple[int, int]]:
    """(PSS, RSS) in kB per part: `parts` names process sessions; PostgreSQL (the postmaster of
    `services_dir` and its children) and Redis (its pid file) are found by their files."""
    procs = _processes()
    members: dict[str, set[int]] = {name: {pid for pid, (sid, _) in procs.items() if sid in sessions} for name, sessions in parts.items()}
    postmaster = int((services_dir / "pg" / "postmaster.pid").read_text().split()[0])
    members["postgres"] = {postmaster} | {pid for pid, (_, parent) in procs.items() if parent == postmaster}
    members["redis"] = {int((services_dir / "run" / "redis.pid").read_text().strip())}
    totals = {}
    for name, pids in members.items():
        sizes = [_memory_kb(pid) for pid in pids]
        totals[name] = (sum(s[0] for s in sizes), sum(s[1] for s in sizes))
    return totals


def _traffic(sim: httpx.Client, api: httpx.Client, seconds: float) -> dict[str, int]:
    """Messages (each answered) and REST reads at a steady pace for `seconds`."""
    said = reads = 0
    start = time.monotonic()
    psids: list[str] = []
    next_message = next_read = start
    while (now := time.monotonic()) < start + seconds:
        if now >= next_message:
            psid = sim.post("/_sim/customers", json={"name": f"ลูกค้า {said}"}).json()["psid"]
            sim.post(f"/_sim/customers/{psid}/say", json={"text": QUESTION}).raise_for_status()
            psids.append(psid)
            said += 1
            next_message += 1 / RATE_PER_S
        if now >= next_read:
            path = ("/api/v1/customers", "/api/v1/conversations", "/api/v1/orders")[reads % 3]
            api.get(path).raise_for_status()
            reads += 1
            next_read += 1 / READS_PER_S
        time.sleep(max(0.0, min(next_message, next_read) - time.monotonic()))
    replied = {x["body"]["recipient"]["id"] for x in sim.get("/_sim/sent").json()["sent"] if "message" in x["body"]}
    return {"messages": said, "replies": len(replied & set(psids)), "reads": reads}


def _api_token() -> str:
    from models.db import session_scope
    from models.enums import Role
    from vschool.api_tokens import create_token

    with session_scope() as session:
        _, token = create_token(session, None, Role.ADMIN, "footprint bench")
    return token


def _mb(kb: int) -> float:
    return round(kb / 1024, 1)


def bench_footprint(args: argparse.Namespace) -> dict[str, Any]:
    from vschool.harness import start_app

    seconds = args.seconds or 120
    with bench_services() as scratch:
        _prepare_ai()
        token = _api_token()
        app = start_app(Path(scratch) / "logs", frontend=False, worker=True, scheduler=True, simulator=True, worker_processes=1,
                        data_dir=Path(scratch), production=True, backend_processes=1)
        try:
            backend, worker, scheduler, _simulator = (proc.pid for proc in app.processes)
            parts = {"backend": {backend}, "workers": {worker}, "scheduler": {scheduler}}
            idle = stack_memory(parts, Path(scratch))
            with httpx.Client(base_url=app.simulator_url, timeout=10) as sim, \
                 httpx.Client(base_url=app.backend_url, timeout=10, headers={"Authorization": f"Bearer {token}"}) as api:
                done = _traffic(sim, api, seconds)
            busy = stack_memory(parts, Path(scratch))
        finally:
            app.stop()
    pss = sum(p for p, _ in busy.values())
    return {
        "bench": "footprint",
        "pss_mb": _mb(pss),
        "target_pss_mb": TARGET_MB,
        "idle_pss_mb": _mb(sum(p for p, _ in idle.values())),
        "rss_mb": _mb(sum(r for _, r in busy.values())),
        **{f"{name}_pss_mb": _mb(p) for name, (p, _) in busy.items()},
        "seconds": seconds,
        **done,
        "profile": "backend --env prod ×1 process, worker --processes 1 (+ background pool), scheduler, PostgreSQL, Redis",
    }

"""`vschool bench webhook`: signed events per second through the real `/webhooks/messenger` of
the Reflex backend (production mode, 2 workers), with wrk on the same 2 cores; then lost and
duplicated events counted in the database. The same-run baseline is a minimal endpoint doing
signature + parse + one INSERT + one RPUSH under uvicorn ×2."""

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from vschool.bench import bench_services

WRK_SCRIPT = """
local bodies, sigs = {}, {}
local counter = 0
local thread_count, thread_id = 1, 0
local ids = 0
function setup(thread)
  thread:set("id", ids); ids = ids + 1
end
function init(args)
  thread_id = id; thread_count = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n %% thread_count == thread_id then
      local tab = line:find("\\t")
      sigs[#sigs + 1] = line:sub(1, tab - 1); bodies[#bodies + 1] = line:sub(tab + 1)
    end
    n = n + 1
  end
end
function request()
  counter = counter + 1
  local i = ((counter - 1) %% #bodies) + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[i]}, bodies[i])
end
"""


def _write_bodies(path: Path, count: int, secret: bytes, page_id: str) -> None:
    with path.open("w") as fh:
        for n in range(count):
            event = {"sender": {"id": f"2400000{n % 5000:010d}"}, "recipient": {"id": page_id}, "timestamp": 1_795_000_000_000 + n,
                     "message": {"mid": f"m_bench_{n}", "text": f"สวัสดีค่ะ สนใจคอร์สซูชิรอบเดือนหน้าค่ะ #{n}"}}
            raw = json.dumps({"object": "page", "entry": [{"id": page_id, "time": event["timestamp"], "messaging": [event]}]}, ensure_ascii=False)
            fh.write("sha256=" + hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest() + "\t" + raw + "\n")


def _wrk(url: str, bodies: Path, threads: int, connections: int, seconds: int, scratch: Path) -> dict[str, float]:
    script = scratch / "signed.lua"
    script.write_text(WRK_SCRIPT.replace("%%", "%"))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url, "--", str(bodies), str(threads)],
        capture_output=True, text=True, check=True,
    ).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"), "p99": ms("99%"), "requests": requests,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def _wait(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.post(url, content=b"{}", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer")


def _stop(proc: subprocess.Popen) -> None:
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def bench_webhook(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("This benchmark needs wrk: apt-get install -y wrk")
    from models.settings import get_settings
    from vschool.dev import ROOT, child_environment
    from vschool.harness import free_port

    seconds, connections, count = args.seconds or 15, args.connections, args.events or 120_000
    with bench_services() as scratch:
        settings = get_settings()
        secret = settings.meta_app_secret.get_secret_value().encode()
        db_url = settings.database_url
        bodies = Path(tempfile.mkdtemp(prefix="vschool-wrk-")) / "bodies.tsv"
        _write_bodies(bodies, count, secret, settings.page_id)
        env = child_environment({"database_url": db_url, "redis_url": settings.redis_url})
        env.update(VSCHOOL_DATA_DIR=str(scratch), GRANIAN_WORKERS="2", BENCH_APP_SECRET=secret.decode(),
                   BENCH_DATABASE_URL=db_url.replace("postgresql+psycopg://", "postgresql://"))
        log = (scratch / "bench.log").open("ab")

        # Baseline first: a bare endpoint under uvicorn ×2.
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS bench_baseline_event (id bigserial PRIMARY KEY, dedupe_key text UNIQUE, payload jsonb, received_at timestamptz DEFAULT now())")
        port = free_port()
        base = subprocess.Popen([sys.executable, "-m", "uvicorn", "vschool.bench.minimal_webhook:app", "--port", str(port), "--workers", "2",
                                 "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            _wait(f"http://127.0.0.1:{port}/webhooks/messenger")
            baseline = _wrk(f"http://127.0.0.1:{port}/webhooks/messenger", bodies, 2, connections, seconds, bodies.parent)
        finally:
            _stop(base)

        # Ours: the real backend in production mode.
        port = free_port()
        ours_proc = subprocess.Popen([str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", "--backend-only", "--backend-port", str(port),
                                      "--loglevel", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            _wait(f"http://127.0.0.1:{port}/webhooks/messenger")
            with psycopg.connect(db_url, autocommit=True) as conn:
                conn.execute("TRUNCATE inbound_event")
            ours = _wrk(f"http://127.0.0.1:{port}/webhooks/messenger", bodies, 2, connections, seconds, bodies.parent)
        finally:
            _stop(ours_proc)
        with psycopg.connect(db_url) as conn:
            stored, distinct = conn.execute(
                "SELECT count(*), count(DISTINCT payload->'message'->>'mid') FROM inbound_event"
            ).fetchone()
        shutil.rmtree(bodies.parent, ignore_errors=True)

    # wrk counts answers received before it stops; requests still in flight then were stored
    # too, so stored >= acked. Lost: acked but not stored. Duplicated: one message stored twice.
    acked = ours["requests"] - ours["non_2xx"]
    distinct_acked = min(acked, count)  # past `count` requests wrk cycles through the same bodies
    return {
        "bench": "webhook",
        "events_per_s": round(ours["rps"]),
        "p50_ms": round(ours["p50"], 1),
        "p99_ms": round(ours["p99"], 1),
        "acked": acked,
        "non_2xx": ours["non_2xx"],
        "socket_errors": ours["socket_errors"],
        "stored": stored,
        "lost": max(0, distinct_acked - distinct),
        "duplicated": stored - distinct,
        "baseline_events_per_s": round(baseline["rps"]),
        "baseline_p99_ms": round(baseline["p99"], 1),
        "ratio": round(ours["rps"] / baseline["rps"], 2) if baseline["rps"] else None,
        "seconds": seconds,
        "connections": connections,
        "server_workers": 2,
    }

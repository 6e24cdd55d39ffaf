"""Run the real app (Reflex frontend + backend) and a worker on free ports, for browser tests
and benchmarks. The caller provides the services (DATABASE_URL/REDIS_URL in the environment)."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from vschool.dev import ROOT, child_environment
from vschool.workers import BACKGROUND_PROCESSES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningApp:
    frontend_url: str
    backend_url: str
    simulator_url: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    log_path: Path | None = None
    worker_processes: int = 0  # how many worker processes (both pools) must have booted (warm) before it is ready
    redis_url: str = ""

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


WORKER_TIMEOUT_MS = 1000  # `vschool worker`'s default idle poll (the doorbell wakes it sooner)


def start_app(
    log_dir: Path,
    *,
    frontend: bool = True,
    worker: bool = True,
    scheduler: bool = False,
    simulator: bool = False,
    worker_timeout_ms: int = WORKER_TIMEOUT_MS,
    worker_processes: int = 1,
    worker_threads: int = 4,
    data_dir: Path | None = None,
    addresses: dict[str, str] | None = None,
    timeout_s: float = 600,
    production: bool = False,
    backend_processes: int = 2,
) -> RunningApp:
    """Start `reflex run` (dev mode; `frontend=False`: the backend alone) and optionally a
    worker and the scheduler, against `addresses` (default: DATABASE_URL/REDIS_URL); return once
    the app answers. `production=True` runs the backend the way a school runs it (`--env prod`,
    `backend_processes` processes; backend only).
    Logs go to `log_dir`."""
    frontend_port, backend, simulator_port = free_port(), free_port(), free_port()
    env = child_environment(
        addresses or {"database_url": os.environ["DATABASE_URL"], "redis_url": os.environ["REDIS_URL"]}
    )
    env.update(VSCHOOL_PORT=str(frontend_port), VSCHOOL_BACKEND_PORT=str(backend), VSCHOOL_SIMULATOR_PORT=str(simulator_port))
    if data_dir is not None:
        env["VSCHOOL_DATA_DIR"] = str(data_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    app_log = log_dir / "app.log"
    # What is measured or tested is the code as it was at start: no hot reload when files change.
    (log_dir / "no-reload").mkdir(exist_ok=True)
    env["REFLEX_HOT_RELOAD_OVERRIDE_PATHS"] = str(log_dir / "no-reload")
    reflex = [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod" if production else "dev", "--loglevel", "warning"]
    if production:
        if frontend:
            raise ValueError("production=True starts the backend alone (a production frontend needs an export)")
        env["GRANIAN_WORKERS"] = str(backend_processes)
    if frontend:
        reflex += ["--frontend-port", str(frontend_port), "--backend-port", str(backend)]
    else:
        reflex += ["--backend-only", "--backend-port", str(backend)]
    commands = [reflex]
    if worker:
        commands.append([sys.executable, "-m", "vschool.cli", "worker", "--processes", str(worker_processes), "--threads", str(worker_threads),
                         "--worker-timeout", str(worker_timeout_ms)])
    if scheduler:
        commands.append([sys.executable, "-m", "vschool.cli", "scheduler"])
    if simulator:
        commands.append([sys.executable, "-m", "vschool.cli", "simulator"])
    running = RunningApp(
        f"http://localhost:{frontend_port}" if frontend else "",
        f"http://localhost:{backend}",
        simulator_url=f"http://127.0.0.1:{simulator_port}" if simulator else "",
        log_path=app_log,
        worker_processes=worker_processes + BACKGROUND_PROCESSES if worker else 0,
        redis_url=env["REDIS_URL"],
    )
    with open(app_log, "ab") as log:
        for cmd in commands:
            running.processes.append(
                subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            )
    try:
        wait_ready(running, timeout_s)
    except BaseException:
        running.stop()
        raise
    return running


def booted_workers(redis_url: str, sessions: set[int]) -> int:
    """Worker processes that finished booting (warm-up included) in these process sessions
    (the pids of processes started with `start_new_session`): their heartbeat key names their pid."""
    import redis

    from actors.broker import HEARTBEAT_PREFIX

    booted = 0
    with redis.Redis.from_url(redis_url, socket_timeout=2) as client:
        try:
            keys = list(client.scan_iter(f"{HEARTBEAT_PREFIX}*"))
        except redis.RedisError:
            return 0  # not up yet: ask again
    for key in keys:
        pid = key.decode().rsplit(":", 1)[-1]
        try:
            session = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])
        except (OSError, ValueError, IndexError):
            continue
        booted += session in sessions
    return booted


def wait_ready(running: RunningApp, timeout_s: float) -> None:
    """Until every part `running` has answers (backend, simulator, frontend, booted workers);
    raises with the log's tail if one of its processes exits meanwhile."""
    deadline = time.monotonic() + timeout_s
    pending = {f"{running.backend_url}/ping"} if running.backend_url else set()
    if running.simulator_url:
        pending.add(f"{running.simulator_url}/_sim/ads")
    if running.frontend_url:
        pending.add(f"{running.frontend_url}/login")
    if running.worker_processes:
        pending.add("workers")
    while pending:
        for proc in running.processes:
            if proc.poll() is not None:
                tail = running.log_path.read_text(errors="replace")[-3000:] if running.log_path else ""
                raise RuntimeError(f"the app exited while starting (code {proc.returncode}):\n{tail}")
        for url in list(pending):
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    pending.discard(url)
            except httpx.HTTPError:
                pass
        if "workers" in pending and booted_workers(running.redis_url, {proc.pid for proc in running.processes}) >= running.worker_processes:
            pending.discard("workers")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not answer within {timeout_s:.0f} s: {sorted(pending)}")
        time.sleep(0.5)

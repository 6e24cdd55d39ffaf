"""`vschool dev`: the whole product in one process tree.

Starts (or reuses) the embedded services, migrates, creates the first admin, then runs the
Reflex app, a worker and the scheduler as child processes. SIGINT/SIGTERM stops every child and
the services it started itself; a second run reuses the data.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from models.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / ".tools" / "node_modules" / ".bin"
CODE_PATHS = ("vschool", "actors", "models", "cache", "knowledge", "logs")


def child_environment(addresses: dict[str, str]) -> dict[str, str]:
    """What every child needs: the services' addresses, Node 22 first on PATH, npm for Reflex."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=addresses["database_url"],
        REDIS_URL=addresses["redis_url"],
        VSCHOOL_DATA_DIR=str(get_settings().data_dir.resolve()),
        PATH=f"{NODE_BIN}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
        # Reload the backend for code changes only: data folders (database, Redis, logs) change
        # all the time and must never restart it.
        REFLEX_HOT_RELOAD_OVERRIDE_PATHS=os.pathsep.join(str(ROOT / p) for p in CODE_PATHS),
    )
    return env


def ensure_first_admin() -> None:
    """On an empty installation, create an admin and print the credentials once."""
    from sqlmodel import select

    from models.db import session_scope
    from models.enums import Role
    from models.staff import StaffUser
    from vschool.staff import create_staff

    with session_scope() as session:
        if session.exec(select(StaffUser.id).limit(1)).first() is not None:
            return
        password = secrets.token_urlsafe(12)
        create_staff(session, None, "admin@vschool.local", "V School Admin", Role.ADMIN, password)
    print(
        "\n  First admin created (shown once; change it or add people under Admin → Staff):\n"
        f"    e-mail:   admin@vschool.local\n    password: {password}\n",
        flush=True,
    )


def ensure_demo_data() -> None:
    """The embedded default starts with a populated school, once (never on an external database)."""
    from models.db import session_scope
    from vschool.demo import demo_loaded, load_demo_data

    with session_scope() as session:
        if not demo_loaded(session):
            load_demo_data(session)
            print("  Demo data loaded (customers, chats, catalog, orders): `vschool demo-data` adds more.", flush=True)
    from cache.marketing import refresh_marketing_snapshots

    refresh_marketing_snapshots()  # the marketing panel opens on today's figures


def ensure_demo_knowledge() -> None:
    """The embedded default's knowledge folder starts with the demo knowledge base (once: a
    folder that exists, even empty, is the school's own). The watcher child indexes it."""
    from knowledge.watch import knowledge_folder, seed_demo_folder

    folder = knowledge_folder()
    if seed_demo_folder(folder):
        print(f"  Demo knowledge base copied to {folder} (indexed by the watcher; edit or add files there).", flush=True)


def reflex_command(backend_only: bool) -> list[str]:
    settings = get_settings()
    cmd = [str(Path(sys.executable).parent / "reflex"), "run", "--env", "dev", "--loglevel", "warning"]
    if backend_only:
        return [*cmd, "--backend-only", "--backend-port", str(settings.backend_port)]
    return [*cmd, "--frontend-port", str(settings.port), "--backend-port", str(settings.backend_port)]


def run_dev(backend_only: bool = False) -> int:
    from models.db import reset_engine
    from vschool import services
    from vschool.migrations import upgrade_to_head

    settings = get_settings()
    external = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
    started_services = False
    if external:
        addresses = {"database_url": settings.database_url, "redis_url": settings.redis_url}
    else:
        started_services = not services.status(settings.data_dir).running
        addresses = services.start(settings.data_dir)
    os.environ.update(DATABASE_URL=addresses["database_url"], REDIS_URL=addresses["redis_url"])
    get_settings.cache_clear()
    reset_engine()
    upgrade_to_head()
    ensure_first_admin()
    if not external:
        ensure_demo_data()
        ensure_demo_knowledge()

    env = child_environment(addresses)
    python = sys.executable
    children = {
        "worker": [python, "-m", "vschool.cli", "worker"],
        "scheduler": [python, "-m", "vschool.cli", "scheduler"],
        "kb-watch": [python, "-m", "vschool.cli", "kb", "watch"],  # indexes {data_dir}/knowledge
        "app": reflex_command(backend_only),
    }
    if settings.uses_simulator:  # no Page token: Meta is the built-in simulator
        children["simulator"] = [python, "-m", "vschool.cli", "simulator"]
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True) for name, cmd in children.items()}
    url = f"http://localhost:{settings.backend_port}" if backend_only else f"http://localhost:{settings.port}"
    print(f"\n  V School CRM is starting at {url}  (Ctrl-C stops everything)", flush=True)
    if settings.uses_simulator:
        print(f"  Customer phone (Meta simulator): http://127.0.0.1:{settings.simulator_port}/phone\n", flush=True)

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"  {name} exited with code {proc.returncode}; stopping the rest.", file=sys.stderr)
                exit_code, stopping = 1, True
                break
        time.sleep(0.3)
    _stop_children(procs)
    if started_services:
        services.stop(settings.data_dir)
    print("  Stopped.", flush=True)
    return exit_code


def _stop_children(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

"""Real PostgreSQL and Redis for the whole test session.

When DATABASE_URL and REDIS_URL are set they are used; otherwise the embedded services are
started in a temporary data folder and stopped at the end. This happens when this file is
imported — before any other conftest or test module — because the settings and the broker read
the environment at import: a later start would leave them pointing at the developer's `var/`. Each test that asks for `db` gets clean
tables and an empty Redis.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
_started: dict[str, Path] = {}


def _start_services() -> None:
    os.chdir(ROOT)
    # Our own ports for the simulator and the backend it posts to: never a developer's running app.
    from vschool.harness import free_port

    os.environ["VSCHOOL_SIMULATOR_PORT"] = str(free_port())
    os.environ["VSCHOOL_BACKEND_PORT"] = str(free_port())
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        os.environ.setdefault("VSCHOOL_DATA_DIR", tempfile.mkdtemp(prefix="vschool-test-"))
        return
    from vschool import services

    data_dir = Path(tempfile.mkdtemp(prefix="vschool-test-"))
    addresses = services.start(data_dir)
    _started["data_dir"] = data_dir
    os.environ.update(
        DATABASE_URL=addresses["database_url"],
        REDIS_URL=addresses["redis_url"],
        VSCHOOL_DATA_DIR=str(data_dir),
    )
    from vschool.migrations import upgrade_to_head

    upgrade_to_head()


_start_services()


def pytest_unconfigure(config: pytest.Config) -> None:
    data_dir = _started.pop("data_dir", None)
    if data_dir is None:
        return
    from vschool import services

    services.stop(data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in this thread for
    the rest of the session, after which asyncio-based tests could not run."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


KEPT_TABLES = {"staff_role", "alembic_version"}


@pytest.fixture
def db() -> Iterator[None]:
    """Clean tables (roles kept), no login lock-outs and no pending UI events before the test.
    (Redis is not flushed: a running app's and worker's keys stay theirs.)"""
    import redis
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from models.db import get_engine

    names = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in KEPT_TABLES]
    with get_engine().begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    stale = [*client.scan_iter("vschool:login-failures:*"), "vschool:ui-events"]
    client.delete(*stale)
    yield


@pytest.fixture
def worker(db: None) -> Iterator[subprocess.Popen]:
    """A real `vschool worker` process over Redis, stopped after the test."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "vschool.cli", "worker", "--processes", "1", "--threads", "2"],
        cwd=ROOT,
        start_new_session=True,
    )
    _wait_for_heartbeats(proc)
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="session")
def simulator() -> Iterator[str]:
    """The Meta simulator (`vschool simulator`) on the test session's simulator port."""
    import httpx

    from models.settings import get_settings

    url = f"http://127.0.0.1:{get_settings().simulator_port}"
    proc = subprocess.Popen([sys.executable, "-m", "vschool.cli", "simulator"], cwd=ROOT, start_new_session=True)
    wait_until(lambda: _answers(httpx, f"{url}/_sim/ads"), timeout_s=30)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _answers(httpx, url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_for_heartbeats(proc: subprocess.Popen, timeout_s: float = 30) -> None:
    """Until both pools of this `vschool worker` have booted (the customers' one process here
    and the background one)."""
    from vschool.harness import booted_workers
    from vschool.workers import BACKGROUND_PROCESSES

    deadline = time.monotonic() + timeout_s
    while booted_workers(os.environ["REDIS_URL"], {proc.pid}) < 1 + BACKGROUND_PROCESSES:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the worker's pools did not start within {timeout_s:.0f} s")
        time.sleep(0.1)


def wait_until(check, timeout_s: float = 15, every_s: float = 0.05):
    """Poll `check()` until it returns something truthy; fail the test with a clear message."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout_s} s: {check.__doc__ or check}")
        time.sleep(every_s)


def open_around_the_clock(database_url: str) -> None:
    """No opening hours and no holidays: the school counts as open at any hour, so tests that are
    not about hours get no out-of-hours reply whatever day they run on."""
    with psycopg.connect(database_url) as conn:
        conn.execute("DELETE FROM opening_period")
        conn.execute("DELETE FROM holiday")

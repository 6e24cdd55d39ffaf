"""The command line as a new user runs it: embedded services, `vschool dev` starting and
stopping the whole process tree on its own data folder, and bad input answered with exit 2 and
one line."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import ROOT, wait_until
from vschool.harness import free_port


def _own_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """An environment with no service URLs: the command must use the embedded ones."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(VSCHOOL_DATA_DIR=str(data_dir), VSCHOOL_SIMULATOR_PORT=str(free_port()), **extra)
    return env


def _vschool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vschool.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["sync", "ads", "--since", "notadate"], "'notadate' is not a day written YYYY-MM-DD"),
        (["sync", "ads", "--since", "2026-02-30"], "not a day of the calendar"),
        (["sync", "ads", "--since", "2026-03-01", "--until", "2026-01-01"], "is after until"),
        (["token", "revoke", "abc"], "'abc' is not a whole number"),
        (["token", "revoke", "99999999999999999999"], "out of range"),
        (["user", "create", "--email", "nok@vschool.test", "--role", "wizard"], "invalid choice: 'wizard'"),
        (["user", "create", "--email", "not-an-e-mail"], "Enter a valid e-mail address."),
        (["demo-data", "--customers", "-5"], "-5 is out of range"),
        (["bench", "timeline", "--customers", "99999999999999999999"], "out of range"),
        (["kb", "search", ""], "the text is empty"),
        (["worker", "--processes", "๒"], "is not a whole number (digits 0-9)"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: command"),
    ],
)
def test_bad_input_is_exit_2_and_one_line_saying_what_was_wrong(args: list[str], says: str) -> None:
    done = _vschool(dict(os.environ), *args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("vschool") and says in line


def test_unreadable_configuration_is_bad_input_and_a_real_no_is_not() -> None:
    done = _vschool({**os.environ, "VSCHOOL_PORT": "abc"}, "migrate")
    assert done.returncode == 2 and done.stderr.splitlines() == [done.stderr.strip()] and "VSCHOOL_PORT" in done.stderr
    nothing = _vschool(dict(os.environ), "token", "revoke", "424242")  # a fine id that names no token
    assert nothing.returncode == 1 and "nothing to revoke" in nothing.stderr


def test_services_start_status_env_stop(tmp_path: Path) -> None:
    env = _own_env(tmp_path)
    try:
        started = _vschool(env, "services", "start")
        assert started.returncode == 0, started.stderr
        assert _vschool(env, "services", "status").returncode == 0
        exported = _vschool(env, "services", "env").stdout
        assert "export DATABASE_URL=" in exported and "export REDIS_URL=" in exported
        shell = subprocess.run(
            ["bash", "-c", f'eval "$({sys.executable} -m vschool.cli services env)"; echo "$REDIS_URL"'],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )
        assert shell.stdout.strip().startswith("unix://") and str(tmp_path) in shell.stdout
    finally:
        _vschool(env, "services", "stop")
    assert _vschool(env, "services", "status").returncode == 1
    assert _vschool(env, "services", "env").returncode == 1


@pytest.mark.timeout(600)
def test_dev_backend_only_runs_everything_stops_cleanly_and_reuses_data(tmp_path: Path) -> None:
    port = free_port()
    env = _own_env(tmp_path, VSCHOOL_BACKEND_PORT=str(port))

    def run_once() -> str:
        log = tmp_path / f"dev-{time.monotonic_ns()}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "vschool.cli", "dev", "--backend-only"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True,
        )
        try:
            def healthy() -> bool:
                if proc.poll() is not None:
                    pytest.fail(f"vschool dev exited early ({proc.returncode}):\n{log.read_text()[-3000:]}")
                try:
                    body = httpx.get(f"http://localhost:{port}/healthz", timeout=2).json()
                    return body["status"] == "ok" and body["workers"] >= 1
                except (httpx.HTTPError, ValueError):
                    return False

            wait_until(healthy, timeout_s=300, every_s=0.5)
            children = psutil.Process(proc.pid).children(recursive=True)
            assert len(children) >= 3  # app, worker, scheduler (and their own children)
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        output = log.read_text()
        assert proc.returncode == 0, output
        time.sleep(0.5)
        assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        return output

    first = run_once()
    assert "First admin created" in first and "admin@vschool.local" in first
    assert _vschool(env, "services", "status").returncode == 1  # dev stopped what it started
    second = run_once()
    assert "First admin created" not in second  # the data was kept and reused

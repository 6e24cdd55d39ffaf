"""`vschool worker` runs two pools: the customers' queue at normal CPU priority, receipts and
bulk work at a lower one (ADR 010). Stopping it stops both; one pool dying stops the worker."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, _wait_for_heartbeats, wait_until
from vschool.workers import BACKGROUND_NICE, BACKGROUND_PROCESSES


def _pools(worker: subprocess.Popen) -> dict[str, list[int]]:
    """Nice value of every process of this worker, by the queues its Dramatiq master serves."""
    pools: dict[str, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if int(fields[3]) != worker.pid or "dramatiq" not in command:
            continue
        queues = " ".join(command[command.index("--queues") + 1 :]).strip()
        pools.setdefault(queues, []).append(int(fields[16]))
    return pools


def test_the_worker_runs_customers_first_and_receipts_at_a_lower_priority(worker: subprocess.Popen) -> None:
    pools = _pools(worker)
    assert set(pools) == {"interactive", "receipts bulk"}
    assert set(pools["interactive"]) == {0}
    assert set(pools["receipts bulk"]) == {BACKGROUND_NICE}
    assert len(pools["interactive"]) >= 2 and len(pools["receipts bulk"]) >= 2  # each master and its processes


def test_when_one_pool_dies_the_whole_worker_stops(worker: subprocess.Popen) -> None:
    masters = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and _parent(entry) == worker.pid
    ]
    assert len(masters) == 2
    os.kill(masters[1], signal.SIGKILL)
    assert wait_until(lambda: worker.poll() is not None, timeout_s=30)
    assert worker.returncode != 0
    assert wait_until(lambda: not _pools(worker), timeout_s=30), "the other pool was left running"


def _parent(entry: Path) -> int | None:
    try:
        return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return None


def test_ctrl_c_stops_both_pools_gracefully(db: None) -> None:
    """Ctrl-C in a terminal signals the whole foreground group: each Dramatiq master must get
    the stop once (a second signal is Dramatiq's "kill now", which abandons running messages)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "vschool.cli", "worker", "--processes", "1", "--threads", "1"],
        cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for_heartbeats(proc)
        os.killpg(proc.pid, signal.SIGINT)
        _, log = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, log[-2000:]
    assert log.count("Stopping worker process") == 1 + BACKGROUND_PROCESSES, log[-2000:]
    assert "Killing worker process" not in log
    assert not _pools(proc)


def test_one_pool_of_chosen_queues_at_a_chosen_priority(db: None) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vschool.cli", "worker", "--queues", "receipts", "bulk", "--nice", "5", "--processes", "1", "--threads", "1"],
        cwd=ROOT, start_new_session=True,
    )
    try:
        wait_until(lambda: _pools(proc).get("receipts bulk", []).count(5) == 2, timeout_s=30)
        assert set(_pools(proc)) == {"receipts bulk"}  # no customers' pool: this machine runs receipts and bulk only
    finally:
        proc.terminate()
        proc.wait(timeout=30)

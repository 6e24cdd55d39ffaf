"""`vschool worker`: the Dramatiq worker pools (ADR 010).

Two pools by default, each a Dramatiq master with its own processes:
- the customers' pool serves `interactive` (replies, sends, relays: a person is waiting) at
  normal CPU priority, with `--processes` × `--threads`;
- the background pool serves `receipts` and `bulk` (ticks, reactions, profiles, ad sync, cache
  writes) at a lower CPU priority (nice 10): on a busy machine the kernel gives the cores to the
  reply first, and the ticks and profiles catch up a moment later. Idle cores still run it at
  full speed.

Separate processes, not just separate threads: a background thread holding a process's GIL
would hold up a reply in the same process whatever its priority.

`--queues` runs a single pool of just those queues (one pool per machine, say); `--nice` lowers
its priority.

Stopping: each master runs in a process group of its own, and SIGINT/SIGTERM sent to this
command (Ctrl-C in its terminal, `kill`, `docker stop`, `vschool dev`) is passed on to each
master exactly once, so each finishes its running messages (Dramatiq takes a second signal as
"kill now"). If this command dies, Linux tells the masters (parent-death signal) and they stop
too. If one pool dies, the other is stopped and the command exits non-zero, so a supervisor sees
the worker exit and restarts it whole.
"""

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence

QUEUES = ("interactive", "receipts", "bulk")
CUSTOMER_QUEUES = ("interactive",)
BACKGROUND_QUEUES = ("receipts", "bulk")
BACKGROUND_NICE = 10
BACKGROUND_PROCESSES = 1


def dramatiq_command(processes: int, threads: int, queues: Sequence[str] = ()) -> list[str]:
    command = [sys.executable, "-m", "dramatiq", "actors", "--processes", str(processes), "--threads", str(threads)]
    return command + (["--queues", *queues] if queues else [])


def run_one_pool(processes: int, threads: int, queues: Sequence[str], nice: int) -> None:
    """This process becomes the Dramatiq master of one pool (never returns)."""
    if nice:
        os.nice(nice)  # inherited by every process Dramatiq forks
    command = dramatiq_command(processes, threads, queues)
    os.execv(command[0], command)


PR_SET_PDEATHSIG = 1


def _as_a_pool(nice: int) -> Callable[[], None]:
    """What a pool's master does between fork and exec: stop when this command dies, and take
    its CPU priority."""

    def prepare() -> None:
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if nice:
            os.nice(nice)

    return prepare


def run_pools(processes: int, threads: int, background_threads: int) -> int:
    """The customers' pool and the background pool side by side, until both have stopped."""
    pools = [
        subprocess.Popen(
            dramatiq_command(size, pool_threads, queues),
            process_group=0,  # signals to this command's group reach the master once, from us
            preexec_fn=_as_a_pool(nice),
        )
        for size, pool_threads, queues, nice in (
            (processes, threads, CUSTOMER_QUEUES, 0),
            (BACKGROUND_PROCESSES, background_threads, BACKGROUND_QUEUES, BACKGROUND_NICE),
        )
    ]

    told: set[int] = set()

    def forward(signum: int, frame: object) -> None:
        """Pass a signal to this command on to every running master (a second Ctrl-C passes a
        second signal: Dramatiq's "stop now")."""
        for pool in pools:
            if pool.poll() is None:
                pool.send_signal(signum)
                told.add(pool.pid)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    code = 0
    while any(pool.poll() is None for pool in pools):
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        ended = next((pool for pool in pools if pool.pid == pid), None)
        if ended is None:
            continue
        ended.returncode = os.waitstatus_to_exitcode(status)
        code = code or ended.returncode
        for pool in pools:  # one pool alone is not a worker: stop the other too (once)
            if pool.poll() is None and pool.pid not in told:
                pool.send_signal(signal.SIGTERM)
                told.add(pool.pid)
    return code

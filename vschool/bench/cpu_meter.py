"""Where a bench's CPU went, per component, read from /proc and the servers' own counters.

A `Meter` reads, at two moments, the CPU time of: the app hosts' process trees, this (client)
process, PostgreSQL's postmaster and its backends, and the Redis server (its INFO), plus Redis's
command count and PostgreSQL's committed transactions. The difference between two readings says
which component a workload costs most, on the same machine, in the same run.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

import redis
import sqlalchemy as sa

from models.db import session_scope

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Reading:
    at: float
    app_s: float
    client_s: float
    postgres_s: float
    redis_s: float
    redis_commands: int
    postgres_commits: int


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a live process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) * TICK_S


def tree_cpu_s(roots: list[int]) -> float:
    """CPU seconds used so far by `roots` and all their descendants alive now."""
    parents: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))) is not None:
            parents.setdefault(found[0], []).append(int(entry))
            used[int(entry)] = found[1]
    total, stack, seen = 0.0, list(roots), set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += used.get(pid, 0.0)
        stack.extend(parents.get(pid, []))
    return total


class Meter:
    """Readings of the app hosts `app_pids` (process group leaders), this process, the services."""

    def __init__(self, app_pids: list[int], scratch: Path, redis_url: str) -> None:
        self.app_pids = app_pids
        self.redis = redis.Redis.from_url(redis_url)
        pid_files = list(scratch.rglob("postmaster.pid"))
        self.postmaster = int(pid_files[0].read_text().split()[0]) if pid_files else None

    def read(self) -> Reading:
        cpu = self.redis.info("cpu")
        stats = self.redis.info("stats")
        with session_scope() as session:
            commits = session.execute(sa.text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")).scalar_one()
        return Reading(
            at=time.monotonic(),
            app_s=tree_cpu_s(self.app_pids),
            client_s=_stat(os.getpid())[1],  # itself only: the app hosts and services are its children
            postgres_s=tree_cpu_s([self.postmaster]) if self.postmaster else 0.0,
            redis_s=float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"]),
            redis_commands=int(stats["total_commands_processed"]),
            postgres_commits=int(commits),
        )


def per_component(before: Reading, after: Reading, updates: int, events: int) -> dict[str, float]:
    """Flat bench figures: CPU ms per tab update by component, cores busy, counts per event."""
    wall = max(after.at - before.at, 1e-9)
    per = max(updates, 1)
    figures: dict[str, float] = {"window_s": round(wall, 2)}
    for name in ("app", "client", "postgres", "redis"):
        used = getattr(after, f"{name}_s") - getattr(before, f"{name}_s")
        figures[f"{name}_cpu_ms_per_update"] = round(used * 1000 / per, 3)
        figures[f"{name}_cores_busy"] = round(used / wall, 2)
    figures["redis_commands_per_update"] = round((after.redis_commands - before.redis_commands) / per, 2)
    figures["postgres_commits_per_event"] = round((after.postgres_commits - before.postgres_commits) / max(events, 1), 1)
    return figures

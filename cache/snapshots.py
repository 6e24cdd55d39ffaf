"""JSON snapshots shared by every host, with a local copy on each: written atomically, read
without the database, revalidated in the background (seed 002: cache-first,
stale-while-revalidate, offline read; ADR 013: coherent across hosts).

A snapshot under the cache folder lives in Redis (`vschool:snapshot:{path under cache/}`), which
every app and worker host shares, and in a file on each host that reads or writes it. Readers
ask Redis first, so a refresh on any host is what every host serves next (the `marketing`
announce that follows it reaches every host's tabs); the local file is rewritten whenever Redis
holds something else, and is what a host reads when Redis cannot be reached. PostgreSQL is
never needed to read. Snapshots outside the cache folder stay local files.

A reader never sees half a file: the new content goes to a temporary file in the same folder,
is fsynced, then `os.replace`d over the old one (atomic on POSIX), and the folder is fsynced so
the rename survives a crash. Every snapshot carries `generated_at` (UTC, ISO 8601) so a page can
say how old what it shows is.
"""

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import redis

from models.settings import get_settings

log = logging.getLogger("vschool.cache")
SHARED_PREFIX = "vschool:snapshot:"
SHARED_KEPT_S = 7 * 86_400  # a snapshot nobody rewrites for a week is dropped from Redis (recomputed when read)


def cache_root() -> Path:
    return get_settings().data_dir.resolve() / "cache"


def snapshot_path(*parts: str) -> Path:
    """`snapshot_path("analytics", "summary.json")` → {data_dir}/cache/analytics/summary.json.
    Parts may not climb out of the cache folder."""
    path = cache_root().joinpath(*parts)
    if cache_root() not in path.resolve().parents:
        raise ValueError(f"snapshot path outside the cache folder: {parts}")
    return path


def _shared() -> redis.Redis:
    return _client_for(get_settings().redis_url or "")


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    # Short timeouts: a host cut off from Redis falls back to its own copy quickly.
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def shared_key(path: Path) -> str | None:
    """The Redis key of a snapshot under the cache folder (None for any other path)."""
    try:
        relative = path.resolve().relative_to(cache_root())
    except ValueError:
        return None
    return SHARED_PREFIX + relative.as_posix()


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: money never passes through float
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_snapshot(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Write `data` (plus `generated_at` unless given) to `path` atomically, and to Redis when it is
    a shared snapshot (Redis first: other hosts see it next); return what was written. Redis
    being away is logged, not raised: this host's copy is still written and served."""
    body = {"generated_at": datetime.now(UTC).isoformat(), **data}
    text = json.dumps(body, ensure_ascii=False, default=json_default, separators=(",", ":"))
    key = shared_key(path)
    if key is not None:
        try:
            _shared().set(key, text.encode(), ex=SHARED_KEPT_S)
        except redis.RedisError as exc:
            log.warning("snapshot %s written on this host only: Redis unavailable (%s)", key, exc)
    _write_file(path, text)
    return body


def _write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def read_snapshot(path: Path) -> dict[str, Any] | None:
    """The snapshot at `path`, or None when there is none (or it cannot be parsed). A shared one
    comes from Redis (this host's copy brought up to date), or from the copy when Redis is away."""
    key = shared_key(path)
    if key is None:
        return _read_file(path)
    try:
        raw = _shared().get(key)
    except redis.RedisError:
        return _read_file(path)  # offline read: this host's last copy
    if raw is None:
        path.unlink(missing_ok=True)  # gone from the shared store (dropped, or never written)
        return None
    data = _parse(raw)
    if data is not None and _file_bytes(path) != raw:
        _write_file(path, raw.decode())
    return data


def _file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _read_file(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as f:
            data = json.loads(f.read())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def invalidate(path: Path) -> bool:
    """Remove one snapshot (or every snapshot under a folder), here and in Redis; True if
    something was removed on this host."""
    key = shared_key(path)
    if key is not None:
        shared = _shared()
        names = [key] if path.suffix == ".json" else list(shared.scan_iter(f"{key.rstrip('/')}/*"))
        if names:
            shared.delete(*names)
    if path.is_dir():
        removed = False
        for child in path.rglob("*.json"):
            child.unlink(missing_ok=True)
            removed = True
        return removed
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def age_s(snapshot: dict[str, Any], now: datetime | None = None) -> float | None:
    try:
        made = datetime.fromisoformat(snapshot["generated_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return ((now or datetime.now(UTC)) - made).total_seconds()


@dataclass
class Cached:
    data: dict[str, Any] | None
    stale: bool  # not fresh: being recomputed, or the recomputation failed
    error: str | None = None  # why fresh data could not be had (e.g. the database is down)
    refreshing: bool = False  # a background recomputation is running


_revalidating: set[Path] = set()
_failed: dict[Path, tuple[float, str]] = {}  # path → (monotonic time, error) of the last failure
_lock = threading.Lock()


def stale_while_revalidate(
    path: Path,
    compute: Callable[[], dict[str, Any]],
    max_age_s: float,
    *,
    fresh_after: datetime | None = None,
    on_done: Callable[[], None] | None = None,
    retry_after_s: float = 30,
) -> Cached:
    """Cache-first read (seed 002). A fresh snapshot (younger than `max_age_s` and, when given,
    written after `fresh_after`: e.g. the last time the data behind it changed) is returned as is. An older one is returned at once, marked stale, and
    recomputed in a background thread (one at a time per path) that calls `on_done()` when it
    ends, so the caller can tell its readers to look again. When the last recomputation failed
    less than `retry_after_s` ago, the old snapshot comes back with that error and nothing is
    retried yet (a database that is down is not hammered). With no snapshot at all, `compute()`
    runs now; if it fails, the error comes back with no data."""
    snapshot = read_snapshot(path)
    if snapshot is not None:
        age = age_s(snapshot)
        made = _generated_at(snapshot)
        written_after = fresh_after is None or (made is not None and made >= fresh_after)
        if age is not None and age <= max_age_s and written_after:
            return Cached(snapshot, stale=False)
        with _lock:
            failed = _failed.get(path)
        if failed and time.monotonic() - failed[0] < retry_after_s:
            return Cached(snapshot, stale=True, error=failed[1])
        started = _revalidate_in_background(path, compute, on_done)
        return Cached(snapshot, stale=True, refreshing=started or path in _revalidating)
    try:
        fresh = write_snapshot(path, compute())
    except Exception as exc:
        return Cached(None, stale=True, error=describe(exc))
    with _lock:
        _failed.pop(path, None)
    return Cached(fresh, stale=False)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"[:300]


def _generated_at(snapshot: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(snapshot["generated_at"])
    except (KeyError, TypeError, ValueError):
        return None


def _revalidate_in_background(path: Path, compute: Callable[[], dict[str, Any]], on_done: Callable[[], None] | None) -> bool:
    with _lock:
        if path in _revalidating:
            return False
        _revalidating.add(path)

    def run() -> None:
        try:
            write_snapshot(path, compute())
            with _lock:
                _failed.pop(path, None)
        except Exception as exc:
            with _lock:
                _failed[path] = (time.monotonic(), describe(exc))
        finally:
            with _lock:
                _revalidating.discard(path)
            if on_done is not None:
                try:
                    on_done()
                except Exception:
                    pass

    threading.Thread(target=run, name=f"revalidate:{path.name}", daemon=True).start()
    return True

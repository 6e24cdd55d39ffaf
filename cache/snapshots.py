"""JSON snapshots on disk: written atomically, read without the database, revalidated in the
background (seed 002: cache-first, stale-while-revalidate, offline read).

A reader never sees half a file: the new content goes to a temporary file in the same folder,
is fsynced, then `os.replace`d over the old one (atomic on POSIX), and the folder is fsynced so
the rename survives a crash. Every snapshot carries `generated_at` (UTC, ISO 8601) so a page can
say how old what it shows is.
"""

import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from models.settings import get_settings


def cache_root() -> Path:
    return get_settings().data_dir.resolve() / "cache"


def snapshot_path(*parts: str) -> Path:
    """`snapshot_path("analytics", "summary.json")` → {data_dir}/cache/analytics/summary.json.
    Parts may not climb out of the cache folder."""
    path = cache_root().joinpath(*parts)
    if cache_root() not in path.resolve().parents:
        raise ValueError(f"snapshot path outside the cache folder: {parts}")
    return path


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: money never passes through float
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_snapshot(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Write `data` (plus `generated_at` unless given) to `path` atomically; return what was written."""
    body = {"generated_at": datetime.now(UTC).isoformat(), **data}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False, default=json_default, separators=(",", ":"))
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
    return body


def read_snapshot(path: Path) -> dict[str, Any] | None:
    """The snapshot at `path`, or None when there is none (or it cannot be parsed)."""
    try:
        with path.open("rb") as f:
            data = json.loads(f.read())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def invalidate(path: Path) -> bool:
    """Remove one snapshot (or every snapshot under a folder); True if something was removed."""
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
    stale: bool  # older than max_age, or the fresh computation failed
    error: str | None = None  # why fresh data could not be had (e.g. the database is down)


_revalidating: set[Path] = set()
_lock = threading.Lock()


def stale_while_revalidate(
    path: Path, compute: Callable[[], dict[str, Any]], max_age_s: float, *, background: bool = True
) -> Cached:
    """Cache-first read. A fresh snapshot is returned as is. An old one is returned at once
    (marked stale) and recomputed in a background thread (one at a time per path). With no
    snapshot, `compute()` runs now and its result is written; if it fails, the error is
    returned with no data."""
    snapshot = read_snapshot(path)
    if snapshot is not None:
        age = age_s(snapshot)
        if age is not None and age <= max_age_s:
            return Cached(snapshot, stale=False)
        if background:
            _revalidate_in_background(path, compute)
        return Cached(snapshot, stale=True)
    try:
        return Cached(write_snapshot(path, compute()), stale=False)
    except Exception as exc:  # noqa: BLE001 - the caller shows why, nothing was written
        return Cached(None, stale=True, error=f"{type(exc).__name__}: {exc}")


def _revalidate_in_background(path: Path, compute: Callable[[], dict[str, Any]]) -> None:
    with _lock:
        if path in _revalidating:
            return
        _revalidating.add(path)

    def run() -> None:
        try:
            write_snapshot(path, compute())
        except Exception:  # noqa: BLE001 - the old snapshot stays; the next read tries again
            pass
        finally:
            with _lock:
                _revalidating.discard(path)

    threading.Thread(target=run, name=f"revalidate:{path.name}", daemon=True).start()

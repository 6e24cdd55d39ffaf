"""Append-only JSON-lines files under `{data}/logs/` (seed 000's observability layers)."""

import json
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from logs.redact import redact, redact_value
from models.settings import get_settings

_lock = threading.Lock()


def logs_dir() -> Path:
    path = get_settings().data_dir.resolve() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def append(path: Path, record: dict[str, Any]) -> None:
    """One record per line; a single write() of a whole line keeps concurrent writers apart.
    Secrets are masked (`logs/redact.py`), as in every other log line."""
    line = json.dumps(redact_value(record), ensure_ascii=False, default=lambda value: redact(str(value))) + "\n"
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def log_error(source: str, message: str, **detail: Any) -> None:
    """A technical failure (HTTP, database, tool) into `errors_YYYY-MM-DD.jsonl` (school day)."""
    now = datetime.now(ZoneInfo(get_settings().timezone))
    record = {"at": now.isoformat(), "source": source, "message": message, **detail}
    append(logs_dir() / f"errors_{now.date().isoformat()}.jsonl", record)

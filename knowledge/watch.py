"""Keep the knowledge folder indexed while the product runs (`vschool kb watch`, started by
`vschool dev`).

The knowledge folder is `{VSCHOOL_DATA_DIR}/knowledge/` — data, not code: staff drop or upload
files there (the Knowledge page saves uploads into it), and on the embedded default's first run
it is filled with the demo knowledge base shipped in the repository (`knowledge/school/`). The
watcher indexes the folder once at start (which also re-embeds chunks of another provider), then
again after each burst of file changes (watchfiles debounces), so an edited file is re-indexed,
a new one added and a deleted one forgotten. Re-indexing the whole folder is cheap: unchanged
files are skipped by their content hash.
"""

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from knowledge.ingest import IngestReport, ingest_paths, supported
from models.settings import Settings, get_settings

log = logging.getLogger("vschool.knowledge")

DEMO_FOLDER = Path(__file__).resolve().parent / "school"


def knowledge_folder(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).data_dir / "knowledge"


def seed_demo_folder(folder: Path) -> bool:
    """Copy the demo knowledge base into a missing knowledge folder (an existing one, even
    empty, is the school's own: files removed on purpose do not come back)."""
    if folder.exists():
        return False
    shutil.copytree(DEMO_FOLDER, folder, dirs_exist_ok=True)
    return True


def reindex(folder: Path) -> IngestReport:
    from models.db import session_scope

    folder.mkdir(parents=True, exist_ok=True)
    with session_scope() as session:
        return ingest_paths(session, [folder])


def _relevant(change: object, path: str) -> bool:
    return supported(Path(path))


def watch(folder: Path, stop: threading.Event | None = None, debounce_ms: int = 400, on_change: Callable[[], None] | None = None) -> None:
    """Index `folder`, then re-index it after every change until `stop` is set; `on_change` is
    called after a re-index that changed the knowledge base (the CLI tells open pages)."""
    from watchfiles import watch as watch_changes

    folder.mkdir(parents=True, exist_ok=True)
    _reindex_logged(folder, on_change)
    for changes in watch_changes(folder, watch_filter=_relevant, stop_event=stop, debounce=debounce_ms, rust_timeout=500):
        log.info("knowledge folder changed: %s", sorted(path for _, path in changes))
        _reindex_logged(folder, on_change)


def _reindex_logged(folder: Path, on_change: Callable[[], None] | None = None) -> None:
    try:
        report = reindex(folder)
    except Exception:  # the database may be restarting: keep watching, the next change retries
        log.exception("re-indexing %s failed", folder)
        return
    summary = report.as_dict()
    if report.added or report.updated or report.removed or report.failed or report.reembedded_chunks:
        log.info("knowledge re-indexed: %s", {k: v for k, v in summary.items() if v and k != "unchanged"})
        if on_change is not None:
            on_change()

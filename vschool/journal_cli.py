"""`vschool journal status|replay`: the webhook journal is per-host state (ADR 013).

A backend that cannot reach PostgreSQL appends the signed bodies it accepted to its own
`{data}/journal/webhook.jsonl` and replays them itself when the database answers again. If that
host is replaced before it could (its disk recovered, or its data folder restored from a
backup), an operator replays its journal from any host that reaches the database:

    vschool journal replay --dir /mnt/old-host/var/journal

Replays are deduplicated (Meta's ids), so replaying the same journal twice, or one a backend is
also replaying, adds each event once.
"""

import argparse
import asyncio
import json
import sys
from pathlib import Path

from models.settings import get_settings
from vschool.api.inbound_store import UNAVAILABLE, InboundStore, rejected_bodies


def journal_folder(given: str | None) -> Path:
    """The folder given, or this host's own journal."""
    return Path(given).resolve() if given else get_settings().data_dir.resolve() / "journal"


def journal_status(folder: Path) -> dict[str, object]:
    """Bodies waiting in a journal folder (not yet stored), and bodies refused for good."""
    waiting = 0
    for path in [folder / "webhook.jsonl", *sorted(folder.glob("webhook.*.replaying"))]:
        try:
            waiting += sum(1 for line in path.read_bytes().splitlines() if line.strip())
        except FileNotFoundError:
            continue
    rejected, _ = rejected_bodies(folder)
    return {"folder": str(folder), "waiting": waiting, "rejected": rejected}


async def _replay(folder: Path) -> int:
    store = InboundStore(journal_dir=folder)
    try:
        return await store.replay()
    finally:
        if store._pool is not None:
            await store._pool.close()


def run_journal(args: argparse.Namespace) -> int:
    """`status` prints what waits; `replay` stores it (exit 1 while the database is away)."""
    folder = journal_folder(args.dir)
    if args.journal_command == "status":
        print(json.dumps(journal_status(folder)))
        return 0
    if not folder.is_dir():
        print(f"vschool journal replay: no journal folder at {folder}", file=sys.stderr)
        return 2
    try:
        added = asyncio.run(_replay(folder))
    except UNAVAILABLE as exc:
        print(f"The database does not answer ({type(exc).__name__}); nothing was replayed. Try again when it does.", file=sys.stderr)
        return 1
    print(json.dumps({**journal_status(folder), "added": added}))
    return 0

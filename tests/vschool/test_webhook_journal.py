"""The webhook journal (PostgreSQL down) shared by several backend processes: appends from other
processes while a replay moves the file aside lose nothing; a replay touches nothing while the
database does not answer. Real files, real processes, real PostgreSQL."""

import asyncio
import base64
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.db import get_engine
from tests.conftest import ROOT, wait_until
from tests.messenger_helpers import envelope, text_event
from vschool.api.inbound_store import UNAVAILABLE, InboundStore

pytestmark = pytest.mark.usefixtures("db")

WRITER = """
import json, sys
from pathlib import Path
from tests.messenger_helpers import envelope, text_event
from vschool.api.inbound_store import InboundStore

store = InboundStore(database_url="unused", journal_dir=Path(sys.argv[1]))
name, count = sys.argv[2], int(sys.argv[3])
for n in range(count):
    body = envelope(text_event("24000000000000088", f"m_journal_{name}_{n}", f"ข้อความ {n}", 1_795_000_000_000 + n))
    store.journal(json.dumps(body, ensure_ascii=False).encode())
"""


def _stored(prefix: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM inbound_event WHERE dedupe_key LIKE :k"), {"k": f"%{prefix}%"}).scalar_one()


def _replay(store: InboundStore) -> int:
    async def run() -> int:
        try:
            return await store.replay()
        finally:
            if store._pool is not None:
                await store._pool.close()

    return asyncio.run(run())


def _line(mid: str) -> bytes:
    body = envelope(text_event("24000000000000088", mid, "ระหว่างล่ม", 1_795_000_000_000))
    raw = json.dumps(body, ensure_ascii=False).encode()
    return (json.dumps({"at": time.time(), "body": base64.b64encode(raw).decode()}) + "\n").encode()


def _has_open(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_a_replay_waits_for_a_line_being_appended_and_stores_it(tmp_path: Path) -> None:
    """Another backend process is mid-append (holds the journal's lock) when the replay starts."""
    journal = tmp_path / "webhook.jsonl"
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, _line("m_journal_first"))
    replay = threading.Thread(target=_replay, args=(InboundStore(journal_dir=tmp_path),))
    replay.start()
    wait_until(lambda: not journal.exists(), timeout_s=10)  # moved aside; the replay now waits
    os.write(fd, _line("m_journal_second"))
    os.close(fd)
    replay.join(timeout=30)
    assert _stored("m_journal_") == 2
    assert not list(tmp_path.glob("webhook.*"))


def test_a_writer_that_opened_the_journal_before_a_replay_moved_it_writes_to_the_new_one(tmp_path: Path) -> None:
    """The writer opened the file, then waited for the lock while a replay moved it aside."""
    journal = tmp_path / "webhook.jsonl"
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a first writer is mid-append
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "late", "1"], cwd=ROOT)
    wait_until(lambda: _has_open(writer.pid, journal), timeout_s=30)  # and waits for the lock
    aside = tmp_path / "webhook.1.replaying"
    journal.rename(aside)  # what a replay does first
    os.close(fd)
    assert writer.wait(timeout=30) == 0
    assert aside.read_bytes() == b""  # nothing went into the file the replay is about to read
    assert len(journal.read_text().splitlines()) == 1


def test_appends_and_replays_in_several_processes_at_once_store_every_event_once(tmp_path: Path) -> None:
    per_writer = 200
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, str(per_writer)], cwd=ROOT)
        for name in ("a", "b")
    ]

    async def replay_until_written(store: InboundStore) -> None:
        try:
            while any(w.poll() is None for w in writers):
                await store.replay()
                await asyncio.sleep(0)
        finally:
            if store._pool is not None:
                await store._pool.close()

    async def two_backends() -> None:  # each backend process replays; one at a time does
        await asyncio.gather(*(replay_until_written(InboundStore(journal_dir=tmp_path)) for _ in range(2)))

    asyncio.run(two_backends())
    assert [w.wait() for w in writers] == [0, 0]
    _replay(InboundStore(journal_dir=tmp_path))  # what came after the last pass
    assert _stored("m_journal_") == 2 * per_writer
    assert not list(tmp_path.glob("webhook.*"))


def test_a_replay_leaves_the_journal_in_place_while_the_database_is_down(tmp_path: Path) -> None:
    store = InboundStore(database_url="postgresql://vschool@127.0.0.1:9/none?connect_timeout=1", journal_dir=tmp_path)
    store.journal(b'{"object": "page", "entry": []}')
    with pytest.raises(UNAVAILABLE):
        _replay(store)
    assert [p.name for p in tmp_path.glob("webhook.*")] == ["webhook.jsonl"]
    assert len((tmp_path / "webhook.jsonl").read_text().splitlines()) == 1


def test_an_operator_replays_a_replaced_hosts_journal_from_another_host(tmp_path: Path) -> None:
    """Host A journaled while PostgreSQL was away, then was replaced; its data folder survives.
    `vschool journal replay --dir` on host B stores each body once, however often it is run."""
    old_host = tmp_path / "host-a" / "journal"
    away = InboundStore(database_url="postgresql://vschool@127.0.0.1:9/none?connect_timeout=1", journal_dir=old_host)
    for n in range(3):
        away.journal(json.dumps(envelope(text_event("24000000000000088", f"m_journal_host_{n}", "ระหว่างล่ม", 1_795_000_000_000 + n))).encode())
    env = {**os.environ, "VSCHOOL_DATA_DIR": str(tmp_path / "host-b")}

    def vschool(*args: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "vschool.cli", "journal", *args, "--dir", str(old_host)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60, check=True)
        return json.loads(done.stdout)

    assert vschool("status")["waiting"] == 3
    assert (vschool("replay")["added"], _stored("m_journal_host_")) == (3, 3)
    (old_host / "webhook.jsonl").write_bytes(_line("m_journal_host_0"))  # the same body again (a second copy)
    assert (vschool("replay")["added"], vschool("status")["waiting"], _stored("m_journal_host_")) == (0, 0, 3)

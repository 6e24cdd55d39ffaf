"""Nothing is lost when PostgreSQL or Redis goes away: the real backend and worker processes on
their own embedded services, which the test stops and starts again."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import ROOT, wait_until
from tests.messenger_helpers import envelope, text_event
from vschool import services
from vschool.harness import RunningApp, start_app

pytestmark = pytest.mark.timeout(600)
PAGE = "1111111111"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[RunningApp, Path, dict[str, str]]]:
    """A backend, a worker and the scheduler on services of their own (in `tmp_path`)."""
    addresses = services.start(tmp_path)
    env = {"DATABASE_URL": addresses["database_url"], "REDIS_URL": addresses["redis_url"], "VSCHOOL_DATA_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "vschool.cli", "migrate"], cwd=ROOT, env={**__import__("os").environ, **env}, check=True)
    app = start_app(tmp_path / "logs", frontend=False, scheduler=True, data_dir=tmp_path, addresses=addresses)
    yield app, tmp_path, addresses
    app.stop()
    services.stop(tmp_path)


def _post(app: RunningApp, body: dict, secret_dir: Path) -> httpx.Response:
    import json

    secret = json.loads((secret_dir / "secrets.json").read_text())["meta_app_secret"]
    raw = json.dumps(body, ensure_ascii=False).encode()
    from tests.messenger_helpers import sign

    return httpx.post(f"{app.backend_url}/webhooks/messenger", content=raw,
                      headers={"X-Hub-Signature-256": sign(raw, secret)}, timeout=10)


def _texts(url: str) -> list[str]:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return [r[0] for r in conn.execute("SELECT text FROM message ORDER BY sent_at")]
    except psycopg.OperationalError:
        return []


def _message(n: int, text: str) -> dict:
    return envelope(text_event("24000000000000077", f"m_res_{n}", text, 1_795_000_000_000 + n * 1000, PAGE), PAGE)


def test_postgresql_down_journal_then_replay_loses_and_doubles_nothing(stack) -> None:
    app, data_dir, addresses = stack
    assert _post(app, _message(1, "ก่อนล่ม"), data_dir).status_code == 200
    wait_until(lambda: _texts(addresses["database_url"]) == ["ก่อนล่ม"], timeout_s=30)

    services._stop_postgres(data_dir)
    for n, text in ((2, "ระหว่างล่ม 1"), (3, "ระหว่างล่ม 2"), (2, "ระหว่างล่ม 1")):  # incl. a duplicate
        response = _post(app, _message(n, text), data_dir)
        assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    journaled = [line for path in (data_dir / "journal").glob("webhook.*") for line in path.read_text().splitlines()]
    assert len(journaled) == 3

    services.start(data_dir)
    wait_until(lambda: _texts(addresses["database_url"]) == ["ก่อนล่ม", "ระหว่างล่ม 1", "ระหว่างล่ม 2"], timeout_s=60)
    assert not list((data_dir / "journal").glob("webhook.*"))  # replayed and cleared


def test_redis_down_webhooks_still_answered_and_processed_after_it_returns(stack) -> None:
    app, data_dir, addresses = stack
    services._stop_redis(data_dir)
    assert _post(app, _message(10, "Redis หายไป"), data_dir).status_code == 200
    with psycopg.connect(addresses["database_url"]) as conn:
        assert conn.execute("SELECT count(*) FROM inbound_event WHERE processed_at IS NULL").fetchone()[0] == 1
    services.start(data_dir)
    wait_until(lambda: _texts(addresses["database_url"]) == ["Redis หายไป"], timeout_s=150)  # the relay waits 60 s

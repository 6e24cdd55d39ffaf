"""A worker killed while Meta is answering a reply: after a new worker takes over, the customer
has exactly one copy of the reply (settled by the echo, not sent again)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import ROOT, open_around_the_clock, wait_until
from vschool import services
from vschool.dev import child_environment
from vschool.harness import start_app

pytestmark = pytest.mark.timeout(600)
STAFF_REPLY = "มีค่ะ รอบเสาร์อาทิตย์เริ่ม 6 ธันวาคมค่ะ"
# The staff reply's send (out of hours the school's automatic reply is sent too, and is not the point here)
STAFF_SEND = "SELECT o.{} FROM outbound_send o JOIN message m ON m.id = o.message_id WHERE m.sender_kind = 'staff'"


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vschool.cli", "worker", "--processes", "1", "--threads", "2"],
                            cwd=ROOT, env=env, start_new_session=True)


def _crash(session: int) -> None:
    """Every process of this worker dies at once, like a machine losing power (its pools run in
    process groups of their own, so the session is what they share)."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == session:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            pass


def test_a_reply_cut_off_by_a_killed_worker_reaches_the_customer_exactly_once(tmp_path: Path) -> None:
    addresses = services.start(tmp_path)
    tuning = {"VSCHOOL_WORKER_HEARTBEAT_TIMEOUT_MS": "3000", "VSCHOOL_BROKER_MAINTENANCE_CHANCE": "1000000"}
    os.environ.update(tuning)  # start_app's children inherit these
    app = None
    workers: list[subprocess.Popen] = []
    try:
        subprocess.run([sys.executable, "-m", "vschool.cli", "migrate"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": addresses["database_url"], "VSCHOOL_DATA_DIR": str(tmp_path)})
        open_around_the_clock(addresses["database_url"])  # out of hours the school's own reply would go out too
        app = start_app(tmp_path / "logs", frontend=False, worker=False, simulator=True, data_dir=tmp_path, addresses=addresses)
        env = child_environment(addresses)
        env.update(tuning, VSCHOOL_DATA_DIR=str(tmp_path), VSCHOOL_BACKEND_PORT=app.backend_url.rsplit(":", 1)[1],
                   VSCHOOL_SIMULATOR_PORT=app.simulator_url.rsplit(":", 1)[1])
        workers.append(_worker(env))
        sim = app.simulator_url
        psid = httpx.post(f"{sim}/_sim/customers", json={"name": "วิชัย ทดสอบ"}).json()["psid"]
        httpx.post(f"{sim}/_sim/customers/{psid}/say", json={"text": "มีคอร์สเสาร์อาทิตย์ไหมครับ"}).raise_for_status()

        db = addresses["database_url"]

        def conversation_id() -> int | None:
            with psycopg.connect(db) as conn:
                row = conn.execute("SELECT id FROM conversation").fetchone()
                return row[0] if row else None

        conversation = wait_until(conversation_id, timeout_s=30)
        httpx.post(f"{sim}/_sim/fail", json={"delay_ms": 4000}).raise_for_status()  # Meta is slow to answer
        code = (
            "from models.db import session_scope; from models.staff import StaffUser; from models.enums import Role;"
            "from vschool.staff import create_staff; from models.reply_rules import queue_staff_reply;"
            "from actors.outbound import send_message;"
            "s = session_scope().__enter__();"
            "u = create_staff(s, None, 'nok@vschool.test', 'Nok', Role.AGENT, 'agent-password-1');"
            f"m = queue_staff_reply(s, u, {conversation}, '{STAFF_REPLY}'); s.commit();"
            "send_message.send(m.id)"
        )
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)

        def in_flight() -> bool:
            with psycopg.connect(db) as conn:
                row = conn.execute(STAFF_SEND.format("attempts, o.status")).fetchone()
                return bool(row and row[0] == 1 and row[1] == "queued")

        wait_until(in_flight, timeout_s=30)
        _crash(workers[0].pid)  # mid-call: Meta gets the message, we never hear back
        workers[0].wait()
        workers.append(_worker(env))

        def settled() -> bool:
            with psycopg.connect(db) as conn:
                return conn.execute(STAFF_SEND.format("status")).fetchone()[0] == "sent"

        wait_until(settled, timeout_s=90, every_s=0.5)
        sent = [x["body"] for x in httpx.get(f"{sim}/_sim/sent").json()["sent"] if "message" in x["body"]]
        assert [b["message"].get("text") for b in sent].count(STAFF_REPLY) == 1  # exactly one
        with psycopg.connect(db) as conn:
            status, mid = conn.execute("SELECT status, mid FROM message WHERE sender_kind = 'staff'").fetchone()
            assert status in ("sent", "delivered", "read") and mid.startswith("m_sim_")
    finally:
        for key in tuning:
            os.environ.pop(key, None)
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        if app is not None:
            app.stop()
        services.stop(tmp_path)

"""`vschool backup` on one stack, `vschool restore` into an empty one: the same customers,
messages and orders, the same secrets and knowledge files. Real embedded services, real CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ROOT
from vschool import services

pytestmark = pytest.mark.timeout(600)
SAME = [
    "SELECT standard_id, display_name FROM customer ORDER BY id",
    "SELECT conversation_id, direction, text FROM message ORDER BY id",
    "SELECT order_number, total, status FROM orders ORDER BY id",
    "SELECT order_id, kind, amount FROM payment ORDER BY id",
]


def _vschool(data_dir: Path, addresses: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "VSCHOOL_DATA_DIR": str(data_dir), "DATABASE_URL": addresses["database_url"], "REDIS_URL": addresses["redis_url"]}
    for name in ("VSCHOOL_SECRET_KEY", "META_APP_SECRET", "META_VERIFY_TOKEN"):
        env.pop(name, None)  # the embedded default: secrets generated in the data folder
    return subprocess.run([sys.executable, "-m", "vschool.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=check)


def _rows(url: str) -> list[list[tuple]]:
    with psycopg.connect(url) as conn:
        return [conn.execute(query).fetchall() for query in SAME]


def test_a_backup_restored_into_an_empty_stack_has_the_same_customers_messages_and_orders(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old_services = services.start(old / "services")
    new_services = None
    try:
        _vschool(old, old_services, "migrate")
        _vschool(old, old_services, "demo-data", "--customers", "12", "--days", "3")
        (old / "knowledge").mkdir(exist_ok=True)
        (old / "knowledge" / "courses.md").write_text("# คอร์สซูชิ\nราคา 18,900 บาท\n")
        archive = tmp_path / "backup.tar.gz"
        made = json.loads(_vschool(old, old_services, "backup", str(archive)).stdout)
        assert made["rows"]["customer"] == 12 and made["rows"]["message"] > 0 and made["rows"]["orders"] > 0

        new_services = services.start(new / "services")  # an empty stack: no schema, nothing
        restored = json.loads(_vschool(new, new_services, "restore", str(archive)).stdout)
        assert (restored["rows"], restored["revision"]) == (made["rows"], made["revision"])
        assert _rows(new_services["database_url"]) == _rows(old_services["database_url"])
        assert json.loads((new / "secrets.json").read_text()) == json.loads((old / "secrets.json").read_text())
        assert (new / "knowledge" / "courses.md").read_text() == "# คอร์สซูชิ\nราคา 18,900 บาท\n"

        again = _vschool(new, new_services, "restore", str(archive), check=False)  # never over live data
        assert again.returncode == 2 and "not empty" in again.stderr
    finally:
        services.stop(old / "services")
        if new_services is not None:
            services.stop(new / "services")

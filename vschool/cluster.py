"""Several hosts of one installation, the way deploy/ runs them (ADR 013).

`ROLES` is the one definition of what each kind of host runs; deploy/systemd/ and
deploy/compose.yaml run the same commands (a test checks), and `start_cluster` runs them on this
machine for the multi-host test: app hosts and worker hosts as separate process groups, each
with its own data folder, sharing one PostgreSQL and one Redis, behind Debian's nginx configured
by deploy/nginx/ and serving one exported frontend.

`python -m vschool.cluster export DEST` exports the frontend for the proxy (the container image
does this at build time).
"""

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from vschool.dev import ROOT, child_environment
from vschool.harness import RunningApp, free_port, wait_ready
from vschool.workers import BACKGROUND_PROCESSES

APP_PORT = 8000
ROLES: dict[str, list[str]] = {
    "app": ["reflex", "run", "--env", "prod", "--backend-only", "--backend-port", str(APP_PORT), "--loglevel", "warning"],
    "worker": ["vschool", "worker"],
    "scheduler": ["vschool", "scheduler"],
}
# What must be the same on every host (deploy/vschool.env.example): the services, the public
# address, and the secrets that sign sessions and check Meta's signatures.
SHARED_SETTINGS = ("DATABASE_URL", "REDIS_URL", "VSCHOOL_PUBLIC_URL", "VSCHOOL_SECRET_KEY", "META_APP_SECRET", "META_VERIFY_TOKEN")
DEPLOY = ROOT / "deploy"
NGINX = "/usr/sbin/nginx"
HOST_COOKIE = "vschool_host"  # deploy/nginx/upstreams.conf: pins a browser to one app host


def role_command(role: str, port: int = APP_PORT, *extra: str) -> list[str]:
    """The command of `role` from this environment (the app on `port`), with `extra` arguments."""
    program, *args = ROLES[role]
    args = [str(port) if a == str(APP_PORT) else a for a in args]
    return [str(Path(sys.executable).parent / program), *args, *extra]


EXPORT_WORKDIR = ROOT / ".web-export"  # not .web: a running dev server (`vschool dev`, browser tests) compiles there


def export_frontend(dest: Path, public_url: str) -> Path:
    """Compile the pages once into static files at `dest` for a proxy serving `public_url`
    (their websocket and API calls go to that address). Compiles in its own web folder, seeded
    from `.web` (its Node packages) when there is one."""
    if not (EXPORT_WORKDIR / "node_modules").exists() and (ROOT / ".web" / "node_modules").exists():
        shutil.rmtree(EXPORT_WORKDIR, ignore_errors=True)
        shutil.copytree(ROOT / ".web", EXPORT_WORKDIR, symlinks=True)
    env = {**os.environ, "REFLEX_API_URL": public_url, "VSCHOOL_PUBLIC_URL": public_url, "REFLEX_USE_NPM": "1",
           "REFLEX_TELEMETRY_ENABLED": "false", "REFLEX_WEB_WORKDIR": str(EXPORT_WORKDIR)}
    env.setdefault("DATABASE_URL", "postgresql://unused@127.0.0.1:1/unused")  # compiling reads settings only
    env.setdefault("REDIS_URL", "redis://127.0.0.1:1")
    env["PATH"] = f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    reflex = str(Path(sys.executable).parent / "reflex")
    subprocess.run([reflex, "export", "--frontend-only", "--no-zip", "--env", "prod", "--loglevel", "warning"], cwd=ROOT, env=env, check=True)
    built = EXPORT_WORKDIR / "build" / "client"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(built, dest)
    return dest


def upstreams(apps: dict[str, str]) -> str:
    """deploy/nginx/upstreams.conf for these app hosts (name → address:port), comments aside."""
    servers = "".join(f"    server {address} max_fails=2 fail_timeout=5s;\n" for address in apps.values())
    pinned = "".join(f"upstream vschool_{name} {{ server {address}; }}\n" for name, address in apps.items())
    names = "".join(f"    {name:<7} vschool_{name};\n" for name in apps)
    return (f"upstream vschool_app {{\n    least_conn;\n{servers}}}\n{pinned}\n"
            f"map $cookie_{HOST_COOKIE} $vschool_backend {{\n    default vschool_app;\n{names}}}\n")


def proxy_config(folder: Path, port: int, app_ports: dict[str, int], frontend: Path) -> Path:
    """An nginx configuration in `folder` around deploy/nginx/vschool.conf (only its port and
    paths changed), for a proxy run as a child process."""
    folder.mkdir(parents=True, exist_ok=True)
    site = (DEPLOY / "nginx" / "vschool.conf").read_text()
    for production, here in (("listen 80;", f"listen 127.0.0.1:{port};"), ("/opt/vschool/frontend", str(frontend)),
                             ("/var/log/nginx/", f"{folder}/")):
        if production not in site:
            raise ValueError(f"deploy/nginx/vschool.conf no longer has {production!r}")
        site = site.replace(production, here)
    (folder / "vschool.conf").write_text(site)
    (folder / "upstreams.conf").write_text(upstreams({name: f"127.0.0.1:{port}" for name, port in app_ports.items()}))
    temp = "".join(f"    {kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # the test's files are private to their owner
    conf = (f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
            f"events {{ worker_connections 1024; }}\nhttp {{\n    include /etc/nginx/mime.types;\n{temp}"
            f"    include {folder}/upstreams.conf;\n    include {folder}/vschool.conf;\n}}\n")
    (folder / "nginx.conf").write_text(conf)
    return folder / "nginx.conf"


@dataclass
class Cluster:
    """Hosts by name (`app1`, `worker1`, …, `simulator`) and the proxy in front of the app hosts."""

    folder: Path
    proxy_url: str
    env: dict[str, str]
    app_ports: dict[str, int] = field(default_factory=dict)
    hosts: dict[str, RunningApp] = field(default_factory=dict)
    proxy: subprocess.Popen | None = None

    def _signal(self, name: str, signum: int) -> None:
        """Send `signum` to every process of host `name`: its processes' sessions (a worker's
        pools run in process groups of their own, so the session is what they share)."""
        sessions = {proc.pid for proc in self.hosts[name].processes}
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) in sessions:
                    os.kill(int(entry.name), signum)
            except (OSError, ValueError):
                pass

    def crash(self, name: str) -> None:
        """Every process of host `name` dies at once, like a machine losing power."""
        self._signal(name, signal.SIGSTOP)  # first freeze them all: none reacts to another's death
        self._signal(name, signal.SIGKILL)
        for proc in self.hosts[name].processes:
            proc.wait(timeout=30)

    def pause(self, name: str, paused: bool) -> None:
        """Freeze (or thaw) every process of host `name`."""
        self._signal(name, signal.SIGSTOP if paused else signal.SIGCONT)

    def stop(self) -> None:
        for name, running in self.hosts.items():
            self.pause(name, False)
            running.stop()
        if self.proxy is not None and self.proxy.poll() is None:
            self.proxy.terminate()
            self.proxy.wait(timeout=20)


def _start_host(cluster: Cluster, name: str, commands: list[list[str]], extra_env: dict[str, str], **expect: object) -> RunningApp:
    data_dir = cluster.folder / name
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**cluster.env, "VSCHOOL_DATA_DIR": str(data_dir), **extra_env}
    running = RunningApp("", "", log_path=data_dir / "host.log", redis_url=env["REDIS_URL"], **expect)
    with open(running.log_path, "ab") as log:
        for cmd in commands:
            running.processes.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    cluster.hosts[name] = running
    return running


def start_cluster(folder: Path, addresses: dict[str, str], settings: dict[str, str], frontend: Path, *, proxy_port: int,
                  apps: int = 2, workers: int = 2, timeout_s: float = 300) -> Cluster:
    """A simulator (Meta), `apps` app hosts and `workers` worker hosts (each a worker and a
    scheduler), and nginx on `proxy_port` serving `frontend` (exported for that address);
    returns once every part answers. `settings` are the shared ones (secrets, tuning)."""
    env = {**child_environment(addresses), **settings, "GRANIAN_WORKERS": "1", "VSCHOOL_SIMULATOR_PORT": str(free_port()),
           "VSCHOOL_PUBLIC_URL": f"http://localhost:{proxy_port}", "VSCHOOL_TRUSTED_PROXIES": "127.0.0.1"}
    cluster = Cluster(folder, f"http://localhost:{proxy_port}", env)
    try:
        cluster.app_ports = {f"app{n}": free_port() for n in range(1, apps + 1)}
        sim_port = env["VSCHOOL_SIMULATOR_PORT"]
        # Meta posts to the first app host's webhook ("host A"), like a DNS name with one address.
        sim = _start_host(cluster, "simulator", [[sys.executable, "-m", "vschool.cli", "simulator"]],
                          {"VSCHOOL_BACKEND_PORT": str(cluster.app_ports["app1"])})
        sim.simulator_url = f"http://127.0.0.1:{sim_port}"
        for name, port in cluster.app_ports.items():
            host = _start_host(cluster, name, [role_command("app", port)], {"VSCHOOL_BACKEND_PORT": str(port)})
            host.backend_url = f"http://127.0.0.1:{port}"
        for n in range(1, workers + 1):
            commands = [role_command("worker", APP_PORT, "--processes", "1", "--threads", "2"), role_command("scheduler")]
            _start_host(cluster, f"worker{n}", commands, {}, worker_processes=1 + BACKGROUND_PROCESSES)
        nginx_folder = folder / "nginx"
        conf = proxy_config(nginx_folder, proxy_port, cluster.app_ports, frontend)
        cluster.proxy = subprocess.Popen([NGINX, "-p", str(nginx_folder), "-e", str(nginx_folder / "error.log"), "-c", str(conf),
                                          "-g", "daemon off;"], start_new_session=True)
        for running in cluster.hosts.values():
            wait_ready(running, timeout_s)
        if httpx.get(f"{cluster.proxy_url}/ping", timeout=10).status_code != 200:
            raise RuntimeError(f"the proxy does not reach the app hosts; see {nginx_folder / 'error.log'}")
    except BaseException:
        cluster.stop()
        raise
    return cluster


if __name__ == "__main__":
    if sys.argv[1:2] != ["export"] or len(sys.argv) != 3:
        raise SystemExit("usage: python -m vschool.cluster export DEST  (VSCHOOL_PUBLIC_URL: where the proxy serves it)")
    export_frontend(Path(sys.argv[2]), os.environ.get("VSCHOOL_PUBLIC_URL", "http://localhost"))

"""deploy/ runs what the multi-host test runs (vschool/cluster.py): the same commands, settings,
ports and proxy configuration. Containers cannot be built here; this is what can be checked."""

import configparser
import re
import shlex
import subprocess
from pathlib import Path

import yaml

from vschool.cluster import APP_PORT, DEPLOY, NGINX, ROLES, SHARED_SETTINGS, proxy_config, upstreams

UNITS = {"app": "vschool-app.service", "worker": "vschool-worker.service", "scheduler": "vschool-scheduler.service"}


def _unit(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser["Service"]


def _without_comments(path: Path) -> str:
    return "".join(line for line in path.read_text().splitlines(True) if not line.startswith("#"))


def _env_example() -> set[str]:
    return {line.split("=", 1)[0] for line in (DEPLOY / "vschool.env.example").read_text().splitlines() if re.match(r"^[A-Z_]+=", line)}


def test_the_systemd_units_run_each_roles_command_with_the_shared_settings() -> None:
    for role, unit in UNITS.items():
        service = _unit(unit)
        program, *args = shlex.split(service["ExecStart"])
        assert [Path(program).name, *args] == ROLES[role], unit
        assert service["EnvironmentFile"] == "/etc/vschool/vschool.env"
    assert shlex.split(_unit(UNITS["app"])["ExecStartPre"])[1:] == ["migrate"]
    assert set(SHARED_SETTINGS) <= _env_example()


def test_compose_runs_the_same_commands_ports_and_settings() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    for name, role in (("app1", "app"), ("app2", "app"), ("worker", "worker"), ("scheduler", "scheduler")):
        assert services[name]["command"] == ROLES[role], name
        assert set(SHARED_SETTINGS) <= set(services[name]["environment"]) | _env_example(), name
    assert services["migrate"]["command"] == ["vschool", "migrate"]
    assert f"127.0.0.1:{APP_PORT}/ping" in " ".join(services["app1"]["healthcheck"]["test"])
    assert services["scheduler"]["deploy"]["replicas"] >= 2  # the lease makes that safe
    assert "pgvector" in services["postgres"]["image"] and all("healthcheck" in services[s] for s in ("postgres", "redis", "app1", "worker", "proxy"))
    containerfile = (DEPLOY / "Containerfile").read_text()
    assert "uv sync --frozen" in containerfile and "COPY pyproject.toml uv.lock" in containerfile
    assert f"CMD {ROLES['app']}".replace("'", '"') in containerfile
    assert "COPY deploy/nginx/vschool.conf /etc/nginx/conf.d/vschool.conf" in containerfile


def test_the_proxy_configuration_is_the_one_the_test_runs_and_nginx_accepts_it(tmp_path: Path) -> None:
    hosts = {"app1": f"app1:{APP_PORT}", "app2": f"app2:{APP_PORT}"}
    assert _without_comments(DEPLOY / "nginx" / "upstreams.compose.conf") == upstreams(hosts)
    assert _without_comments(DEPLOY / "nginx" / "upstreams.conf") == upstreams({"app1": "10.0.0.11:8000", "app2": "10.0.0.12:8000"})
    (tmp_path / "frontend").mkdir()
    conf = proxy_config(tmp_path / "nginx", 18080, {"app1": 18001, "app2": 18002}, tmp_path / "frontend")
    checked = subprocess.run([NGINX, "-t", "-p", str(conf.parent), "-e", str(conf.parent / "error.log"), "-c", str(conf)],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr

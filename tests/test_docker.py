"""The Docker deployment (issue #7): ``Dockerfile`` and ``docker-compose.yml``.

``docker compose config`` runs when the docker CLI has its compose plugin; the
structural checks of the compose file need PyYAML; the rest is plain text and runs
everywhere: every variable the compose file sets or interpolates is documented in
``.env.example``, the image keeps its shape, and a non-editable install ships the
templates (pyproject's package-data covers every data file of the package)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from taskmcp.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
IMAGE = "taskmcp:latest"
ENV_KEY = re.compile(r"^ {6}([A-Z][A-Z0-9_]*):", re.MULTILINE)
INTERPOLATED = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def _compose_plugin() -> str | None:
    """Why ``docker compose`` cannot run here, or ``None`` when it can."""
    if shutil.which("docker") is None:
        return "the docker CLI is not installed"
    probe = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True, check=False
    )
    return None if probe.returncode == 0 else "the docker CLI has no compose plugin"


def test_docker_compose_config_accepts_every_profile(tmp_path: Path) -> None:
    reason = _compose_plugin()
    if reason is not None:
        pytest.skip(f"{reason}: `docker compose config` not run")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--project-directory", str(tmp_path),
         "--profile", "dev", "--profile", "single-origin", "config", "--quiet"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_every_compose_variable_is_documented_in_env_example() -> None:
    text, documented = COMPOSE.read_text(), (ROOT / ".env.example").read_text()
    variables = set(ENV_KEY.findall(text)) | set(INTERPOLATED.findall(text))
    assert {"TASKMCP_HEALTHCHECK_URL", "MCP_AUTH_SERVER", "TASKMANAGER_OAUTH_HOST"} <= variables
    assert sorted(v for v in variables if f"# {v}=" not in documented) == []


# -- the compose file's structure (PyYAML) --------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    yaml: ModuleType = pytest.importorskip(
        "yaml", reason="PyYAML is not installed: the compose structure is not checked"
    )
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in service.get("environment", {}).items()}


def test_compose_has_the_split_pair_by_default_and_profiles_for_the_rest(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {"auth-server", "resource-server", "mcp", "taskmanager"}
    expected = {
        "auth-server": (["auth"], None, ["9000:9000"]),
        "resource-server": (["resource"], None, ["8001:8001"]),
        "mcp": (["serve"], ["single-origin"], ["8001:8001"]),
        "taskmanager": (["taskmanager"], ["dev"], ["4321:4321"]),
    }
    for name, (command, profiles, ports) in expected.items():
        service = services[name]
        assert (service["command"], service.get("profiles"), service["ports"]) == (
            command, profiles, ports,
        ), name  # fmt: skip
        assert service["image"] == IMAGE
        assert service["command"][0] in COMMANDS
        port = ports[0].rsplit(":", 1)[1]
        assert _env(service)["TASKMCP_HEALTHCHECK_URL"].startswith(f"http://127.0.0.1:{port}/")


def test_compose_keeps_sqlite_in_volumes_and_wires_the_internal_urls(
    compose: dict[str, Any],
) -> None:
    services, volumes = compose["services"], set(compose["volumes"])
    mounts = {name: service.get("volumes", []) for name, service in services.items()}
    assert mounts["auth-server"] == ["taskmcp-data:/data"]
    assert mounts["mcp"] == ["single-origin-data:/data"]
    assert mounts["taskmanager"] == ["taskmanager-data:/data"]
    used = {mount.split(":")[0] for names in mounts.values() for mount in names}
    assert used == volumes
    resource = services["resource-server"]
    assert _env(resource)["MCP_AUTH_SERVER"] == "http://auth-server:9000"
    assert resource["depends_on"]["auth-server"]["condition"] == "service_healthy"
    for name in ("auth-server", "mcp"):
        assert _env(services[name])["TASKMCP_STORAGE_URL"] == "sqlite:////data/auth.db"
    for name in ("auth-server", "resource-server", "mcp"):
        internal = _env(services[name])["TASKMCP_TASKMANAGER_INTERNAL_URL"]
        assert internal.endswith(":-http://taskmanager:4321}}"), name
        assert services[name]["env_file"] == [{"path": ".env", "required": False}]
    assert _env(services["mcp"])["MCP_AUTH_SERVER_PUBLIC_URL"] == ""


def test_the_stand_in_registers_our_clients_for_both_topologies(compose: dict[str, Any]) -> None:
    clients = _env(compose["services"]["taskmanager"])["TASKMCP_STANDIN_CLIENTS"].split()
    assert [client.split(":", 1)[0] for client in clients] == ["brooks", "brooks-single-origin"]
    assert clients[0].endswith(
        "${MCP_AUTH_SERVER_PUBLIC_URL:-http://localhost:9000}/oauth/callback"
    )
    assert clients[1].endswith("${MCP_SERVER_URL:-http://localhost:8001}/oauth/callback")


# -- the image ------------------------------------------------------------------------


def test_the_image_is_multi_stage_slim_uv_non_root_and_probed() -> None:
    text = DOCKERFILE.read_text()
    assert re.findall(r"^FROM (\S+)", text, re.MULTILINE) == ["python:3.13-slim"] * 2
    assert "uv pip install -r pyproject.toml" in text
    assert "uv pip install --no-deps ." in text  # not editable: package data is copied
    assert re.search(r"^USER taskmcp$", text, re.MULTILINE)
    assert "--uid 10001" in text
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD .*TASKMCP_HEALTHCHECK_URL", text, re.MULTILINE)
    assert re.search(r'^ENTRYPOINT \["taskmcp"\]$', text, re.MULTILINE)


def test_a_non_editable_install_ships_every_data_file() -> None:
    """pyproject's package-data globs cover every non-Python file in ``taskmcp/``, and
    ``.dockerignore`` keeps none of them out of the build context."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["taskmcp"]
    package = ROOT / "taskmcp"
    data = [
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    ]
    assert any(name.startswith("oauth/templates/") for name in data)
    assert any(name.startswith("standin/templates/") for name in data)
    assert [name for name in data if not any(fnmatch(name, p) for p in patterns)] == []
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not any(fnmatch(f"taskmcp/{name}", rule) for name in data for rule in ignored)

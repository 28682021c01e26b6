"""The ``taskmcp`` command, the ``run_*.py`` shims, the app factories and the runner.

Configuration precedence is tested through the cli helpers with an injected
environment; the "one line, exit 2, no traceback" promise and the graceful SIGTERM
shutdown are tested on real processes.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpClient, AiohttpServer

from taskmcp.auth_app import create_auth_app
from taskmcp.cli import build_parser, load_settings, main, read_environ
from taskmcp.config import AUTH_SOURCES, RESOURCE_SOURCES, AuthSettings, ResourceSettings, Source
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import ServeError, serve
from taskmcp.storage import Storage, open_storage
from taskmcp.storage.errors import StorageUnavailableError
from taskmcp.tools import default_registry

ROOT = Path(__file__).resolve().parent.parent
PLANTED = "planted-short-secret"

TEST_KEY = b"k" * 32


# -- precedence: flag > environment > .env > default ------------------------------------


def _auth_settings(argv: list[str], environ: dict[str, str]) -> AuthSettings:
    args = build_parser().parse_args(["auth", *argv])
    return load_settings(AuthSettings, args, read_environ(Path.cwd(), environ))


@pytest.mark.parametrize(
    ("dotenv", "environ", "argv", "expected"),
    [
        (None, {}, [], 9000),
        ("TASKMCP_AUTH_PORT=9101\n", {}, [], 9101),
        ("TASKMCP_AUTH_PORT=9101\n", {"TASKMCP_AUTH_PORT": "9102"}, [], 9102),
        ("TASKMCP_AUTH_PORT=9101\n", {"TASKMCP_AUTH_PORT": "9102"}, ["--port", "9103"], 9103),
        (None, {}, ["--port", "9103"], 9103),
    ],
    ids=["default", "dotenv-beats-default", "env-beats-dotenv", "flag-beats-env", "flag-only"],
)
def test_flag_beats_env_beats_dotenv_beats_default(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dotenv: str | None,
    environ: dict[str, str],
    argv: list[str],
    expected: int,
) -> None:
    monkeypatch.chdir(tmp_path)
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv)
    assert _auth_settings(argv, environ).port == expected


def test_precedence_is_per_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "TASKMCP_AUTH_HOST=mcp-test-host\nTASKMCP_LOG_LEVEL=debug\nTASKMCP_STORAGE_URL=memory://\n"
    )
    settings = _auth_settings(["--storage-url", "sqlite:///x.db"], {"TASKMCP_LOG_LEVEL": "error"})
    assert (settings.host, settings.log_level, settings.storage_url) == (
        "mcp-test-host",
        "error",
        "sqlite:///x.db",
    )


def test_reading_dotenv_leaves_os_environ_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TASKMCP_TEST_ONLY_MARKER=1\nEMPTY_WITHOUT_VALUE\n")
    environ = read_environ(tmp_path, {})
    assert environ == {"TASKMCP_TEST_ONLY_MARKER": "1"}
    assert "TASKMCP_TEST_ONLY_MARKER" not in os.environ


@pytest.mark.parametrize(
    ("service", "sources"), [("auth", AUTH_SOURCES), ("resource", RESOURCE_SOURCES)]
)
def test_every_documented_flag_exists_and_sets_its_field(
    service: str, sources: dict[str, Source]
) -> None:
    parser = build_parser()
    for field, source in sources.items():
        if source.flag is None or field in {"oauth_strict", "no_auth"}:
            continue
        args = parser.parse_args([service, source.flag, "value"])
        assert getattr(args, field) == "value", source.flag
    flags_not_given = parser.parse_args([service])
    assert all(getattr(flags_not_given, field, None) is None for field in sources)


def test_public_url_alias_and_boolean_flags() -> None:
    parser = build_parser()
    args = parser.parse_args(["auth", "--public-url", "https://as.example"])
    assert args.public_url == "https://as.example"
    assert parser.parse_args(["resource", "--no-oauth-strict"]).oauth_strict is False
    settings = load_settings(
        ResourceSettings, parser.parse_args(["resource", "--no-oauth-strict"]), {}
    )
    assert settings.oauth_strict is False
    strict = parser.parse_args(["resource", "--oauth-strict"])
    assert load_settings(ResourceSettings, strict, {"TASKMCP_OAUTH_STRICT": "off"}).oauth_strict


# -- clear errors, in process ---------------------------------------------------------


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


def test_a_bad_port_flag_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["auth", "--port", "0"], environ={"TASKMCP_AUTH_PORT": "9000"}) == 2
    line = _error_line(capsys)
    assert line == "taskmcp: configuration error: --port: must be an integer between 1 and 65535"


def test_a_bad_value_in_dotenv_is_named_by_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("MCP_SERVER_URL=https://mcp.example.com/\n")
    assert main(["resource"], environ={}) == 2
    line = _error_line(capsys)
    assert line == "taskmcp: configuration error: MCP_SERVER_URL: must not end with '/'"


@pytest.mark.parametrize("command", ["dev", "serve"])
def test_every_command_names_a_bad_port_flag(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    flag = "--auth-port" if command == "dev" else "--port"
    assert main([command, flag, "0"], environ={}) == 2
    assert _error_line(capsys).startswith(f"taskmcp: configuration error: {flag}: ")


# -- real processes ---------------------------------------------------------------------


def _python(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _assert_one_clean_line(result: subprocess.CompletedProcess[str], name: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"taskmcp: configuration error: {name}: ")
    assert "Traceback" not in result.stderr


def test_a_bad_port_flag_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _python([str(ROOT / "run_auth.py"), "--port", "70000"], tmp_path)
    _assert_one_clean_line(result, "--port")


def test_a_secret_never_appears_in_a_configuration_error(tmp_path: Path) -> None:
    env = {"TASKMCP_ENV": "production", "TASKMCP_SECRET_KEY": PLANTED}
    result = _python(["-m", "taskmcp.cli", "auth"], tmp_path, env)
    _assert_one_clean_line(result, "TASKMCP_SECRET_KEY")
    assert PLANTED not in result.stderr


def test_dotenv_in_the_working_directory_is_read_by_the_process(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TASKMCP_INTROSPECTION_CLIENT_SECRET={PLANTED}\nTASKMCP_AUTH_PORT=http\n"
    )
    result = _python([str(ROOT / "run_auth.py")], tmp_path)
    _assert_one_clean_line(result, "TASKMCP_AUTH_PORT")
    assert PLANTED not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["-m", "taskmcp.cli", "--help"],
            "run a development stand-in for TaskManager (not TaskManager)",
        ),
        (["-m", "taskmcp.cli", "auth", "--help"], "--public-url"),
        ([str(ROOT / "run_resource.py"), "--help"], "--no-oauth-strict"),
    ],
    ids=["taskmcp", "taskmcp-auth", "run_resource"],
)
def test_help_works(tmp_path: Path, args: list[str], expected: str) -> None:
    result = _python(args, tmp_path)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_the_help_names_dev_and_serve(tmp_path: Path) -> None:
    result = _python(["-m", "taskmcp.cli", "--help"], tmp_path)
    assert "run the whole system locally" in result.stdout
    assert "run both services in one process on one origin" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthz_status(port: int) -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def _wait_until_healthy(proc: subprocess.Popen[str], port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _healthz_status(port) != 200:
        assert proc.poll() is None, "the server exited before becoming healthy"
        assert time.monotonic() < deadline, "the server did not answer /healthz in time"
        time.sleep(0.1)


def test_the_auth_server_starts_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    args = ["--host", "127.0.0.1", "--port", str(port)]
    args += ["--storage-url", f"sqlite:///{tmp_path / 'a.db'}"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TASKMCP_DATA_DIR": str(tmp_path / "data"),
    }
    with subprocess.Popen(
        [sys.executable, str(ROOT / "run_auth.py"), *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            _wait_until_healthy(proc, port, timeout=15)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, stderr
    assert f"listening on http://127.0.0.1:{port}" in stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "data" / "secret.key").exists()


# -- the apps -------------------------------------------------------------------------


@pytest.fixture
async def memory_storage() -> AsyncIterator[Storage]:
    async with open_storage("memory://") as storage:
        yield storage


async def test_auth_app_is_healthy_and_ready_with_memory_storage(
    aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, memory_storage: Storage
) -> None:
    taskmanager = await aiohttp_server(web.Application())  # any HTTP answer below 500
    url = str(taskmanager.make_url("/")).rstrip("/")
    settings = AuthSettings.load({"TASKMANAGER_OAUTH_HOST": url})
    client = await aiohttp_client(
        create_auth_app(settings, storage=memory_storage, secret_key=TEST_KEY)
    )
    healthz = await client.get("/healthz")
    assert (healthz.status, await healthz.json()) == (200, {"status": "ok"})
    readyz = await client.get("/readyz")
    assert (readyz.status, await readyz.json()) == (200, {"status": "ready"})


async def test_auth_app_is_not_ready_when_storage_fails(
    aiohttp_client: AiohttpClient, memory_storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable() -> None:
        raise StorageUnavailableError("database is locked")

    monkeypatch.setattr(memory_storage, "ping", unreachable)
    client = await aiohttp_client(
        create_auth_app(AuthSettings.load({}), storage=memory_storage, secret_key=TEST_KEY)
    )
    readyz = await client.get("/readyz")
    assert readyz.status == 503
    body = await readyz.json()
    assert (body["status"], body["checks"]["storage"]) == ("not ready", "unreachable")
    assert (await client.get("/healthz")).status == 200


def _sweeper_running() -> bool:
    return any(t.get_name() == "storage-sweeper" and not t.done() for t in asyncio.all_tasks())


async def test_auth_app_runs_the_sweeper_only_while_it_runs(
    aiohttp_client: AiohttpClient, memory_storage: Storage
) -> None:
    client = await aiohttp_client(
        create_auth_app(AuthSettings.load({}), storage=memory_storage, secret_key=TEST_KEY)
    )
    assert _sweeper_running()
    await client.close()
    assert not _sweeper_running()


async def test_resource_app_is_healthy(aiohttp_client: AiohttpClient) -> None:
    app = create_resource_app(ResourceSettings.load({}), tools=default_registry())
    client = await aiohttp_client(app)
    response = await client.get("/healthz")
    assert (response.status, await response.json()) == (200, {"status": "ok"})


# -- the runner -------------------------------------------------------------------------


async def test_serve_runs_until_stopped_then_cleans_up(memory_storage: Storage) -> None:
    port, stop = _free_port(), asyncio.Event()
    app = create_auth_app(AuthSettings.load({}), storage=memory_storage, secret_key=TEST_KEY)
    server = asyncio.create_task(serve(app, host="127.0.0.1", port=port, stop=stop))
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert response.status == 200
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        else:
            pytest.fail("serve() never accepted a connection")
    assert _sweeper_running()
    stop.set()
    await asyncio.wait_for(server, timeout=10)
    assert not _sweeper_running()


async def test_serve_reports_a_taken_port_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = create_resource_app(ResourceSettings.load({}), tools=default_registry())
        with pytest.raises(ServeError, match=rf"^cannot listen on http://127\.0\.0\.1:{port}: "):
            await serve(app, host="127.0.0.1", port=port, stop=asyncio.Event())

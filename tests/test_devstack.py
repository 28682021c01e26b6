"""``taskmcp dev`` (issue #7): one command starts the stand-in, the authorization server
and the resource server, wired together, with everything kept in the data directory.

The wiring and the restart are tested in process on ephemeral ports, through the real
pages (our consent, the stand-in's login and consent) and the real ``mcp`` client; the
command line, the banner and the clean stop on SIGINT/SIGTERM on a real process."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import httpx2
import mcp
import pytest
from mcp.client.streamable_http import streamable_http_client

from taskmcp.cli import main
from taskmcp.config import DevSettings
from taskmcp.devstack import DevStack, banner, plan_dev_stack, run_dev_stack
from taskmcp.resource.introspection import basic_credentials
from taskmcp.runner import ServeError
from tests.support.browser import Browser, Page, query_of
from tests.support.stack import free_port, pkce_pair

ROOT = Path(__file__).resolve().parent.parent
REDIRECT = "http://127.0.0.1:9/cb"
EVERYWHERE = "0.0.0.0"  # noqa: S104 (never bound: refused, or only planned)


def _dev(tmp_path: Path, **flags: object) -> DevSettings:
    ports = {"taskmanager_port": free_port(), "auth_port": free_port()}
    ports["resource_port"] = free_port()
    return DevSettings.load({}, {"data_dir": str(tmp_path / "data"), **ports, **flags})


@asynccontextmanager
async def _running(stack: DevStack) -> AsyncIterator[DevStack]:
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run_dev_stack(stack, stop=stop, ready=ready.set))
    waiter = asyncio.create_task(ready.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # raises what made the stack fail to start
        yield stack
    finally:
        waiter.cancel()
        stop.set()
        await task


# -- wiring ---------------------------------------------------------------------------


def test_the_three_services_agree_on_every_url_and_secret(tmp_path: Path) -> None:
    stack = plan_dev_stack(_dev(tmp_path))
    dev, auth, resource, standin = stack.dev, stack.auth, stack.resource, stack.standin
    assert auth.public_url == f"http://localhost:{dev.auth_port}"
    assert resource.auth_server_public_url == auth.public_url
    assert resource.auth_server == f"http://127.0.0.1:{dev.auth_port}"
    assert resource.mcp_resource == auth.mcp_resource == f"http://localhost:{dev.resource_port}/mcp"
    assert auth.taskmanager_url == resource.taskmanager_url
    assert auth.taskmanager_url == f"http://localhost:{dev.taskmanager_port}"
    [client] = standin.clients
    assert (client.client_id, client.redirect_uri) == (
        "brooks",
        f"{auth.public_url}/oauth/callback",
    )
    assert auth.client_secret is not None
    assert client.secret.get_secret_value() == auth.client_secret.get_secret_value()
    assert resource.introspection_client_secret is not None
    assert auth.introspection_client_secret is not None
    assert (
        resource.introspection_client_secret.get_secret_value()
        == auth.introspection_client_secret.get_secret_value()
    )
    assert (auth.env, resource.env, resource.taskmanager_auth) == ("development",) * 2 + ("user",)
    assert auth.storage_url == f"sqlite:///{dev.data_dir}/auth.db"
    assert standin.db == f"sqlite:///{dev.data_dir}/taskmanager.db"


def test_secrets_are_generated_once_private_and_reused(tmp_path: Path) -> None:
    first = plan_dev_stack(_dev(tmp_path))
    second = plan_dev_stack(_dev(tmp_path))
    assert first.secret_key == second.secret_key
    assert first.standin.clients[0].secret == second.standin.clients[0].secret
    assert first.resource.introspection_client_secret == second.resource.introspection_client_secret
    names = {"secret.key", "upstream-client.secret", "introspection.secret"}
    assert names <= {path.name for path in first.dev.data_dir.iterdir()}
    for name in names:
        assert (first.dev.data_dir / name).stat().st_mode & 0o777 == 0o600
    assert first.dev.data_dir.stat().st_mode & 0o777 == 0o700


def test_revision_dec_uses_the_first_user_as_the_service_account(tmp_path: Path) -> None:
    stack = plan_dev_stack(_dev(tmp_path, revision="dec", users=["carol:pw1", "dave:pw2"]))
    assert stack.standin.revision == "dec"
    assert stack.resource.taskmanager_auth == "service"
    assert stack.resource.taskmanager_username == "carol"
    assert stack.resource.taskmanager_password is not None
    assert stack.resource.taskmanager_password.get_secret_value() == "pw1"
    assert "every MCP user sees carol's tasks" in banner(stack)


def test_the_banner_says_where_to_connect_and_how_to_sign_in(tmp_path: Path) -> None:
    stack = plan_dev_stack(_dev(tmp_path))
    text = banner(stack)
    mcp_url = f"http://localhost:{stack.dev.resource_port}/mcp"
    assert f"claude mcp add --transport http taskmcp {mcp_url}" in text
    assert "npx @modelcontextprotocol/inspector@2.12.0" in text
    assert "demo / demo" in text
    other = plan_dev_stack(_dev(tmp_path, users=["erin:hunter2-secret"]))
    assert "hunter2-secret" not in banner(other)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--host", EVERYWHERE], "--host: must be loopback (127.0.0.1, ::1, localhost) unless"),
        (["--auth-port", "8001"], "must be three different ports"),
        (["--resource-port", "http"], "--resource-port: must be an integer between 1 and 65535"),
        (["--user", "nopassword"], "--user: must be NAME:PASSWORD"),
        (["--revision", "feb"], "--revision: must be one of jan, dec"),
    ],
    ids=["remote-host", "same-port", "bad-port", "bad-user", "bad-revision"],
)
def test_a_bad_flag_is_one_configuration_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["dev", *argv], environ={}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("taskmcp: configuration error: ")
    assert message in err
    assert not (tmp_path / ".taskmcp").exists()


def test_a_production_dotenv_does_not_leak_into_dev(tmp_path: Path) -> None:
    """Only ``DEV_SOURCES`` are read: a deployment's mode, URLs and secrets are not."""
    environ = {
        "TASKMCP_ENV": "production",
        "MCP_SERVER_URL": "https://mcp.example.com",
        "MCP_AUTH_SERVER_PUBLIC_URL": "https://auth.example.com",
        "TASKMCP_STORAGE_URL": "memory://",
        "TASKMCP_AUTH_PORT": "9123",
        "TASKMCP_DATA_DIR": str(tmp_path / "env-data"),
    }
    stack = plan_dev_stack(DevSettings.load(environ))
    assert stack.auth.env == "development"
    assert stack.auth.public_url == "http://localhost:9123"
    assert stack.auth.storage_url == f"sqlite:///{tmp_path / 'env-data'}/auth.db"
    assert stack.resource.mcp_server_url == "http://localhost:8001"


def test_non_loopback_needs_allow_remote_and_then_warns(tmp_path: Path) -> None:
    settings = _dev(tmp_path, host=EVERYWHERE, allow_remote=True)
    assert any("other machines" in warning for warning in settings.startup_warnings())
    stack = plan_dev_stack(settings)
    assert stack.resource.auth_server == f"http://127.0.0.1:{settings.auth_port}"
    assert "http://localhost:6274" in stack.resource.allowed_origins


# -- the real flow, then a restart ----------------------------------------------------


async def _sign_in(stack: DevStack, http: aiohttp.ClientSession) -> dict[str, str]:
    """Register a public client, authorize through the three pages, redeem the code."""
    issuer = stack.auth.public_url
    registration = {"client_name": "dev test", "redirect_uris": [REDIRECT],
                    "token_endpoint_auth_method": "none",
                    "grant_types": ["authorization_code", "refresh_token"]}  # fmt: skip
    async with http.post(f"{issuer}/register", json=registration) as resp:
        assert resp.status == 201, await resp.text()
        client_id = (await resp.json())["client_id"]
    verifier, challenge = pkce_pair()
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
             "code_challenge": challenge, "code_challenge_method": "S256"}  # fmt: skip
    code = await _authorize(f"{issuer}/authorize?{urlencode(query)}")
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": REDIRECT, "client_id": client_id}  # fmt: skip
    async with http.post(f"{issuer}/token", data=form) as resp:
        assert resp.status == 200, await resp.text()
        tokens: dict[str, str] = await resp.json()
    return {**tokens, "client_id": client_id}


async def _authorize(url: str) -> str:
    """Our consent (Allow), the stand-in's login (demo/demo) and consent (Allow)."""
    browser = Browser()
    try:
        page = await browser.get(url)
        page = await browser.submit(page, page.forms()[0], decision="allow")
        while page.location and not page.location.startswith(REDIRECT):
            page = await _step(browser, page)
    finally:
        await browser.close()
    assert page.location is not None, page.text
    return query_of(page.location)["code"]


async def _step(browser: Browser, page: Page) -> Page:
    assert page.location is not None
    page = await browser.get(page.location)
    if page.status != 200:
        return page
    form = page.forms()[0]
    if "password" in form.fields:
        return await browser.submit(page, form, username="demo", password="demo")
    return await browser.submit(page, form, action="allow")


@asynccontextmanager
async def _mcp(stack: DevStack, access_token: str) -> AsyncIterator[mcp.Client]:
    headers = {"Authorization": f"Bearer {access_token}"}
    url = stack.resource.mcp_resource
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        mcp.Client(streamable_http_client(url, http_client=http), mode="auto") as client,
    ):
        yield client


async def _introspect(stack: DevStack, http: aiohttp.ClientSession, token: str) -> bool:
    secret = stack.resource.introspection_client_secret
    assert secret is not None
    auth = basic_credentials(stack.resource.introspection_client_id, secret.get_secret_value())
    async with http.post(
        f"{stack.resource.auth_server}/introspect",
        data={"token": token},
        headers={"Authorization": auth},
    ) as resp:
        assert resp.status == 200
        active: bool = (await resp.json())["active"]
        return active


async def test_a_restart_keeps_clients_tokens_and_tasks(tmp_path: Path) -> None:
    settings = _dev(tmp_path)
    async with aiohttp.ClientSession() as http:
        async with _running(plan_dev_stack(settings)) as stack:
            tokens = await _sign_in(stack, http)
            async with _mcp(stack, tokens["access_token"]) as client:
                created = await client.call_tool("create_task", {"title": "Survive a restart"})
                assert not created.is_error, created
        async with _running(plan_dev_stack(settings)) as stack:
            assert await _introspect(stack, http, tokens["access_token"])
            async with _mcp(stack, tokens["access_token"]) as client:
                listed = await client.call_tool("list_tasks", {})
            assert listed.structured_content is not None
            titles = [task["title"] for task in listed.structured_content["tasks"]]
            assert titles == ["Survive a restart"]
            form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                    "client_id": tokens["client_id"]}  # fmt: skip
            async with http.post(f"{stack.auth.public_url}/token", data=form) as resp:
                assert resp.status == 200, await resp.text()
                assert (await resp.json())["access_token"] != tokens["access_token"]


async def test_revision_dec_serves_the_service_accounts_tasks(tmp_path: Path) -> None:
    async with (
        aiohttp.ClientSession() as http,
        _running(plan_dev_stack(_dev(tmp_path, revision="dec"))) as stack,
    ):
        tokens = await _sign_in(stack, http)
        async with _mcp(stack, tokens["access_token"]) as client:
            assert not (await client.call_tool("create_task", {"title": "Via DEC"})).is_error
            listed = await client.call_tool("list_tasks", {})
        assert listed.structured_content is not None
        assert [task["title"] for task in listed.structured_content["tasks"]] == ["Via DEC"]


async def test_a_taken_port_stops_the_others_and_reports_it(tmp_path: Path) -> None:
    settings = _dev(tmp_path)
    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", settings.resource_port)
    try:
        with pytest.raises(ServeError, match=f"cannot listen on .*:{settings.resource_port}"):
            async with _running(plan_dev_stack(settings)):
                pass
    finally:
        blocker.close()
        await blocker.wait_closed()
    async with _running(plan_dev_stack(settings)):  # the two that started were stopped
        pass


# -- the command ----------------------------------------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_taskmcp_dev_prints_the_banner_and_stops_cleanly(
    tmp_path: Path, stop: signal.Signals
) -> None:
    ports = [free_port(), free_port(), free_port()]
    argv = ["--taskmanager-port", str(ports[0]), "--auth-port", str(ports[1])]
    argv += ["--resource-port", str(ports[2]), "--data-dir", str(tmp_path / "d")]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "taskmcp.cli", "dev", *argv],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        try:
            assert proc.stdout is not None
            # the banner comes once all three listen
            assert select.select([proc.stdout], [], [], 30)[0], "no banner within 30 s"
            banner = [proc.stdout.readline() for _ in range(3)]
            assert banner[0].startswith("taskmcp dev is running")
            assert f"MCP server     http://localhost:{ports[2]}/mcp" in banner[2]
            proc.send_signal(stop)
            _, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in err
    assert (tmp_path / "d" / "auth.db").exists()
    assert (tmp_path / "d" / "taskmanager.db").exists()


def test_dev_help_lists_its_flags(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "taskmcp.cli", "dev", "--help"],
        cwd=tmp_path, env={"PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for flag in ["--taskmanager-port", "--auth-port", "--resource-port", "--data-dir",
                 "--user", "--revision", "--host", "--allow-remote"]:  # fmt: skip
        assert flag in result.stdout

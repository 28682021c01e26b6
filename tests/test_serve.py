"""``taskmcp serve`` (issue #7): both services in one process on one origin.

The issuer is the MCP server's origin, every endpoint sits at its default path beside
``/mcp`` (claude.ai's path bug, clients-in-the-wild §2), each app keeps its own error
rendering, CORS, guard and body limit, and tokens are verified in-process. The real
``mcp`` client signs in through our consent page and the stand-in's pages."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from taskmcp.config import ConfigError, StandinSettings
from taskmcp.runner import running
from taskmcp.serve_app import create_serve_app
from taskmcp.serve_settings import ServeSettings
from taskmcp.standin import create_standin_app, open_standin_store, seed_store, utcnow
from taskmcp.storage import open_storage
from taskmcp.tools import default_registry
from tests.support.mcp_person import Person
from tests.support.stack import FakeClock, Stack, free_port
from tests.test_tls import _self_signed

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM_SECRET = "brooks-serve-secret-0123456789abcdef"
SECRET_KEY = b"serve-test-secret-key-0123456789-abcdef"
KEY = "k" * 40
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


@contextlib.asynccontextmanager
async def run_serve(tmp_path: Path) -> AsyncIterator[Stack]:
    """The stand-in, and ``taskmcp serve``'s app on one origin in front of it."""
    tm_port, port = free_port(), free_port()
    origin, taskmanager = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{tm_port}"
    standin = StandinSettings.load(
        {}, {"users": ["alice:pw", "bob:pw"],
             "clients": [f"brooks:{UPSTREAM_SECRET}:{origin}/oauth/callback"]},
    )  # fmt: skip
    environ = {"MCP_SERVER_URL": origin, "TASKMANAGER_OAUTH_HOST": taskmanager,
               "TASKMANAGER_CLIENT_SECRET": UPSTREAM_SECRET,
               "TASKMCP_INTROSPECTION_CACHE_TTL": "0"}  # fmt: skip
    settings = ServeSettings.load(environ, {"port": port})
    async with contextlib.AsyncExitStack() as stack:
        tm_store = await stack.enter_async_context(open_standin_store("memory://"))
        await seed_store(tm_store, standin.users, standin.clients, now=utcnow())
        tm_app = create_standin_app(standin, tm_store)
        await stack.enter_async_context(running(tm_app, host="127.0.0.1", port=tm_port))
        storage = await stack.enter_async_context(open_storage(f"sqlite:///{tmp_path}/auth.db"))
        app = create_serve_app(
            settings, storage=storage, secret_key=SECRET_KEY, tools=default_registry()
        )
        await stack.enter_async_context(running(app, host="127.0.0.1", port=port))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield Stack(origin, taskmanager, storage, FakeClock(), http, origin)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Stack]:
    async with run_serve(tmp_path) as stack:
        yield stack


# -- settings -------------------------------------------------------------------------


def test_the_issuer_is_exactly_the_mcp_origin() -> None:
    environ = {
        "TASKMCP_ENV": "production",
        "TASKMCP_SECRET_KEY": KEY,
        "TASKMANAGER_CLIENT_SECRET": UPSTREAM_SECRET,
        "MCP_SERVER_URL": "https://mcp.example.com",
        "MCP_AUTH_SERVER_PUBLIC_URL": "https://auth.example.com",
        "TASKMCP_RESOURCE_HOST": "0.0.0.0",  # noqa: S104 (never bound)
        "TASKMCP_RESOURCE_PORT": "8443",
    }
    settings = ServeSettings.load(environ)
    assert settings.origin == "https://mcp.example.com"
    assert settings.auth.public_url == settings.resource.auth_server_public_url == settings.origin
    assert settings.auth.mcp_resource == settings.resource.mcp_resource
    assert (settings.auth.host, settings.auth.port) == ("0.0.0.0", 8443)  # noqa: S104
    assert any("MCP_AUTH_SERVER_PUBLIC_URL is ignored" in w for w in settings.startup_warnings())


def test_production_needs_no_introspection_secret_but_keeps_a_given_one() -> None:
    environ = {"TASKMCP_ENV": "production", "TASKMCP_SECRET_KEY": KEY,
               "TASKMANAGER_CLIENT_SECRET": UPSTREAM_SECRET,
               "MCP_SERVER_URL": "https://mcp.example.com"}  # fmt: skip
    generated = ServeSettings.load(environ)
    assert generated.auth.introspection_client_secret is not None
    assert generated.startup_warnings() == ()
    given = ServeSettings.load({**environ, "TASKMCP_INTROSPECTION_CLIENT_SECRET": "s" * 32})
    assert given.auth.introspection_client_secret is not None
    assert given.auth.introspection_client_secret.get_secret_value() == "s" * 32


@pytest.mark.parametrize(
    ("environ", "overrides", "message"),
    [
        ({"MCP_SERVER_URL": "https://mcp.example.com/"}, {}, "MCP_SERVER_URL: must not end"),
        ({}, {"mcp_server_url": "http://mcp.example.com"}, "--server-url: must use https"),
        ({"TASKMCP_ENV": "production"}, {}, "TASKMCP_SECRET_KEY: required"),
    ],
    ids=["trailing-slash", "plain-http-flag", "production-key"],
)
def test_a_bad_setting_names_its_variable_or_flag(
    environ: dict[str, str], overrides: dict[str, object], message: str
) -> None:
    environ = {"TASKMANAGER_CLIENT_SECRET": UPSTREAM_SECRET, **environ}
    with pytest.raises(ConfigError, match=message):
        ServeSettings.load(environ, overrides)


# -- one origin -----------------------------------------------------------------------


async def _json(stack: Stack, path: str) -> dict[str, object]:
    async with stack.http.get(f"{stack.issuer}{path}") as resp:
        assert resp.status == 200, path
        body: dict[str, object] = await resp.json()
        return body


async def test_as_metadata_issuer_is_the_mcp_origin_and_the_prm_names_it(served: Stack) -> None:
    origin = served.issuer
    metadata = await _json(served, "/.well-known/oauth-authorization-server")
    assert metadata["issuer"] == origin
    for name, path in [("authorization_endpoint", "/authorize"), ("token_endpoint", "/token"),
                       ("registration_endpoint", "/register"), ("revocation_endpoint", "/revoke"),
                       ("introspection_endpoint", "/introspect")]:  # fmt: skip
        assert metadata[name] == f"{origin}{path}"
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ]:
        prm = await _json(served, path)
        assert prm["resource"] == f"{origin}/mcp"
        assert prm["authorization_servers"] == [metadata["issuer"]]


async def test_each_app_keeps_its_own_errors_guard_and_health(served: Stack) -> None:
    origin = served.issuer
    token = await served.post("/token", {"grant_type": "password"})
    assert token.status == 401
    assert (await token.json())["error"] == "invalid_client"
    async with served.http.post(f"{origin}/mcp", json={}, headers=MCP_HEADERS) as resp:
        assert resp.status == 401
        challenge = resp.headers["WWW-Authenticate"]
        assert f'resource_metadata="{origin}/.well-known/oauth-protected-resource/mcp"' in challenge
    evil = {**MCP_HEADERS, "Origin": "https://evil.example"}
    async with served.http.post(f"{origin}/mcp", json={}, headers=evil) as resp:
        assert resp.status == 403
    async with served.http.put(f"{origin}/mcp") as resp:
        assert resp.status == 405
    async with served.http.get(f"{origin}/no-such-page") as resp:
        assert resp.status == 404
    assert (await _json(served, "/healthz"))["status"] == "ok"
    assert (await _json(served, "/readyz"))["status"] == "ready"


async def test_cors_stays_where_each_app_put_it(served: Stack) -> None:
    origin, browser = served.issuer, "http://localhost:6274"
    for path in ["/token", "/register", "/mcp"]:
        preflight = {"Origin": browser, "Access-Control-Request-Method": "POST"}
        async with served.http.options(f"{origin}{path}", headers=preflight) as resp:
            assert resp.status == 200, path
            assert resp.headers["Access-Control-Allow-Origin"] in ("*", browser), path
    async with served.http.get(f"{origin}/authorize", headers={"Origin": browser}) as resp:
        assert "Access-Control-Allow-Origin" not in resp.headers


async def test_the_authorization_server_keeps_its_smaller_body_limit(served: Stack) -> None:
    client = await served.register()
    tokens = await served.tokens(str(client["client_id"]))
    big = "x" * (100 * 1024)
    refused = await served.post("/token", {"grant_type": "refresh_token", "padding": big})
    assert refused.status == 413
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {tokens['access_token']}"}
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"padding": big}}
    async with served.http.post(f"{served.issuer}/mcp", json=body, headers=headers) as resp:
        assert resp.status != 413


async def test_introspection_is_closed_and_not_needed(served: Stack) -> None:
    client = await served.register()
    tokens = await served.tokens(str(client["client_id"]))
    status, body = await served.introspect(str(tokens["access_token"]))
    assert (status, body["error"]) == (401, "invalid_client")
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {tokens['access_token']}"}
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    async with served.http.post(f"{served.issuer}/mcp", json=ping, headers=headers) as resp:
        assert resp.status != 401
    revoked = await served.post(
        "/revoke", {"token": str(tokens["refresh_token"]), "client_id": str(client["client_id"])}
    )
    assert revoked.status == 200
    async with served.http.post(f"{served.issuer}/mcp", json=ping, headers=headers) as resp:
        assert resp.status == 401


# -- the real client ------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_the_mcp_client_signs_in_on_one_origin_and_calls_tools(
    served: Stack, mode: str
) -> None:
    alice = Person(served, "alice")
    async with alice.connect(mode) as client:
        created = await client.call_tool("create_task", {"title": f"One origin ({mode})"})
        assert not created.is_error, created
        listed = await client.call_tool("list_tasks", {})
    assert listed.structured_content is not None
    assert [t["title"] for t in listed.structured_content["tasks"]] == [f"One origin ({mode})"]
    assert alice.authorizations == 1
    assert alice.storage.tokens is not None
    assert alice.storage.client_info is not None
    async with alice.connect(mode) as client:  # the stored tokens are enough
        assert not (await client.call_tool("get_time", {})).is_error
    assert alice.authorizations == 1


# -- the command ----------------------------------------------------------------------


def test_taskmcp_serve_answers_https_on_one_origin_and_stops_on_sigterm(tmp_path: Path) -> None:
    port, (cert, key) = free_port(), _self_signed(tmp_path)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    argv = ["--port", str(port), "--data-dir", str(tmp_path / "d"), "--tls-cert", str(cert),
            "--tls-key", str(key), "--server-url", f"https://localhost:{port}"]  # fmt: skip
    with subprocess.Popen(
        [sys.executable, "-m", "taskmcp.cli", "serve", *argv],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        try:
            metadata = _wait_for_metadata(proc, port, cert)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err
    assert metadata["issuer"] == f"https://localhost:{port}"
    assert metadata["token_endpoint"] == f"https://localhost:{port}/token"
    assert (tmp_path / "d" / "auth.db").exists()
    assert "Traceback" not in err


def _wait_for_metadata(proc: subprocess.Popen[str], port: int, cert: Path) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while True:
        assert proc.poll() is None, "taskmcp serve exited early"
        assert time.monotonic() < deadline, "taskmcp serve did not answer in time"
        context = ssl.create_default_context(cafile=cert)
        conn = http.client.HTTPSConnection("localhost", port, timeout=1, context=context)
        try:
            conn.request("GET", "/.well-known/oauth-authorization-server")
            body: dict[str, object] = json.loads(conn.getresponse().read())
            return body
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()

"""One access log line per request, request ids, JSON lines, and no secret in any log
record at any level (issue #7)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from pytest_aiohttp import AiohttpClient

from taskmcp.config import ResourceSettings
from taskmcp.logs import CHATTY_LOGGERS
from taskmcp.observability.logformat import TEXT_FORMAT, JsonFormatter, RequestIdFilter
from taskmcp.resource_app import create_resource_app
from taskmcp.tools import default_registry
from tests.observability.support import call_tool, serving
from tests.support.browser import Browser
from tests.support.stack import (
    RS_SECRET,
    SECRET_KEY,
    UPSTREAM_SECRET,
    Stack,
    pkce_pair,
    run_stack,
)

ACCESS = "aiohttp.access"
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    async with run_stack("memory://", with_resource=True) as running:
        yield running


def _access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == ACCESS]


def _json_lines(records: list[logging.LogRecord]) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in records]
    assert all("\n" not in line for line in lines)
    return [json.loads(line) for line in lines]


async def test_a_request_id_is_generated_or_kept_and_always_echoed(
    aiohttp_client: AiohttpClient,
) -> None:
    client = await aiohttp_client(
        create_resource_app(ResourceSettings.load({}), tools=default_registry())
    )
    generated = await client.get("/healthz")
    assert HEX_ID.fullmatch(generated.headers["X-Request-Id"])
    kept = await client.get("/healthz", headers={"X-Request-Id": "lb-42.a_B-c"})
    assert kept.headers["X-Request-Id"] == "lb-42.a_B-c"
    for unsafe in ("x" * 65, "a;b", "", "id with space"):
        replaced = await client.get("/healthz", headers={"X-Request-Id": unsafe})
        assert HEX_ID.fullmatch(replaced.headers["X-Request-Id"]), unsafe
    for path in ("/mcp", "/no/such/route"):  # an auth error and a 404 carry it too
        answer = await client.post(path, json={}, headers={"X-Request-Id": "err-1"})
        assert answer.status in (401, 404)
        assert answer.headers["X-Request-Id"] == "err-1"


async def test_one_line_per_request_with_route_status_duration_and_client(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    client_id = str((await stack.register())["client_id"])
    tokens = await stack.tokens(client_id)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        form = {"grant_type": "refresh_token", "client_id": client_id,
                "refresh_token": str(tokens["refresh_token"])}  # fmt: skip
        refreshed = await stack.post("/token", form, headers={"X-Request-Id": "refresh-1"})
        await call_tool(stack.http, stack.resource, str(tokens["access_token"]),
                        "list_projects", {})  # fmt: skip
        await stack.http.get(f"{stack.issuer}/authorize?client_id=x&state=query-secret")
    assert refreshed.headers["X-Request-Id"] == "refresh-1"
    lines = _json_lines(_access_records(caplog))
    token_line = next(line for line in lines if line["route"] == "/token")
    assert token_line["request_id"] == "refresh-1"
    assert (token_line["method"], token_line["status"], token_line["client_id"]) == (
        "POST", 200, client_id,
    )  # fmt: skip
    assert isinstance(token_line["duration_ms"], float)
    mcp_lines = [line for line in lines if line["route"] == "/mcp"]
    assert len(mcp_lines) == 3  # initialize, initialized, tools/call
    assert all(line["client_id"] == client_id for line in mcp_lines)
    text = logging.Formatter(TEXT_FORMAT)
    authorize = next(r for r in _access_records(caplog) if "/authorize" in r.getMessage())
    assert "query-secret" not in text.format(authorize)
    assert " GET /authorize 400 " in f" {authorize.getMessage()}"


async def test_records_logged_inside_a_request_carry_its_id(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    client_id = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(client_id)
    caplog.handler.addFilter(RequestIdFilter())  # as configure_logging does
    with caplog.at_level(logging.INFO, logger="taskmcp"):
        form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                "client_id": client_id, "redirect_uri": "http://127.0.0.1:9/cb"}  # fmt: skip
        response = await stack.post("/token", form, headers={"X-Request-Id": "issue-7"})
    assert response.status == 200
    issued = [r for r in caplog.records if r.getMessage().startswith("tokens issued")]
    assert [line["request_id"] for line in _json_lines(issued)] == ["issue-7"]
    line = _json_lines(issued)[0]
    assert set(line) >= {"time", "level", "logger", "message"}
    assert (line["level"], line["logger"]) == ("info", "taskmcp.oauth.token")


def _secrets_of(browser: Browser) -> set[str]:
    """Every code and state the browser carried (ours and TaskManager's), and our
    consent page's sealed transaction (the CSRF token)."""
    found: set[str] = set()
    for page in browser.history:
        for url in (page.url, page.location or ""):
            query = parse_qsl(urlsplit(url).query)
            found.update(value for name, value in query if name in ("code", "state"))
        for form in page.forms():
            found.update(v for name, v in form.fields.items() if name == "transaction")
    return found


async def test_no_token_code_or_secret_is_ever_logged_even_at_debug(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = await stack.register(token_endpoint_auth_method="client_secret_post")
    client_id, client_secret = str(client["client_id"]), str(client["client_secret"])
    verifier, challenge = pkce_pair()
    browser = Browser()
    try:
        final = await stack.authorize(browser, stack.authorize_url(client_id, challenge))
    finally:
        await browser.close()
    code = dict(parse_qsl(urlsplit(final.location or "").query))["code"]
    tokens = await (
        await stack.exchange(client_id, code, verifier, client_secret=client_secret)
    ).json()
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": client_id, "client_secret": client_secret}  # fmt: skip
    refreshed = await (await stack.post("/token", form)).json()
    _, introspected = await stack.introspect(refreshed["access_token"])
    await call_tool(stack.http, stack.resource, refreshed["access_token"], "list_projects", {})
    await stack.post("/revoke", {"token": refreshed["refresh_token"], "client_id": client_id,
                                 "client_secret": client_secret})  # fmt: skip
    secrets = {
        client_secret, code, verifier, challenge, RS_SECRET, UPSTREAM_SECRET, SECRET_KEY.decode(),
        str(introspected["taskmanager_access_token"]),
        *(str(tokens[k]) for k in ("access_token", "refresh_token")),
        *(str(refreshed[k]) for k in ("access_token", "refresh_token")),
        *(value for value in _secrets_of(browser) if len(value) >= 16),
    }  # fmt: skip
    assert len(secrets) >= 12
    text, as_json = logging.Formatter(TEXT_FORMAT), JsonFormatter()
    records = [r for r in caplog.records if r.name.split(".")[0] not in CHATTY_LOGGERS]
    lines = [f(record) for record in records for f in (text.format, as_json.format)]
    assert len(_access_records(caplog)) >= 10
    leaks = sorted({s[:8] for s in secrets for line in lines if s in line})
    assert leaks == []
    access_lines = [r.getMessage() for r in _access_records(caplog)]
    assert not any("?" in line for line in access_lines)


async def test_a_request_refused_before_routing_is_logged_as_unmatched(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_resource_app(ResourceSettings.load({}), tools=default_registry())
    async with serving(app) as base:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        with caplog.at_level(logging.INFO):
            writer.write(
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
            )
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 5)
            writer.close()
            await asyncio.sleep(0.1)
    assert b" 400 " in status_line
    [line] = _json_lines(_access_records(caplog))
    assert (line["route"], line["status"]) == ("unmatched", 400)
    assert "AssertionError" not in caplog.text  # the access logger itself did not fail

"""Shared pieces of the resource-server tests: a fake authorization server (its
``/introspect``), a fake TaskManager, fixture tools, and a small MCP-over-HTTP helper.

Everything runs as real aiohttp apps on 127.0.0.1; nothing is mocked.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from taskmcp.tools import READ, WRITE, Tool, ToolAnnotations, ToolContext, ToolRegistry, ToolResult
from taskmcp.tools.clock import GET_TIME

RESOURCE = "http://localhost:8001/mcp"
RS_CLIENT_ID = "taskmcp-resource"
RS_SECRET = "rs secret:with+odd/chars"
ACCEPT_BOTH = "application/json, text/event-stream"
LEGACY = "2025-11-25"
MODERN = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
}

JsonObject = dict[str, Any]


def introspection(
    sub: str = "alice",
    *,
    scope: str = "tasks:read tasks:write",
    aud: object = RESOURCE,
    upstream: str | None = "up-alice",
    exp_in: int = 3600,
) -> JsonObject:
    """An active introspection response as our authorization server writes it."""
    now = int(time.time())
    data: JsonObject = {
        "active": True,
        "scope": scope,
        "client_id": "client-1",
        "sub": sub,
        "iss": "http://localhost:9000",
        "exp": now + exp_in,
        "iat": now,
        "token_type": "Bearer",
    }
    if aud is not None:
        data["aud"] = aud
    if upstream is not None:
        data["taskmanager_access_token"] = upstream
    return data


@dataclass
class FakeAuthServer:
    """``POST /introspect`` answering from ``tokens``; records every call."""

    tokens: dict[str, JsonObject] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    forms: list[Mapping[str, str]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/introspect", self._introspect)
        return app

    def _authenticated(self, request: web.Request) -> bool:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Basic":
            return False
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
        return (unquote(client_id), unquote(secret)) == (RS_CLIENT_ID, RS_SECRET)

    async def _introspect(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.forms.append({k: str(v) for k, v in form.items()})
        self.calls.append(str(form.get("token")))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.json_response({"error": "server_error"}, status=self.status)
        if not self._authenticated(request):
            return web.json_response({"error": "invalid_client"}, status=401)
        return web.json_response(self.tokens.get(str(form.get("token")), {"active": False}))


@dataclass
class FakeTaskManager:
    """Just enough TaskManager (JAN) for tools that list projects: ``GET /api/projects``
    with ``Authorization: Bearer <valid>``, or a service-account cookie."""

    valid_tokens: set[str] = field(default_factory=lambda: {"up-alice"})
    password: str = "service-pw"
    seen: list[str | None] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/projects", self._projects)
        app.router.add_post("/api/auth/login", self._login)
        return app

    async def _login(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("password") != self.password:
            return web.json_response({"error": "invalid credentials"}, status=401)
        response = web.json_response({"data": {"user": {"id": 7, "username": "svc"}}})
        response.set_cookie("session", "svc-session")
        return response

    async def _projects(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization")
        self.seen.append(auth)
        cookie_ok = request.cookies.get("session") == "svc-session"
        token_ok = auth is not None and auth.removeprefix("Bearer ") in self.valid_tokens
        if not (cookie_ok or token_ok):
            return web.json_response({"error": "Authentication required"}, status=401)
        return web.json_response({"data": [{"id": 1, "name": "Inbox"}]})


# -- fixture tools (test-only; never shipped) ----------------------------------------


def _schema(**properties: JsonObject) -> JsonObject:
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _tool(name: str, handler: Any, *, scope: Any = READ, **extra: Any) -> Tool:
    return Tool(
        name=name,
        title=name.replace("_", " ").title(),
        description=f"Test fixture {name}",
        input_schema=extra.pop("input_schema", _schema()),
        annotations=ToolAnnotations(read_only=scope == READ, destructive=False, idempotent=True),
        scope=scope,
        handler=handler,
        **extra,
    )


async def _echo(context: ToolContext, arguments: JsonObject) -> ToolResult:
    await asyncio.sleep(float(arguments.get("delay", 0)))
    return ToolResult.ok({"echo": arguments.get("value"), "user": context.caller.user_id})


async def _progress(context: ToolContext, arguments: JsonObject) -> ToolResult:
    for step in (0, 50, 100):
        await context.progress.progress(step, 100, f"step {step}")
        await asyncio.sleep(0.01)
    await context.progress.log("info", "progress done")
    return ToolResult.ok({"done": True})


async def _write(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return ToolResult.ok({"written": True})


async def _count_projects(context: ToolContext, arguments: JsonObject) -> ToolResult:
    projects = await context.taskmanager.list_projects()
    return ToolResult.ok({"count": len(projects)})


async def _progress_then_projects(context: ToolContext, arguments: JsonObject) -> ToolResult:
    await context.progress.progress(1)
    projects = await context.taskmanager.list_projects()
    return ToolResult.ok({"count": len(projects)})


async def _needs_sampling(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return ToolResult.ok({"ok": True})


async def _routed(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return ToolResult.ok({"region": arguments.get("region"), "n": arguments.get("n")})


ROUTED_SCHEMA = _schema(
    region={"type": "string", "x-mcp-header": "Region"},
    n={"type": "integer", "x-mcp-header": "N"},
)


def fixture_registry() -> ToolRegistry:
    return ToolRegistry.of(
        [
            GET_TIME,
            _tool("echo", _echo, input_schema={"type": "object"}),
            _tool("progress_tool", _progress),
            _tool("write_tool", _write, scope=WRITE),
            _tool("count_projects", _count_projects),
            _tool("progress_then_projects", _progress_then_projects),
            _tool("needs_sampling", _needs_sampling, client_capabilities=frozenset({"sampling"})),
            _tool("routed", _routed, input_schema=ROUTED_SCHEMA),
        ]
    )


# -- speaking MCP over HTTP -------------------------------------------------------------


def rpc(method: str, params: JsonObject | None = None, *, id: object = 1) -> JsonObject:
    message: JsonObject = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: JsonObject | None = None) -> JsonObject:
    message: JsonObject = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def modern_params(params: JsonObject | None = None, **meta: Any) -> JsonObject:
    return {**(params or {}), "_meta": {**META, **meta}}


def modern_headers(method: str, name: str | None = None, **extra: str) -> dict[str, str]:
    headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method, **extra}
    if name is not None:
        headers["Mcp-Name"] = name
    return headers


@dataclass
class Mcp:
    """One authenticated caller talking to ``/mcp`` through an aiohttp test client."""

    client: TestClient[web.Request, web.Application]
    token: str | None = "alice-token"
    path: str = "/mcp"

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": ACCEPT_BOTH, "Content-Type": "application/json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return {**headers, **(extra or {})}

    async def post(
        self, body: object, headers: Mapping[str, str] | None = None, *, raw: bytes | None = None
    ) -> ClientResponse:
        data = raw if raw is not None else json.dumps(body).encode()
        return await self.client.post(
            self.path, data=io.BytesIO(data), headers=self.headers(headers)
        )

    async def initialize(
        self, version: str = LEGACY, *, capabilities: JsonObject | None = None
    ) -> str:
        params = {
            "protocolVersion": version,
            "capabilities": capabilities or {},
            "clientInfo": {"name": "tests", "version": "1"},
        }
        response = await self.post(rpc("initialize", params, id=0))
        assert response.status == 200, await response.text()
        session_id = response.headers["Mcp-Session-Id"]
        ack = await self.post(
            notification("notifications/initialized"), self.session_headers(session_id, version)
        )
        assert ack.status == 202
        return session_id

    @staticmethod
    def session_headers(session_id: str, version: str = LEGACY) -> dict[str, str]:
        return {"Mcp-Session-Id": session_id, "MCP-Protocol-Version": version}

    async def legacy(
        self, session_id: str, method: str, params: JsonObject | None = None, *, id: object = 1
    ) -> ClientResponse:
        return await self.post(rpc(method, params, id=id), self.session_headers(session_id))

    async def modern(
        self,
        method: str,
        params: JsonObject | None = None,
        *,
        id: object = 1,
        headers: Mapping[str, str] | None = None,
        **meta: Any,
    ) -> ClientResponse:
        name = None
        if params is not None:
            name = params.get("uri") if method == "resources/read" else params.get("name")
        base = modern_headers(method, name if isinstance(name, str) else None)
        return await self.post(
            rpc(method, modern_params(params, **meta), id=id), {**base, **(headers or {})}
        )


async def read_sse(response: ClientResponse) -> list[JsonObject]:
    """Every JSON message of an SSE response body (read to the end)."""
    text = await response.text()
    return [json.loads(line[5:].strip()) for line in text.splitlines() if line.startswith("data:")]


async def next_line(response: ClientResponse, wait: float = 5.0) -> bytes:
    """The next non-empty line of an open SSE response (b"" at the end)."""
    async with asyncio.timeout(wait):
        while True:
            line = await response.content.readline()
            if not line or line.strip():
                return line


async def next_event(response: ClientResponse, wait: float = 5.0) -> JsonObject:
    """The next ``data:`` message of an open SSE response (comments are skipped)."""
    async with asyncio.timeout(wait):
        while True:
            line = (await response.content.readline()).decode()
            if not line:
                raise EOFError("stream ended")
            if line.startswith("data:"):
                result: JsonObject = json.loads(line[5:].strip())
                return result

"""Calling the tools the way the transport does, against a real TaskManager stand-in.

``Agent`` is one user's view: a ``ToolContext`` around a ``TaskManagerClient`` for that
user and the default registry. Every call checks the result the way a strict client
would: ``structuredContent`` validates against the tool's ``outputSchema`` (JSON Schema
2020-12 with format checks), and the text block carries the same JSON.

Upstream credentials, as in production: JAN gets a real OAuth access token per user,
obtained from the stand-in's code flow over HTTP (``access_token``); DEC gets a
``ServiceAccount`` whose session cookie lives in its own cookie jar.
"""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from jsonschema import Draft202012Validator
from pydantic import SecretStr

from taskmcp.taskmanager import (
    Credential,
    ServiceAccount,
    TaskManagerClient,
    Timeouts,
    UserToken,
    open_http,
)
from taskmcp.tools import (
    READ,
    WRITE,
    Caller,
    ToolContext,
    ToolRegistry,
    ToolResult,
    default_registry,
)

JsonObject = dict[str, Any]

PASSWORD = "pw"
CLIENT_ID, CLIENT_SECRET = "tools-client", "tools-client-secret-1"
REDIRECT_URI = "http://127.0.0.1:9/cb"
USERS = ("alice", "bob")


class FakeClock:
    """Starts at the real time (cookie jars compare expiry with the real clock)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class NoProgress:
    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        return None

    async def log(self, level: str, data: object) -> None:
        return None


def validate(instance: object, schema: JsonObject) -> None:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator.validate(instance)


async def access_token(base_url: str, username: str, password: str = PASSWORD) -> str:
    """The OAuth code flow against the stand-in (taskmanager-api §8): log in, allow
    on the consent form, exchange the code with the client secret."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url, cookie_jar=jar) as browser:
        login = await browser.post(
            "/api/auth/login", json={"username": username, "password": password}
        )
        assert login.status == 200, await login.text()
        consent = {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "read write",
            "state": "s",
            "action": "allow",
        }
        decision = await browser.post("/api/oauth/authorize", data=consent, allow_redirects=False)
        assert decision.status == 302, await decision.text()
        code = parse_qs(urlsplit(decision.headers["Location"]).query)["code"][0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
        token = await browser.post("/api/oauth/token", data=form)
        assert token.status == 200, await token.text()
        body = await token.json()
    value: str = body["access_token"]
    return value


@dataclass
class Agent:
    """One user calling tools by name, with every result checked against its schema."""

    context: ToolContext
    registry: ToolRegistry

    @property
    def taskmanager(self) -> TaskManagerClient:
        return self.context.taskmanager

    async def call(self, name: str, arguments: JsonObject | None = None) -> ToolResult:
        tool = self.registry.get(name)
        assert tool is not None, name
        result = await tool.call(self.context, arguments or {})
        if result.is_error:
            assert result.structured is None
            assert result.text.endswith("."), result.text
            assert "\n" not in result.text, result.text
        else:
            assert result.structured is not None
            assert tool.output_schema is not None
            validate(result.structured, tool.output_schema)
            assert json.loads(result.text) == result.structured
        return result

    async def ok(self, name: str, /, **arguments: Any) -> JsonObject:
        result = await self.call(name, arguments)
        assert not result.is_error, result.text
        assert result.structured is not None
        return result.structured

    async def error(self, name: str, /, **arguments: Any) -> str:
        result = await self.call(name, arguments)
        assert result.is_error, result.text
        return result.text


def agent(
    taskmanager: TaskManagerClient,
    clock: FakeClock,
    *,
    user: str = "alice",
    scopes: frozenset[str] = frozenset({READ, WRITE}),
) -> Agent:
    context = ToolContext(
        caller=Caller(user_id=user, client_id="tests", scopes=scopes),
        taskmanager=taskmanager,
        progress=NoProgress(),
        clock=clock,
    )
    return Agent(context, default_registry())


@dataclass
class Upstream:
    """A running stand-in and the means to act on it as one of its users."""

    revision: str
    base_url: str
    clock: FakeClock
    stack: AsyncExitStack

    async def credential(self, username: str) -> tuple[aiohttp.ClientSession, Credential]:
        if self.revision == "jan":
            http = await self.stack.enter_async_context(open_http())
            return http, UserToken(await access_token(self.base_url, username))
        http = await self.stack.enter_async_context(open_http(keep_cookies=True))
        return http, ServiceAccount(username, SecretStr(PASSWORD))

    async def client(self, username: str) -> TaskManagerClient:
        http, credential = await self.credential(username)
        return TaskManagerClient(http, self.base_url, credential)

    async def agent(self, username: str) -> Agent:
        return agent(await self.client(username), self.clock, user=username)


async def unreachable_client(stack: AsyncExitStack, port: int) -> TaskManagerClient:
    """A client for a TaskManager that is not listening (a closed local port)."""
    http = await stack.enter_async_context(open_http(timeouts=Timeouts(connect=1, total=2)))
    return TaskManagerClient(http, f"http://127.0.0.1:{port}", UserToken("unused"))

"""Helpers of the attack suite: speaking MCP to the real resource server with real
tokens, opening pages in a throw-away browser, and reading HTML the way a browser
does (tags, attributes, text) instead of searching strings."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.browser import Browser, Page
from tests.support.stack import Stack

__all__ = [
    "ACCEPT_BOTH",
    "LEGACY",
    "META",
    "MODERN",
    "Html",
    "McpHttp",
    "Reply",
    "open_page",
    "parse_html",
    "serve",
    "user_tokens",
]

JsonObject = dict[str, Any]
ACCEPT_BOTH = "application/json, text/event-stream"
MODERN = "2026-07-28"
LEGACY = "2025-11-25"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "attack-suite", "version": "1"},
}


@contextlib.asynccontextmanager
async def serve(app: web.Application, port: int) -> AsyncIterator[None]:
    """Run ``app`` on ``127.0.0.1:port`` for the duration of the block."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield
    finally:
        await runner.cleanup()


async def open_page(url: str) -> Page:
    browser = Browser()
    try:
        return await browser.get(url)
    finally:
        await browser.close()


async def user_tokens(stack: Stack, user: str) -> tuple[str, JsonObject]:
    """A fresh public client authorized by ``user``: (client_id, token response)."""
    client_id = str((await stack.register(client_name=f"{user}'s client"))["client_id"])
    return client_id, await stack.tokens(client_id, user=user)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The JSON body, or the last ``data:`` message of an SSE body."""
        if self.headers.get("Content-Type", "").startswith("text/event-stream"):
            lines = [ln for ln in self.body.decode().splitlines() if ln.startswith("data:")]
            return json.loads(lines[-1][5:])
        return json.loads(self.body)


@dataclass
class McpHttp:
    """One caller of the real ``/mcp`` endpoint over a real socket."""

    http: aiohttp.ClientSession
    url: str

    async def post(
        self,
        body: object = None,
        *,
        token: str | None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        sent = {"Accept": ACCEPT_BOTH, "Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(self.url, data=data, headers=sent) as resp:
            return Reply(resp.status, dict(resp.headers), await resp.read())

    async def request(
        self, method: str, *, token: str | None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        sent = {"Accept": ACCEPT_BOTH, **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        async with self.http.request(method, self.url, headers=sent) as resp:
            return Reply(resp.status, dict(resp.headers), await resp.read())

    async def modern(
        self, token: str, method: str, params: JsonObject | None = None, *, id: object = 1
    ) -> Reply:
        headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
        name = (params or {}).get("name")
        if isinstance(name, str):
            headers["Mcp-Name"] = name
        body = {
            "jsonrpc": "2.0",
            "id": id,
            "method": method,
            "params": {**(params or {}), "_meta": META},
        }
        return await self.post(body, token=token, headers=headers)

    async def call_tool(self, token: str, tool: str, /, **arguments: object) -> JsonObject:
        """A modern ``tools/call``; the JSON-RPC ``result`` (asserts HTTP 200)."""
        reply = await self.modern(token, "tools/call", {"name": tool, "arguments": arguments})
        assert reply.status == 200, reply.body
        message = reply.json()
        assert "result" in message, message
        result: JsonObject = message["result"]
        return result

    async def initialize(self, token: str) -> str:
        params = {
            "protocolVersion": LEGACY,
            "capabilities": {},
            "clientInfo": {"name": "attack-suite", "version": "1"},
        }
        reply = await self.post(
            {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params}, token=token
        )
        assert reply.status == 200, reply.body
        session_id = reply.headers["Mcp-Session-Id"]
        ack = await self.post(
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            token=token,
            headers=self.session_headers(session_id),
        )
        assert ack.status == 202
        return session_id

    @staticmethod
    def session_headers(session_id: str) -> dict[str, str]:
        return {"Mcp-Session-Id": session_id, "MCP-Protocol-Version": LEGACY}


@dataclass
class Html:
    """A page as a browser's parser sees it."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def attribute_values(self) -> list[tuple[str, str, str]]:
        return [(tag, name, value) for tag, attrs in self.tags for name, value in attrs.items()]

    def tag_names(self) -> set[str]:
        return {tag for tag, _ in self.tags}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html = Html()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.html.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.html.text.append(data.strip())


def parse_html(text: str) -> Html:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.html

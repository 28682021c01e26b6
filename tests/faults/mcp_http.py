"""A lean MCP client over raw HTTP (aiohttp + JSON-RPC), for fault and load tests that
need many requests per second and full sight of statuses and headers; the real
``mcp`` client is used alongside it where realism matters.

* ``modern``: one stateless 2026-07-28 POST with ``_meta`` and the routing headers.
* ``initialize`` / ``legacy``: a 2025-11-25 session (``Mcp-Session-Id``).

A response is JSON or, when the server streams (notifications first, or a long call
with keep-alives), SSE; either way ``Reply.message`` is the JSON-RPC response.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

__all__ = ["LEGACY", "MODERN", "RawMcp", "Reply", "tool_call"]

LEGACY = "2025-11-25"
MODERN = "2026-07-28"
ACCEPT = "application/json, text/event-stream"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "taskmcp-load", "version": "1"},
}

JsonObject = dict[str, Any]


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    message: JsonObject | None  # the JSON-RPC response, if there was one

    @property
    def result(self) -> JsonObject:
        assert self.message is not None, self
        assert "result" in self.message, self
        result: JsonObject = self.message["result"]
        return result

    @property
    def error(self) -> JsonObject | None:
        return None if self.message is None else self.message.get("error")


def tool_call(name: str, arguments: JsonObject | None = None) -> JsonObject:
    return {"name": name, "arguments": arguments or {}}


def _last_sse_message(text: str) -> JsonObject | None:
    """The last ``data:`` payload of an SSE body that is a response (has an id)."""
    found = None
    for event in text.split("\n\n"):
        data = "\n".join(
            line[5:].lstrip() for line in event.splitlines() if line.startswith("data:")
        )
        if data:
            message = json.loads(data)
            if "id" in message:
                found = message
    return found


@dataclass
class RawMcp:
    http: aiohttp.ClientSession
    url: str
    token: str
    last_id: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _next_id(self) -> int:
        self.last_id = next(self._ids)
        return self.last_id

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {
            "Accept": ACCEPT,
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
            **(extra or {}),
        }

    async def post(self, body: object, headers: Mapping[str, str]) -> Reply:
        async with self.http.post(self.url, json=body, headers=self.headers(headers)) as resp:
            text = await resp.text()
            kind = resp.headers.get("Content-Type", "")
            message = None
            if kind.startswith("application/json") and text:
                message = json.loads(text)
            elif kind.startswith("text/event-stream"):
                message = _last_sse_message(text)
            return Reply(resp.status, resp.headers, message)

    async def modern(self, method: str, params: JsonObject | None = None) -> Reply:
        params = {**(params or {}), "_meta": META}
        headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
        if method == "tools/call":
            headers["Mcp-Name"] = params["name"]
        body = {"jsonrpc": "2.0", "id": self._next_id(), "method": method, "params": params}
        return await self.post(body, headers)

    async def initialize(self) -> str:
        params = {
            "protocolVersion": LEGACY,
            "capabilities": {},
            "clientInfo": {"name": "taskmcp-load", "version": "1"},
        }
        body = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params}
        reply = await self.post(body, {})
        assert reply.status == 200, reply
        session = reply.headers["Mcp-Session-Id"]
        headers = {"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY}
        ack = await self.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, headers)
        assert ack.status == 202, ack
        return session

    async def legacy(self, session: str, method: str, params: JsonObject | None = None) -> Reply:
        body = {"jsonrpc": "2.0", "id": self._next_id(), "method": method, "params": params or {}}
        return await self.post(body, {"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY})

    async def end(self, session: str) -> int:
        headers = self.headers({"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY})
        async with self.http.delete(self.url, headers=headers) as resp:
            return resp.status

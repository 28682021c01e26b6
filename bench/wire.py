"""The exact bytes the load generator sends: MCP requests of both eras, and the two
authorization-server requests of scenario 4.

Every server gets the same bytes for the same scenario. MCP requests are what the
official clients send: ``Accept`` listing JSON and SSE, ``Content-Type: application/json``,
the bearer token, and for 2026-07-28 the routing headers (``MCP-Protocol-Version``,
``Mcp-Method``, ``Mcp-Name``) and the ``_meta`` envelope.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from bench.http1 import build_request, finish_request, request_head

__all__ = [
    "LEGACY",
    "MODERN",
    "McpWire",
    "Template",
    "introspect_request",
    "refresh_request",
    "response_id",
]

MODERN = "2026-07-28"
LEGACY = "2025-11-25"
ACCEPT = "application/json, text/event-stream"
_ID = re.compile(rb'"id": ?(-?\d+)')
_SENTINEL = 918273645546372819
CLIENT_INFO = {"name": "taskmcp-bench", "version": "1"}
_META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
}


def response_id(body: bytes) -> int | None:
    """The JSON-RPC id of a response body (the first ``"id"`` key: every server under
    test writes ``jsonrpc`` and ``id`` before ``result``)."""
    match = _ID.search(body)
    return int(match.group(1)) if match else None


class Template:
    """One request whose only varying part is its JSON-RPC id: built once, then
    ``render(id)`` splices the id in (the load generator's hot path)."""

    def __init__(self, head: bytes, body: dict[str, Any]) -> None:
        raw = json.dumps({**body, "id": _SENTINEL}, separators=(",", ":")).encode()
        self._head = head
        self._before, _, self._after = raw.partition(str(_SENTINEL).encode())

    def render(self, request_id: int) -> bytes:
        return finish_request(self._head, b"%s%d%s" % (self._before, request_id, self._after))


class McpWire:
    """Request bytes for one server address, bearer token and tool call."""

    def __init__(self, host: str, port: int, token: str, path: str = "/mcp") -> None:
        self._host = f"{host}:{port}"
        self._path = path
        self._auth = f"Bearer {token}"

    def _head(self, headers: dict[str, str]) -> bytes:
        common = {"Authorization": self._auth, "Accept": ACCEPT, "Content-Type": "application/json"}
        return request_head("POST", self._path, self._host, {**common, **headers})

    def _post(self, body: dict[str, Any], headers: dict[str, str]) -> bytes:
        raw = json.dumps(body, separators=(",", ":")).encode()
        return finish_request(self._head(headers), raw)

    def modern_call(self, tool: str, arguments: dict[str, Any]) -> Template:
        params = {"name": tool, "arguments": arguments, "_meta": _META}
        body = {"jsonrpc": "2.0", "method": "tools/call", "params": params}
        headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": tool}
        return Template(self._head(headers), body)

    def initialize(self, request_id: int) -> bytes:
        params = {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": CLIENT_INFO}
        body = {"jsonrpc": "2.0", "id": request_id, "method": "initialize", "params": params}
        return self._post(body, {})

    def initialized(self, session_id: str) -> bytes:
        body = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        return self._post(body, {"Mcp-Session-Id": session_id, "MCP-Protocol-Version": LEGACY})

    def legacy_call(self, session_id: str, tool: str, arguments: dict[str, Any]) -> Template:
        params = {"name": tool, "arguments": arguments}
        body = {"jsonrpc": "2.0", "method": "tools/call", "params": params}
        headers = {"Mcp-Session-Id": session_id, "MCP-Protocol-Version": LEGACY}
        return Template(self._head(headers), body)


def _form(host: str, port: int, path: str, form: dict[str, str], headers: dict[str, str]) -> bytes:
    content = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    body = urlencode(form).encode()
    return build_request("POST", path, f"{host}:{port}", {**content, **headers}, body)


def introspect_request(host: str, port: int, basic: str, token: str) -> bytes:
    form = {"token": token, "token_type_hint": "access_token"}
    return _form(host, port, "/introspect", form, {"Authorization": basic})


def refresh_request(host: str, port: int, client_id: str, refresh_token: str) -> bytes:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    return _form(host, port, "/token", form, {})

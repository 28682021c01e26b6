"""Helpers for the operations tests: scraping ``/metrics``, speaking just enough legacy
MCP over real HTTP, and serving an app the way ``taskmcp.runner`` does."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from taskmcp.logs import AccessLogger
from tests.support.stack import free_port

__all__ = ["Samples", "call_tool", "scrape", "serving"]

ACCEPT = "application/json, text/event-stream"
LEGACY = "2025-11-25"


@dataclass(frozen=True)
class Samples:
    """Every sample of one scrape, by name and labels."""

    values: Mapping[tuple[str, frozenset[tuple[str, str]]], float]
    text: str

    def value(self, name: str, **labels: str) -> float:
        return self.values.get((name, frozenset(labels.items())), 0.0)

    def total(self, name: str, **labels: str) -> float:
        """The sum over every series of ``name`` whose labels include ``labels``."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.values.items() if n == name and wanted <= ls)

    def label_values(self, name: str, label: str) -> set[str]:
        return {dict(ls)[label] for (n, ls) in self.values if n == name and label in dict(ls)}


async def scrape(
    http: aiohttp.ClientSession, base_url: str, headers: Mapping[str, str] | None = None
) -> Samples:
    async with http.get(f"{base_url}/metrics", headers=headers) as response:
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await response.text()
    values = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return Samples(values, text)


async def _post(
    http: aiohttp.ClientSession, url: str, token: str, body: object, session_id: str | None
) -> aiohttp.ClientResponse:
    headers = {"Accept": ACCEPT, "Content-Type": "application/json"}
    headers["Authorization"] = f"Bearer {token}"
    if session_id is not None:
        headers |= {"Mcp-Session-Id": session_id, "MCP-Protocol-Version": LEGACY}
    response = await http.post(url, data=json.dumps(body), headers=headers)
    await response.read()
    return response


async def call_tool(
    http: aiohttp.ClientSession, mcp_url: str, token: str, name: str, arguments: object
) -> dict[str, object]:
    """initialize → notifications/initialized → tools/call, in a legacy session."""
    init = {
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": LEGACY, "capabilities": {},
                   "clientInfo": {"name": "ops-tests", "version": "1"}},
    }  # fmt: skip
    response = await _post(http, mcp_url, token, init, None)
    assert response.status == 200, await response.text()
    session_id = response.headers["Mcp-Session-Id"]
    ack = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert (await _post(http, mcp_url, token, ack, session_id)).status == 202
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}}  # fmt: skip
    response = await _post(http, mcp_url, token, call, session_id)
    assert response.status == 200, await response.text()
    result: dict[str, object] = json.loads(await response.text())
    return result


@contextlib.asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """``app`` on an ephemeral 127.0.0.1 port with the production access logger."""
    port = free_port()
    runner = web.AppRunner(app, access_log_class=AccessLogger)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()

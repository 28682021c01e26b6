"""The official ``mcp`` 2.3.0 client against a live resource server (mcp-protocol §9.3),
in each of its three modes, with a bearer token the fake authorization server knows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import mcp
import pytest
from mcp.client.streamable_http import streamable_http_client

from tests.mcp.conftest import Stack

MODES = [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28"), ("auto", "2026-07-28")]


@asynccontextmanager
async def _client(stack: Stack, mode: str, token: str = "alice-token") -> AsyncIterator[mcp.Client]:
    url = str(stack.client.make_url("/mcp"))
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        mcp.Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


@pytest.mark.parametrize(("mode", "negotiated"), MODES)
async def test_the_sdk_client_lists_and_calls_tools(
    stack: Stack, mode: str, negotiated: str
) -> None:
    async with _client(stack, mode) as client:
        assert client.protocol_version == negotiated
        tools = await client.list_tools()
        assert tools.tools[0].name == "get_time"
        assert tools.tools[0].annotations is not None
        assert tools.tools[0].annotations.read_only_hint is True
        result = await client.call_tool("get_time", {"timezone": "Europe/Berlin"})
        assert not result.is_error
        assert result.structured_content is not None
        assert result.structured_content["timezone"] == "Europe/Berlin"
        bad = await client.call_tool("get_time", {"timezone": "Nowhere/Special"})
        assert bad.is_error


@pytest.mark.parametrize(("mode", "negotiated"), MODES)
async def test_the_sdk_client_receives_progress(stack: Stack, mode: str, negotiated: str) -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with _client(stack, mode) as client:
        result = await client.call_tool("progress_tool", {}, progress_callback=on_progress)
    assert not result.is_error
    assert seen == [0, 50, 100]


async def test_a_legacy_sdk_session_is_ended_on_close(stack: Stack) -> None:
    from taskmcp.keys import SESSIONS
    from taskmcp.mcp.sessions import MemorySessionStore

    store = stack.app[SESSIONS]
    assert isinstance(store, MemorySessionStore)
    async with _client(stack, "legacy") as client:
        await client.list_tools()
        assert len(store) == 1
    assert len(store) == 0

"""TaskManager stopped, slower than the client timeout, or answering garbage (issue #9).

The whole system runs as processes (stand-in, authorization server, resource server
with ``TASKMCP_TASKMANAGER_TIMEOUT=1``); between the resource server and the stand-in
sits ``ChaosProxy``. In every failure mode, in both eras:

* a tool call (a read in one era, a write in the other) answers within a bound
  (timeout plus slack) with HTTP 200 and an ``isError`` result whose sentence names
  TaskManager (never a 5xx, never a hang);
* the resource server stays up (``/healthz``) and ``/readyz`` says not ready;
* when TaskManager is back, the same server (same legacy session) serves tools again
  and ``/readyz`` turns ready, without a restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.faults.chaos import ChaosProxy, Mode
from tests.faults.mcp_http import RawMcp, Reply, tool_call
from tests.faults.services import (
    OAuthDriver,
    Ports,
    auth_service,
    resource_service,
    running,
    standin_service,
)
from tests.support.stack import free_port

TIMEOUT = 1.0  # TASKMCP_TASKMANAGER_TIMEOUT of the resource server
ANSWER_WITHIN = 2 * TIMEOUT + 1.5  # list_tasks makes at most two TaskManager calls
READINESS_TTL = 5.0  # readiness verdicts are cached this long
FAULTS: list[Mode] = ["down", "slow", "html", "error", "garbage"]


async def _status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as resp:
        return resp.status


async def _until_status(http: aiohttp.ClientSession, url: str, wanted: int) -> None:
    deadline = time.monotonic() + READINESS_TTL + 5
    while (status := await _status(http, url)) != wanted:
        assert time.monotonic() < deadline, f"{url} stayed {status}"
        await asyncio.sleep(0.25)


def _assert_tool_error(reply: Reply, mode: Mode, elapsed: float) -> None:
    assert reply.status == 200, (mode, reply)
    result = reply.result
    assert result.get("isError") is True, (mode, result)
    text = result["content"][0]["text"]
    assert "TaskManager" in text, (mode, text)
    assert elapsed < ANSWER_WITHIN, (mode, elapsed)


def _assert_tasks(reply: Reply) -> None:
    assert reply.status == 200, reply
    assert not reply.result.get("isError"), reply.result
    assert "tasks" in reply.result["structuredContent"]


@pytest.fixture
async def proxy() -> AsyncIterator[ChaosProxy]:
    chaos = ChaosProxy("", free_port(), delay=TIMEOUT * 3)
    yield chaos
    await chaos.close()


async def test_tools_fail_fast_and_clearly_and_the_server_recovers_by_itself(
    tmp_path: Path, proxy: ChaosProxy
) -> None:
    ports = Ports()
    proxy.upstream = ports.url(ports.taskmanager)
    resource = resource_service(
        tmp_path,
        ports,
        TASKMCP_TASKMANAGER_INTERNAL_URL=proxy.url,
        TASKMCP_TASKMANAGER_TIMEOUT=str(TIMEOUT),
    )
    services = (
        standin_service(tmp_path, ports, ["alice"]),
        auth_service(tmp_path, ports, "memory://"),
        resource,
    )
    await proxy.set("pass")
    async with running(*services), aiohttp.ClientSession() as http:
        tokens = await OAuthDriver(http, ports.issuer, ports.mcp).tokens("alice")
        mcp = RawMcp(http, ports.mcp, str(tokens["access_token"]))
        session = await mcp.initialize()
        created = await mcp.modern("tools/call", tool_call("create_task", {"title": "Survive"}))
        assert not created.result.get("isError"), created.result

        for mode in FAULTS:
            await proxy.set(mode)
            for call in (
                lambda: mcp.modern("tools/call", tool_call("list_tasks")),
                lambda: mcp.legacy(session, "tools/call", tool_call("create_task", {"title": "x"})),
            ):
                started = time.monotonic()
                reply = await call()
                _assert_tool_error(reply, mode, time.monotonic() - started)
            assert await _status(http, f"{resource.url}/healthz") == 200
            if mode in ("down", "slow", "error", "garbage"):
                await _until_status(http, f"{resource.url}/readyz", 503)

        await proxy.set("pass")
        _assert_tasks(await mcp.modern("tools/call", tool_call("list_tasks")))
        _assert_tasks(await mcp.legacy(session, "tools/call", tool_call("list_tasks")))
        await _until_status(http, f"{resource.url}/readyz", 200)

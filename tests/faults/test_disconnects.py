"""Clients that vanish mid-request or mid-stream leave nothing behind (issue #9).

The resource server runs in this process, served as in production (handler
cancellation on), so the test can count what it holds. Clients on raw sockets
disconnect abruptly at every awkward moment:

* halfway through the request headers, and halfway through the body;
* while a tool call runs (modern: the call is cancelled; legacy: it finishes detached);
* after a tool call's response turned into an SSE stream (keep-alives);
* on a legacy GET stream and on a 2026-07-28 ``subscriptions/listen`` stream.

After a warm-up round, ``ROUNDS`` more rounds must leave the number of asyncio tasks,
the process's open file descriptors (``/proc/self/fd``) and the open streams where
they were; every session a client opened is still there until its DELETE, and then
none is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Awaitable, Callable

from taskmcp.keys import SESSIONS, STREAMS
from taskmcp.mcp.options import TransportOptions
from taskmcp.mcp.sessions import MemorySessionStore
from tests.faults.inprocess import InProcess, serve_resource
from tests.faults.mcp_http import LEGACY, META, MODERN

ROUNDS = 5
KEEPALIVE = 0.2  # SSE keep-alive interval: a stream notices a gone client this fast
SETTLE = 5.0

Probe = tuple[int, int, int]  # asyncio tasks, open descriptors, open streams


def _request(
    port: int, body: object, headers: dict[str, str], *, method: str = "POST"
) -> tuple[bytes, bytes]:
    data = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} /mcp HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [
        "Authorization: Bearer alice-token",
        "Accept: application/json, text/event-stream",
        "Content-Type: application/json",
        f"Content-Length: {len(data)}",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), data


async def _vanish(
    port: int, payload: bytes, *, wait_for: bytes | None = None, after: float = 0.0
) -> None:
    """Send ``payload``, optionally read up to ``wait_for``, wait, then reset."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        if wait_for is not None:
            await asyncio.wait_for(reader.readuntil(wait_for), 5)
        await asyncio.sleep(after)
    finally:
        writer.transport.abort()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def _modern_call(port: int, name: str, arguments: dict[str, object]) -> bytes:
    params = {"name": name, "arguments": arguments, "_meta": META}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": name}
    head, data = _request(port, body, headers)
    return head + data


def _legacy(port: int, session: str, method: str, params: dict[str, object]) -> bytes:
    body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params}
    head, data = _request(port, body, {"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY})
    return head + data


def _get_stream(port: int, session: str) -> bytes:
    headers = {"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY}
    head, _ = _request(port, None, headers, method="GET")
    return head


def _listen(port: int) -> bytes:
    params = {"notifications": {}, "_meta": META}
    body = {"jsonrpc": "2.0", "id": 9, "method": "subscriptions/listen", "params": params}
    headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "subscriptions/listen"}
    head, data = _request(port, body, headers)
    return head + data


async def _one_round(server: InProcess) -> None:
    port = server.port
    mcp = server.mcp()
    session = await mcp.initialize()
    ping, _ = _request(port, {"jsonrpc": "2.0", "id": 1, "method": "ping"}, {})
    truncated, _ = _request(port, None, {"Content-Length": "1000"})
    slow_call = {"name": "echo", "arguments": {"delay": 1.0, "value": "x"}}
    modern = _modern_call(port, "echo", {"delay": 60.0, "value": "x"})  # must be cancelled
    legacy = _legacy(port, session, "tools/call", slow_call)
    leavers: list[Awaitable[None]] = [
        _vanish(port, ping[: len(ping) // 2]),  # mid-headers
        _vanish(port, truncated.replace(b"Content-Length: 0\r\n", b"") + b'{"jsonrpc"'),  # mid-body
        _vanish(port, modern, after=0.1),  # mid-request
        _vanish(port, legacy, after=0.1),
        _vanish(port, modern, wait_for=b": keep-alive"),  # mid-SSE
        _vanish(port, legacy, wait_for=b": keep-alive"),
        _vanish(port, _get_stream(port, session), wait_for=b"\r\n\r\n", after=0.05),
        _vanish(port, _listen(port), wait_for=b"acknowledged"),
    ]
    await asyncio.gather(*leavers)
    assert await mcp.end(session) == 204


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def _settled(probe: Callable[[], Probe], want: Probe | None = None) -> Probe:
    """Wait until detached calls have finished and streams have noticed their clients
    left: until ``probe`` says ``want`` or, without ``want``, holds still for a while."""
    deadline = time.monotonic() + SETTLE
    previous = probe()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        now = probe()
        if now == want or (want is None and now == previous and now[2] == 0):
            return now
        previous = now
    return probe()


async def test_clients_that_vanish_leave_no_tasks_streams_sessions_or_descriptors() -> None:
    options = TransportOptions(keepalive=KEEPALIVE, max_sessions_per_user=100)
    async with serve_resource(transport=options) as server:

        def probe() -> Probe:
            return len(asyncio.all_tasks()), _fds(), len(server.app[STREAMS])

        await _one_round(server)
        baseline = await _settled(probe)
        for _ in range(ROUNDS):
            await _one_round(server)
        assert await _settled(probe, baseline) == baseline
        assert baseline[2] == 0
        sessions = server.app[SESSIONS]
        assert isinstance(sessions, MemorySessionStore)
        assert len(sessions) == 0

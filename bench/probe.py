"""Single MCP calls from the orchestrator: capturing a result for the bare server, and
the cold-start clock (scenario 6)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from typing import Any

from bench.http1 import Connection
from bench.wire import McpWire

__all__ = ["call_tool", "first_call_after"]

POLL_INTERVAL = 0.002
CALL_TIMEOUT = 10.0


async def call_tool(
    port: int, token: str, tool: str, arguments: dict[str, Any], request_id: int
) -> dict[str, Any]:
    """One modern ``tools/call``; the JSON-RPC result, or ``RuntimeError``."""
    conn = await Connection.open("127.0.0.1", port)
    try:
        raw = McpWire("127.0.0.1", port, token).modern_call(tool, arguments).render(request_id)
        status, _, body = await conn.request(raw, CALL_TIMEOUT)
    finally:
        conn.close()
    message = json.loads(body) if body else {}
    result = message.get("result")
    if status != 200 or not isinstance(result, dict) or result.get("isError"):
        raise RuntimeError(f"tools/call {tool} failed: HTTP {status} {body[:300]!r}")
    return result


async def first_call_after(
    proc: subprocess.Popen[bytes],
    started: float,
    port: int,
    token: str,
    within: float,
    first_id: int,
) -> float:
    """Seconds from ``started`` (a ``perf_counter`` reading taken just before the
    process was spawned) to the first successful ``tools/call get_time``."""
    deadline = started + within
    request_id = first_id
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            await call_tool(port, token, "get_time", {}, request_id)
        except (OSError, RuntimeError, ValueError, TimeoutError):
            request_id += 1
            await asyncio.sleep(POLL_INTERVAL)
            continue
        return time.perf_counter() - started
    raise RuntimeError(f"no successful tools/call within {within:.0f} s")

"""A small Server-Sent Events writer (WHATWG HTML §9.2; mcp-protocol §3).

Framing follows aio-libs/aiohttp-sse: ``text/event-stream``, ``Cache-Control: no-cache``,
``X-Accel-Buffering: no`` (no proxy buffering), no compression; one ``data:`` line per
payload line; CR and LF stripped from ``id:`` and ``event:``; comment lines (``:``) as
keep-alives. A write to a connection the client has closed raises ``StreamClosed``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping

from aiohttp import web

from taskmcp.mcp.headers import SSE

__all__ = ["SSE_HEADERS", "SseStream", "StreamClosed", "frame"]

SSE_HEADERS = {
    "Content-Type": SSE,
    "Cache-Control": "no-cache",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
}


class StreamClosed(Exception):
    """The client went away while we were writing."""


def _clean(value: str) -> str:
    return value.replace("\r", "").replace("\n", "")


def frame(data: str, *, event: str | None = "message", event_id: str | None = None) -> bytes:
    lines = []
    if event_id is not None:
        lines.append(f"id: {_clean(event_id)}")
    if event is not None:
        lines.append(f"event: {_clean(event)}")
    lines.extend(f"data: {line}" for line in data.splitlines() or [""])
    return ("\n".join(lines) + "\n\n").encode("utf-8")


class SseStream:
    """One prepared ``text/event-stream`` response."""

    def __init__(self, response: web.StreamResponse) -> None:
        self.response = response
        self.closed = False

    @classmethod
    async def open(
        cls, request: web.Request, headers: Mapping[str, str] | None = None
    ) -> SseStream:
        response = web.StreamResponse(status=200, headers={**SSE_HEADERS, **(headers or {})})
        try:
            await response.prepare(request)
        except (ConnectionError, RuntimeError) as exc:
            raise StreamClosed from exc
        return cls(response)

    async def send(self, message: object, *, event_id: str | None = None) -> None:
        """Send one JSON-RPC message as an ``event: message``."""
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        await self._write(frame(text, event_id=event_id))

    async def comment(self, text: str = "keep-alive") -> None:
        await self._write(f": {_clean(text)}\n\n".encode())

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.response.write_eof()

    async def _write(self, data: bytes) -> None:
        if self.closed:
            raise StreamClosed
        try:
            await self.response.write(data)
        except (ConnectionError, RuntimeError) as exc:
            self.closed = True
            raise StreamClosed from exc

"""A minimal HTTP/1.1 keep-alive client for the load generator.

One ``Connection`` is one TCP connection carrying one request at a time (no
pipelining), as an MCP client's HTTP pool does. It is an ``asyncio.Protocol`` that
parses just enough of a response (status line, headers, ``Content-Length`` or chunked
body) to hand back status, headers and body, so that the load generator spends its
CPU on sending requests rather than on a general-purpose client.
"""

from __future__ import annotations

import asyncio

__all__ = ["Connection", "HttpResponse", "build_request", "finish_request", "request_head"]

HttpResponse = tuple[int, dict[bytes, bytes], bytes]


def request_head(method: str, path: str, host: str, headers: dict[str, str]) -> bytes:
    """Request line and headers, ending with ``Content-Length: `` (value not written)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")


def finish_request(head: bytes, body: bytes) -> bytes:
    return b"%s%d\r\n\r\n%s" % (head, len(body), body)


def build_request(method: str, path: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    return finish_request(request_head(method, path, host, headers), body)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[HttpResponse] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionError("connection closed by the server"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._waiter is None or self._waiter.done():
            return
        parsed = _parse(self._buffer)
        if parsed is not None:
            response, used = parsed
            del self._buffer[:used]
            self._waiter.set_result(response)

    def expect(self) -> asyncio.Future[HttpResponse]:
        self._waiter = asyncio.get_running_loop().create_future()
        return self._waiter


def _parse(buffer: bytearray) -> tuple[HttpResponse, int] | None:
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).split(b"\r\n")
    status = int(head[0].split(b" ", 2)[1])
    headers: dict[bytes, bytes] = {}
    for line in head[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    start = end + 4
    length = headers.get(b"content-length")
    if length is not None:
        stop = start + int(length)
        return ((status, headers, bytes(buffer[start:stop])), stop) if len(buffer) >= stop else None
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        return _parse_chunked(buffer, start, status, headers)
    if status in (204, 304) or 100 <= status < 200:
        return (status, headers, b""), start
    raise ConnectionError("response without Content-Length or chunked encoding")


def _parse_chunked(
    buffer: bytearray, pos: int, status: int, headers: dict[bytes, bytes]
) -> tuple[HttpResponse, int] | None:
    body = bytearray()
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        pos = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n", pos)
            return None if trailer_end < 0 else ((status, headers, bytes(body)), trailer_end + 2)
        if len(buffer) < pos + size + 2:
            return None
        body += buffer[pos : pos + size]
        pos += size + 2


def _expire(waiter: asyncio.Future[HttpResponse]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError("no response in time"))


class Connection:
    """One keep-alive connection; ``request`` sends raw bytes and awaits the response."""

    def __init__(self, protocol: _Protocol) -> None:
        self._protocol = protocol

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(_Protocol, host, port)
        return cls(protocol)

    @property
    def closed(self) -> bool:
        return self._protocol.closed

    async def request(self, raw: bytes, seconds: float) -> HttpResponse:
        """Send ``raw``; the response, or ``TimeoutError`` after ``seconds``."""
        transport = self._protocol.transport
        if transport is None or self._protocol.closed:
            raise ConnectionError("connection is closed")
        waiter = self._protocol.expect()
        timer = asyncio.get_running_loop().call_later(seconds, _expire, waiter)
        transport.write(raw)
        try:
            return await waiter
        finally:
            timer.cancel()

    def close(self) -> None:
        if self._protocol.transport is not None:
            self._protocol.transport.close()

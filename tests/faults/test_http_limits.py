"""HTTP-level limits that protect every service from abusive or broken clients (issue #9).

* Oversized headers (a line over 8190 bytes, more than 128 fields, a request line
  over 8190 bytes) are refused by aiohttp's parser with 400, never a 5xx, on the
  authorization server, the resource server and the stand-in alike; they keep serving.
  (Oversized bodies, chunked ones included, are in ``tests/security/test_http_limits.py``.)
* A body that trickles in is cut off with 408: on ``/mcp`` after
  ``TransportOptions.body_timeout`` (with a JSON-RPC error), on the authorization
  server after ``taskmcp.deadline.BODY_TIMEOUT``.
* A client that sends its headers slowly, or nothing at all, is disconnected after the
  runner's keep-alive timeout (``taskmcp.runner.KEEPALIVE_TIMEOUT``, here shortened).
* A body split across several TCP segments is read whole (``/register``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import taskmcp.deadline
from taskmcp.mcp.options import TransportOptions
from taskmcp.runner import KEEPALIVE_TIMEOUT
from tests.conftest import storage_url
from tests.faults.inprocess import serve_resource
from tests.support.stack import run_stack

LIMIT = 8190  # aiohttp's max_line_size and max_field_size
OVERSIZED = {
    "header line": b"X-Big: " + b"a" * (LIMIT + 10) + b"\r\n",
    "header count": b"".join(b"X-H%d: v\r\n" % i for i in range(200)),
}


async def _exchange(port: int, payload: bytes, *, read_for: float = 5.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), read_for)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


@pytest.fixture
async def ports(tmp_path: Path) -> AsyncIterator[dict[str, int]]:
    async with run_stack(storage_url("memory", tmp_path), with_resource=True) as stack:
        urls = {"auth": stack.issuer, "resource": stack.mcp_server, "stand-in": stack.taskmanager}
        yield {name: int(url.rsplit(":", 1)[1]) for name, url in urls.items()}


async def test_oversized_headers_are_400_on_every_service_which_keeps_serving(
    ports: dict[str, int],
) -> None:
    for service, port in ports.items():
        host = b"Host: 127.0.0.1:%d\r\n" % port
        for what, headers in OVERSIZED.items():
            response = await _exchange(port, b"GET / HTTP/1.1\r\n" + host + headers + b"\r\n")
            assert _status(response) in (400, 431), (service, what, response[:120])
        long_target = b"GET /" + b"a" * (LIMIT + 10) + b" HTTP/1.1\r\n" + host + b"\r\n"
        assert _status(await _exchange(port, long_target)) in (400, 414, 431), service
        ok = await _exchange(port, b"GET /healthz HTTP/1.1\r\n" + host + b"\r\n")
        assert _status(ok) < 500, (service, ok[:120])


def _post_head(port: int, extra: str) -> bytes:
    return (
        "POST /mcp HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Authorization: Bearer alice-token\r\n"
        "Accept: application/json, text/event-stream\r\n"
        "Content-Type: application/json\r\n"
        f"{extra}\r\n"
    ).encode()


async def test_a_body_that_trickles_in_is_cut_off_with_408() -> None:
    async with serve_resource(transport=TransportOptions(body_timeout=0.5)) as server:
        started = time.monotonic()
        response = await _exchange(
            server.port, _post_head(server.port, "Content-Length: 100\r\n") + b'{"json'
        )
        assert _status(response) == 408, response
        assert b'"code": -32600' in response
        assert time.monotonic() - started < 3


@pytest.mark.parametrize("trickle", [True, False], ids=["slow headers", "silent"])
async def test_a_client_too_slow_to_send_its_headers_is_disconnected(trickle: bool) -> None:
    assert KEEPALIVE_TIMEOUT <= 120  # the production bound
    async with serve_resource(keepalive_timeout=1.0) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        started = time.monotonic()
        try:
            writer.write(b"POST /mcp HTTP/1.1\r\n")
            with contextlib.suppress(ConnectionError):
                while not reader.at_eof() and time.monotonic() - started < 10:
                    if trickle:
                        writer.write(b"X-Slow: a\r\n")
                        await writer.drain()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(reader.read(1024), 0.2)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        assert 0.9 < time.monotonic() - started < 5


async def test_a_registration_body_that_arrives_in_pieces_is_read_whole(
    ports: dict[str, int],
) -> None:
    """Slow networks split bodies: ``/register`` must read to the end, not take the
    first segment for the whole body (it answered 400 ``invalid_client_metadata``)."""
    port = ports["auth"]
    body = json.dumps(
        {"redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "none"}
    ).encode()
    head = (
        f"POST /register HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for piece in (head + body[:10], body[10:30], body[30:]):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.1)
        response = await asyncio.wait_for(reader.read(4096), 5)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    assert _status(response) == 201, response


async def test_the_authorization_server_cuts_off_a_trickling_body_with_408(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(taskmcp.deadline, "BODY_TIMEOUT", 0.5)
    async with run_stack(storage_url("memory", tmp_path)) as stack:
        port = int(stack.issuer.rsplit(":", 1)[1])
        head = (
            f"POST /token HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        ).encode()
        started = time.monotonic()
        response = await _exchange(port, head + b"grant_type=")
        assert _status(response) == 408, response
        assert time.monotonic() - started < 3

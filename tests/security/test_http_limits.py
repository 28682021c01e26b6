"""Hostile HTTP on both services: foreign ``Origin``/``Host``, oversized bodies and
headers, deeply nested JSON, duplicate JSON-RPC ids (mcp-protocol §3; oauth-checklist
G5; README "Limits"). The answer is always a 4xx with a fixed body, never a 5xx.

Unit-level versions against a fake authorization server are in
``tests/mcp/test_transport.py``; here the real token chain is in front.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from taskmcp.mcp.options import MAX_BODY
from tests.security.support import META, MODERN, McpHttp, user_tokens
from tests.support.stack import Stack


def _jsonrpc_error(message: str, code: int = -32600, id: object = None) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}


@pytest.fixture
async def alice(mcp_stack: Stack) -> str:
    return str((await user_tokens(mcp_stack, "alice"))[1]["access_token"])


# -- Origin and Host (DNS rebinding) ---------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example:8001",
        "http://evil.example@127.0.0.1",  # userinfo is never part of an origin
        "http://[::ffff:127.0.0.1]",  # mapped loopback is not accepted as loopback
        "http://127.0.0.1/path",  # not an origin
        "file://",
        "chrome-extension://abcdefghijklmnop",
    ],
)
async def test_a_foreign_origin_is_403_on_every_method_token_or_not(
    mcp_stack: Stack, alice: str, origin: str
) -> None:
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    for method in ("POST", "GET", "DELETE", "OPTIONS"):
        for token in (alice, None):
            reply = await mcp.request(method, token=token, headers=headers)
            assert reply.status == 403, (origin, method)
            assert reply.json() == _jsonrpc_error("Origin not allowed")


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8001",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "attacker.localhost.example:80",
        "0x7f.1",
        "",
    ],
)
async def test_a_foreign_host_is_421_before_authentication(
    mcp_stack: Stack, alice: str, host: str
) -> None:
    """DNS rebinding: a page on ``evil.example`` that resolved to 127.0.0.1."""
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    for token in (alice, None):
        reply = await mcp.post(
            {"jsonrpc": "2.0", "id": 1, "method": "ping"},
            token=token,
            headers={"Host": host, "Origin": f"http://{host or 'evil.example'}"},
        )
        assert reply.status == 421, host
        assert reply.json() == _jsonrpc_error("Invalid Host header")


# -- bodies ----------------------------------------------------------------------------


async def _chunks(total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * 65536
        sent += 65536


async def test_a_chunked_body_over_one_mebibyte_is_413_without_content_length(
    mcp_stack: Stack, alice: str
) -> None:
    """No ``Content-Length`` to check up front: the limit holds while reading."""
    async with mcp_stack.http.post(
        mcp_stack.resource,
        data=_chunks(MAX_BODY + 65536),
        headers={
            "Authorization": f"Bearer {alice}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        },
    ) as resp:
        assert resp.status == 413
        assert await resp.json() == _jsonrpc_error(
            f"Payload Too Large: the limit is {MAX_BODY} bytes"
        )
    reply = await McpHttp(mcp_stack.http, mcp_stack.resource).modern(alice, "server/discover")
    assert reply.status == 200


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/token", 65536),
        ("/introspect", 65536),
        ("/revoke", 65536),
        ("/authorize/consent", 65536),
        ("/register", 16384),
    ],
)
@pytest.mark.parametrize("chunked", [False, True])
async def test_oversized_bodies_at_the_authorization_server_are_413(
    stack: Stack, path: str, limit: int, chunked: bool
) -> None:
    """checklist G5 (16 KiB for registration) and the 64 KiB limit everywhere else."""
    content_type = (
        "application/json" if path == "/register" else "application/x-www-form-urlencoded"
    )
    body = _chunks(limit + 1) if chunked else b"a=" + b"x" * limit
    async with stack.http.post(
        f"{stack.issuer}{path}", data=body, headers={"Content-Type": content_type}
    ) as resp:
        assert resp.status == 413
        assert await resp.text() == f"Maximum request body size {limit} exceeded."


# -- headers (aiohttp's parser limits) -----------------------------------------------------


async def _raw(port: int, request: bytes) -> tuple[bytes, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), timeout=5)
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = response.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], body


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _too_long(data: bytes | bytearray) -> bytes:
    return f"Got more than 8190 bytes when reading: {data[:100] + b'...'!r}.".encode()


HEADER_ATTACKS = {
    "long value": (b"X-Pad: " + b"a" * 9000 + b"\r\n", _too_long(b"a" * 9000)),
    "long name": (b"X" * 9000 + b": a\r\n", None),
    "many headers": (
        b"".join(b"X-%d: a\r\n" % i for i in range(200)),
        b"Too many headers received",
    ),
    "long bearer": (b"Authorization: Bearer " + b"a" * 9000 + b"\r\n", None),
}


@pytest.mark.parametrize("attack", sorted(HEADER_ATTACKS))
@pytest.mark.parametrize("service", ["auth", "resource"])
async def test_oversized_headers_are_400_never_5xx(
    mcp_stack: Stack, attack: str, service: str
) -> None:
    """aiohttp's limits (8190-byte lines and fields, 128 headers) answer 400 before any
    handler runs, on both services; each service keeps serving afterwards."""
    base = mcp_stack.issuer if service == "auth" else mcp_stack.mcp_server
    path = b"/token" if service == "auth" else b"/mcp"
    extra, expected = HEADER_ATTACKS[attack]
    request = b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
    status, body = await _raw(_port(base), request + extra + b"\r\n")
    assert status == b"HTTP/1.0 400 Bad Request"
    if expected is not None:
        assert body == expected
    else:
        assert body.startswith(b"Got more than 8190 bytes when reading: ")
    async with mcp_stack.http.get(f"{base}/healthz") as resp:
        assert resp.status == 200


async def test_a_request_line_over_the_limit_is_400(mcp_stack: Stack) -> None:
    for base in (mcp_stack.issuer, mcp_stack.mcp_server):
        target = b"/authorize?" + b"a" * 9000
        status, body = await _raw(_port(base), b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == b"HTTP/1.0 400 Bad Request"
        assert body == _too_long(bytearray(target))


async def test_a_bearer_token_longer_than_any_we_issue_is_401_not_503(
    mcp_stack: Stack,
) -> None:
    """A token that cannot be ours (longer than the authorization server accepts in a
    form field) is refused at the resource server as malformed: 401, never a 503 that
    makes the client retry, and no introspection round trip."""
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    reply = await mcp.modern("a" * 8000, "server/discover")
    assert reply.status == 401
    assert reply.json() == {
        "error": "invalid_token",
        "error_description": "The access token is malformed",
    }


# -- nested JSON ---------------------------------------------------------------------------


def _nested_discover(depth: int) -> bytes:
    """A modern ``server/discover`` whose body is exactly ``depth`` levels deep: the body
    is level 1, ``params`` level 2, and a chain of objects under ``params.a`` the rest."""
    inner = "{}"
    for _ in range(depth - 3):
        inner = '{"a": ' + inner + "}"
    params = {"_meta": META, "a": "INNER"}
    body = {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": params}
    return json.dumps(body).replace('"INNER"', inner).encode()


MODERN_DISCOVER = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "server/discover"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_nested_discover(65), "Parse error: JSON nested deeper than 64 levels"),
        (b"[" * 5000 + b"]" * 5000, "Parse error"),
        (b'{"a": ' * 100_000, "Parse error"),
    ],
    ids=["65-levels", "5000-arrays", "100k-unterminated"],
)
async def test_deeply_nested_json_at_mcp_is_a_parse_error(
    mcp_stack: Stack, alice: str, raw: bytes, message: str
) -> None:
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    reply = await mcp.post(raw=raw, token=alice, headers=MODERN_DISCOVER)
    assert reply.status == 400
    assert reply.json() == _jsonrpc_error(message, code=-32700)


async def test_json_at_the_depth_limit_is_parsed(mcp_stack: Stack, alice: str) -> None:
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    reply = await mcp.post(raw=_nested_discover(64), token=alice, headers=MODERN_DISCOVER)
    assert reply.status == 200
    assert reply.json()["result"]["supportedVersions"] == [MODERN]


@pytest.mark.parametrize("depth", [40, 600, 5000])
async def test_deeply_nested_registration_metadata_is_invalid_client_metadata(
    stack: Stack, depth: int
) -> None:
    """Registration stores client-supplied JSON verbatim; nesting beyond 32 levels is
    refused as ``invalid_client_metadata`` (before the fix: 500 at 500+ levels)."""
    body = (
        b'{"redirect_uris": ["https://app.example/cb"], "x": ' + b"[" * depth + b"]" * depth + b"}"
    )
    async with stack.http.post(
        f"{stack.issuer}/register", data=body, headers={"Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 400
        assert await resp.json() == {
            "error": "invalid_client_metadata",
            "error_description": "the body is nested deeper than 32 levels",
        }


# -- duplicate JSON-RPC ids ----------------------------------------------------------------


async def test_duplicate_ids_in_one_2025_03_26_batch_are_each_answered(
    mcp_stack: Stack, alice: str
) -> None:
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    params = {
        "protocolVersion": "2025-03-26",
        "capabilities": {},
        "clientInfo": {"name": "dup", "version": "1"},
    }
    init = await mcp.post(
        {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params}, token=alice
    )
    session = {"Mcp-Session-Id": init.headers["Mcp-Session-Id"]}
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "get_time", "arguments": {"timezone": "UTC"}},
        },
        {"jsonrpc": "2.0", "id": 1, "method": "no/such/method"},
    ]
    reply = await mcp.post(batch, token=alice, headers=session)
    assert reply.status == 200
    answers = reply.json()
    assert [a["id"] for a in answers] == [1, 1, 1]
    assert answers[0] == {"jsonrpc": "2.0", "id": 1, "result": {}}
    assert "isError" not in answers[1]["result"]
    assert answers[2] == _jsonrpc_error("Method not found: no/such/method", -32601, 1)


async def test_two_users_with_the_same_id_in_flight_get_their_own_data(
    mcp_stack: Stack,
) -> None:
    """The id is the client's label, never a key across users: concurrent requests of
    two users with one id are answered each with that user's data."""
    (_, alice), (_, bob) = (
        await user_tokens(mcp_stack, "alice"),
        await user_tokens(mcp_stack, "bob"),
    )
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    created = await mcp.call_tool(str(alice["access_token"]), "create_task", title="Alice only")
    assert "isError" not in created
    call = {"name": "list_tasks", "arguments": {}}
    replies = await asyncio.gather(
        *(
            mcp.modern(str(tokens["access_token"]), "tools/call", call, id="same")
            for tokens in (alice, bob, alice, bob)
        )
    )
    titles = [
        [t["title"] for t in r.json()["result"]["structuredContent"]["tasks"]] for r in replies
    ]
    assert titles == [["Alice only"], [], ["Alice only"], []]
    assert all(r.json()["id"] == "same" for r in replies)

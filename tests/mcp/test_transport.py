"""HTTP rules common to both eras (mcp-protocol §3): one endpoint, Accept and
Content-Type, body limits, 202 for notifications, JSON unless notifications come
first, duplicate ids, cancellation, CORS, Origin and Host."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import ClientResponse

from taskmcp.mcp.options import TransportOptions
from taskmcp.tools import READ, Tool, ToolAnnotations, ToolContext, ToolRegistry, ToolResult
from tests.mcp.conftest import MakeStack, Stack
from tests.mcp.support import (
    LEGACY,
    MODERN,
    Mcp,
    modern_headers,
    modern_params,
    notification,
    read_sse,
    rpc,
)

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (the guard's non-loopback behaviour)
CORS_HEADERS = (
    "authorization, content-type, mcp-protocol-version, mcp-session-id, mcp-method, "
    "mcp-name, last-event-id"
)


async def _error(response: ClientResponse) -> dict[str, object]:
    body = await response.json()
    assert body["jsonrpc"] == "2.0"
    error: dict[str, object] = body["error"]
    return error


# -- one endpoint -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/mcp", "/mcp/"])
async def test_both_paths_serve_both_eras_without_redirects(stack: Stack, path: str) -> None:
    """clients-in-the-wild §5: a 307/308 between /mcp and /mcp/ breaks POST."""
    mcp = stack.mcp(path=path)
    session_id = await mcp.initialize()
    legacy = await mcp.legacy(session_id, "tools/list")
    modern = await mcp.modern("tools/list")
    assert (legacy.status, modern.status) == (200, 200)
    get = await stack.client.get(
        path, headers={"Authorization": "Bearer alice-token"}, allow_redirects=False
    )
    assert get.status == 405


# -- Accept, Content-Type, body --------------------------------------------------------


@pytest.mark.parametrize("accept", ["application/json", "text/event-stream", "text/html", ""])
async def test_a_post_must_accept_json_and_sse(mcp: Mcp, accept: str) -> None:
    response = await mcp.post(rpc("tools/list"), {"Accept": accept})
    assert response.status == 406
    assert (await _error(response))["code"] == -32600


async def test_wildcard_accept_is_enough(mcp: Mcp) -> None:
    response = await mcp.modern("tools/list", headers={"Accept": "*/*"})
    assert response.status == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_the_body_must_be_json(mcp: Mcp, content_type: str) -> None:
    response = await mcp.post(rpc("tools/list"), {"Content-Type": content_type})
    assert response.status == 415
    assert (await _error(response))["code"] == -32600


async def test_json_with_a_charset_is_json(mcp: Mcp) -> None:
    headers = {**modern_headers("tools/list"), "Content-Type": "application/json; charset=utf-8"}
    response = await mcp.post(rpc("tools/list", modern_params()), headers)
    assert response.status == 200


@pytest.mark.parametrize(
    "era_headers", [{}, modern_headers("tools/list")], ids=["legacy", "modern"]
)
@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe", b'{"a": 1e99999999999999}x'])
async def test_malformed_json_is_a_400_parse_error(
    mcp: Mcp, era_headers: dict[str, str], raw: bytes
) -> None:
    response = await mcp.post(None, era_headers, raw=raw)
    assert response.status == 400
    body = await response.json()
    assert body == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "Parse error"},
    }


@pytest.mark.parametrize("depth", [100, 100_000])
async def test_deeply_nested_json_is_a_parse_error_and_the_server_survives(
    mcp: Mcp, depth: int
) -> None:
    raw = b"[" * depth + b"]" * depth
    response = await mcp.post(None, modern_headers("tools/list"), raw=raw)
    assert response.status == 400
    assert (await _error(response))["code"] == -32700
    assert (await mcp.modern("tools/list")).status == 200


async def test_a_body_over_the_limit_is_413_with_a_jsonrpc_error(make_stack: MakeStack) -> None:
    stack = await make_stack(transport=TransportOptions(max_body=2048))
    padding = "x" * 4096
    response = await stack.mcp().post(
        rpc("tools/list", {"pad": padding}), modern_headers("tools/list")
    )
    assert response.status == 413
    assert (await _error(response))["code"] == -32600


async def test_the_default_limit_is_one_mebibyte(mcp: Mcp) -> None:
    raw = json.dumps(rpc("tools/list", modern_params({"pad": "x" * (1024 * 1024)}))).encode()
    response = await mcp.post(None, modern_headers("tools/list"), raw=raw)
    assert response.status == 413


# -- notifications -----------------------------------------------------------------------


async def test_notifications_get_202_and_no_body_in_both_eras(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    legacy = await mcp.post(
        notification("notifications/progress", {"progressToken": 1, "progress": 1}),
        mcp.session_headers(session_id),
    )
    modern = await mcp.post(
        notification("notifications/whatever"), {"MCP-Protocol-Version": MODERN}
    )
    assert (legacy.status, await legacy.read()) == (202, b"")
    assert (modern.status, await modern.read()) == (202, b"")


# -- JSON by default, SSE when notifications precede the result --------------------------


async def test_a_plain_call_is_answered_with_json(mcp: Mcp) -> None:
    response = await mcp.modern("tools/call", {"name": "progress_tool", "arguments": {}})
    assert response.status == 200
    assert response.content_type == "application/json"
    assert (await response.json())["result"]["structuredContent"] == {"done": True}


async def test_progress_notifications_switch_the_response_to_sse_legacy(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    params = {"name": "progress_tool", "arguments": {}, "_meta": {"progressToken": "p1"}}
    response = await mcp.legacy(session_id, "tools/call", params, id=9)
    assert response.content_type == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    messages = await read_sse(response)
    progress = [m["params"] for m in messages if m.get("method") == "notifications/progress"]
    assert [p["progress"] for p in progress] == [0, 50, 100]
    assert all(p["progressToken"] == "p1" and p["total"] == 100 for p in progress)
    assert messages[-1]["id"] == 9
    assert "result" in messages[-1]
    assert not any(m.get("method") == "notifications/message" for m in messages)


async def test_progress_notifications_switch_the_response_to_sse_modern(mcp: Mcp) -> None:
    params = {"name": "progress_tool", "arguments": {}}
    response = await mcp.modern("tools/call", params, progressToken=7, id="r1")
    assert response.content_type == "text/event-stream"
    messages = await read_sse(response)
    assert [m["params"]["progress"] for m in messages[:-1]] == [0, 50, 100]
    assert messages[-1]["id"] == "r1"
    assert messages[-1]["result"]["resultType"] == "complete"
    # 2026-07-28: no independent requests on a response stream, only notifications
    assert all("id" not in m for m in messages[:-1])


async def test_log_messages_only_when_the_client_asked(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    call = {"name": "progress_tool", "arguments": {}}
    quiet = await mcp.legacy(session_id, "tools/call", call)
    assert quiet.content_type == "application/json"
    assert (await mcp.legacy(session_id, "logging/setLevel", {"level": "debug"})).status == 200
    loud = await read_sse(await mcp.legacy(session_id, "tools/call", call))
    logs = [m["params"] for m in loud if m.get("method") == "notifications/message"]
    assert logs == [{"level": "info", "logger": "taskmcp", "data": "progress done"}]
    high = await mcp.legacy(session_id, "logging/setLevel", {"level": "error"})
    assert high.status == 200
    assert (await mcp.legacy(session_id, "tools/call", call)).content_type == "application/json"


async def test_modern_log_messages_need_the_meta_log_level(mcp: Mcp) -> None:
    call = {"name": "progress_tool", "arguments": {}}
    quiet = await mcp.modern("tools/call", call)
    assert quiet.content_type == "application/json"
    loud = await read_sse(
        await mcp.modern("tools/call", call, **{"io.modelcontextprotocol/logLevel": "info"})
    )
    assert [m["method"] for m in loud[:-1]] == ["notifications/message"]


async def test_a_silent_long_call_commits_to_sse_with_keep_alives(mcp: Mcp) -> None:
    response = await mcp.modern(
        "tools/call", {"name": "echo", "arguments": {"value": 1, "delay": 0.5}}
    )
    assert response.content_type == "text/event-stream"
    text = await response.text()
    assert ": keep-alive" in text
    assert json.loads(text.strip().splitlines()[-1][5:])["result"]["structuredContent"]["echo"] == 1


# -- duplicate ids ------------------------------------------------------------------------


async def test_a_duplicated_id_never_cross_wires_responses(mcp: Mcp) -> None:
    """Two requests with one id, in flight together: each gets its own answer."""
    session_id = await mcp.initialize()
    slow = {"name": "echo", "arguments": {"value": "slow", "delay": 0.15}}
    fast = {"name": "echo", "arguments": {"value": "fast", "delay": 0.0}}
    responses = await asyncio.wait_for(
        asyncio.gather(
            mcp.legacy(session_id, "tools/call", slow, id=7),
            mcp.legacy(session_id, "tools/call", fast, id=7),
            mcp.modern("tools/call", slow, id=7),
            mcp.modern("tools/call", fast, id=7),
        ),
        timeout=5,
    )
    bodies = [await r.json() for r in responses]
    echoes = [b["result"]["structuredContent"]["echo"] for b in bodies]
    assert echoes == ["slow", "fast", "slow", "fast"]
    assert all(b["id"] == 7 for b in bodies)


# -- cancellation -------------------------------------------------------------------------


def _waiting_tool(started: asyncio.Event, outcome: list[str]) -> Tool:
    async def wait(context: ToolContext, arguments: dict[str, object]) -> ToolResult:
        started.set()
        try:
            await asyncio.sleep(float(str(arguments.get("seconds", 0.5))))
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        outcome.append("finished")
        return ToolResult.ok({"waited": True})

    annotations = ToolAnnotations(read_only=True, destructive=False, idempotent=True)
    return Tool("wait", "Wait", "Sleeps", {"type": "object"}, annotations, READ, wait)


async def _stack_with_waiter(make_stack: MakeStack) -> tuple[Stack, asyncio.Event, list[str]]:
    started, outcome = asyncio.Event(), []
    stack = await make_stack(tools=ToolRegistry.of([_waiting_tool(started, outcome)]))
    return stack, started, outcome


async def test_closing_the_response_cancels_a_modern_request(make_stack: MakeStack) -> None:
    """2026-07-28 §5.1: closing the SSE response stream MUST be treated as cancellation."""
    stack, started, outcome = await _stack_with_waiter(make_stack)
    call = asyncio.create_task(
        stack.mcp().modern("tools/call", {"name": "wait", "arguments": {"seconds": 5}})
    )
    await asyncio.wait_for(started.wait(), 5)
    call.cancel()
    for _ in range(100):
        if outcome:
            break
        await asyncio.sleep(0.02)
    assert outcome == ["cancelled"]


async def test_a_legacy_disconnect_is_not_a_cancellation(make_stack: MakeStack) -> None:
    """2025-11-25 §4.4: disconnection SHOULD NOT be interpreted as cancellation."""
    stack, started, outcome = await _stack_with_waiter(make_stack)
    mcp = stack.mcp()
    session_id = await mcp.initialize()
    call = asyncio.create_task(
        mcp.legacy(session_id, "tools/call", {"name": "wait", "arguments": {"seconds": 0.3}})
    )
    await asyncio.wait_for(started.wait(), 5)
    call.cancel()
    await asyncio.sleep(0.6)
    assert outcome == ["finished"]


async def test_notifications_cancelled_stops_a_legacy_request_without_a_response(
    make_stack: MakeStack,
) -> None:
    stack, started, outcome = await _stack_with_waiter(make_stack)
    mcp = stack.mcp()
    session_id = await mcp.initialize()
    call = asyncio.create_task(
        mcp.legacy(session_id, "tools/call", {"name": "wait", "arguments": {"seconds": 5}}, id="c1")
    )
    await asyncio.wait_for(started.wait(), 5)
    cancel = notification("notifications/cancelled", {"requestId": "c1", "reason": "user"})
    assert (await mcp.post(cancel, mcp.session_headers(session_id))).status == 202
    response = await asyncio.wait_for(call, 5)
    assert await read_sse(response) == []
    assert outcome == ["cancelled"]


async def test_another_sessions_cancel_does_not_reach_this_request(make_stack: MakeStack) -> None:
    stack, started, _ = await _stack_with_waiter(make_stack)
    mcp = stack.mcp()
    mine, other = await mcp.initialize(), await mcp.initialize()
    call = asyncio.create_task(
        mcp.legacy(mine, "tools/call", {"name": "wait", "arguments": {"seconds": 0.1}}, id=1)
    )
    await asyncio.wait_for(started.wait(), 5)
    await mcp.post(
        notification("notifications/cancelled", {"requestId": 1}), mcp.session_headers(other)
    )
    response = await asyncio.wait_for(call, 5)
    assert (await response.json())["result"]["structuredContent"] == {"waited": True}


# -- CORS -----------------------------------------------------------------------------------


async def test_preflight_allows_every_mcp_header(stack: Stack) -> None:
    response = await stack.client.options(
        "/mcp",
        headers={
            "Origin": "http://localhost:6274",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": CORS_HEADERS,
        },
    )
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:6274"
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert allowed == {h.strip() for h in CORS_HEADERS.split(",")}


@pytest.mark.parametrize("token", [None, "alice-token"])
async def test_cors_headers_are_on_errors_too(stack: Stack, token: str | None) -> None:
    mcp = stack.mcp(token=token)
    response = await mcp.post(
        rpc("tools/list"), {"Origin": "http://localhost:6274", "Accept": "text/html"}
    )
    assert response.status == (401 if token is None else 406)
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:6274"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"Mcp-Session-Id", "WWW-Authenticate", "MCP-Protocol-Version"}


async def test_the_session_id_is_readable_by_a_browser(stack: Stack) -> None:
    mcp = stack.mcp()
    params = {
        "protocolVersion": LEGACY,
        "capabilities": {},
        "clientInfo": {"name": "b", "version": "1"},
    }
    response = await mcp.post(rpc("initialize", params), {"Origin": "http://127.0.0.1:6274"})
    assert "Mcp-Session-Id" in response.headers["Access-Control-Expose-Headers"]


# -- Origin and Host ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin", ["https://evil.example.com", "null", "http://localhost.evil.example"]
)
async def test_a_foreign_origin_is_refused_with_403(mcp: Mcp, origin: str) -> None:
    response = await mcp.modern("tools/list", headers={"Origin": origin})
    assert response.status == 403
    assert await response.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32600, "message": "Origin not allowed"},
    }


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:6274", "http://127.0.0.1:3000", "http://localhost:8001", "http://[::1]:9"],
)
async def test_loopback_origins_are_allowed_when_listening_on_loopback(
    mcp: Mcp, origin: str
) -> None:
    assert (await mcp.modern("tools/list", headers={"Origin": origin})).status == 200


async def test_configured_origins_are_allowed_and_others_are_not(make_stack: MakeStack) -> None:
    env = {
        "TASKMCP_RESOURCE_HOST": ALL_INTERFACES,
        "MCP_SERVER_URL": "https://mcp.example.com",
        "TASKMCP_ALLOWED_ORIGINS": "https://chatgpt.com, https://Inspector.example.com:443",
    }
    mcp = (await make_stack(env)).mcp()
    for origin, status in [
        ("https://chatgpt.com", 200),
        ("https://inspector.example.com", 200),
        ("https://mcp.example.com", 200),
        ("http://localhost:6274", 403),
        ("https://claude.ai", 403),
    ]:
        # audience is https://mcp.example.com/mcp here, so the token is refused after the guard
        response = await mcp.modern("tools/list", headers={"Origin": origin})
        assert (response.status == 403) == (status == 403), origin


async def test_requests_without_origin_are_allowed(mcp: Mcp) -> None:
    assert (await mcp.modern("tools/list")).status == 200


@pytest.mark.parametrize("host", ["evil.example.com", "evil.example.com:8001", "127.0.0.1.nip.io"])
async def test_a_foreign_host_is_refused_on_loopback(mcp: Mcp, host: str) -> None:
    """DNS rebinding: conformance `dns-rebinding-protection` wants a 4xx."""
    response = await mcp.modern("tools/list", headers={"Host": host})
    assert response.status == 421
    assert (await _error(response))["code"] == -32600


@pytest.mark.parametrize("host", ["localhost", "localhost:8001", "127.0.0.1:1", "[::1]:8001"])
async def test_loopback_hosts_are_accepted(mcp: Mcp, host: str) -> None:
    assert (await mcp.modern("tools/list", headers={"Host": host})).status == 200


async def test_the_public_host_is_accepted_behind_a_local_proxy(make_stack: MakeStack) -> None:
    stack = await make_stack({"MCP_SERVER_URL": "https://mcp.example.com"})
    response = await stack.mcp().modern("tools/list", headers={"Host": "mcp.example.com"})
    assert response.status != 421


async def test_no_host_check_when_not_listening_on_loopback(make_stack: MakeStack) -> None:
    stack = await make_stack({"TASKMCP_RESOURCE_HOST": ALL_INTERFACES})
    response = await stack.mcp().modern("tools/list", headers={"Host": "mcp.internal:8001"})
    assert response.status == 200

"""The modern era (2026-07-28, mcp-protocol §5): the validation ladder with its error
codes and statuses, the result envelope, ``server/discover``, ``Mcp-Param-*`` headers,
client capabilities and ``subscriptions/listen``."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from aiohttp import ClientResponse

from tests.mcp.conftest import Stack
from tests.mcp.support import (
    META,
    MODERN,
    Mcp,
    modern_headers,
    next_event,
    next_line,
    notification,
    rpc,
)

SERVER_INFO = {"name": "taskmcp", "version": "0.1.0"}


async def _body(
    mcp: Mcp, method: str, params: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    response = await mcp.modern(method, params)
    return response.status, await response.json()


async def test_discover_describes_the_server(mcp: Mcp) -> None:
    response = await mcp.modern("server/discover", id=11)
    assert response.status == 200
    assert "Mcp-Session-Id" not in response.headers
    assert response.headers["MCP-Protocol-Version"] == MODERN
    result = (await response.json())["result"]
    assert result["resultType"] == "complete"
    assert result["supportedVersions"] == [MODERN]
    assert result["capabilities"] == {"tools": {}, "resources": {}, "prompts": {}, "logging": {}}
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"] == SERVER_INFO
    assert (result["ttlMs"], result["cacheScope"]) == (300_000, "private")


@pytest.mark.parametrize(
    "method",
    ["tools/list", "prompts/list", "resources/list", "resources/templates/list"],
)
async def test_list_results_carry_caching_hints(mcp: Mcp, method: str) -> None:
    status, body = await _body(mcp, method)
    result = body["result"]
    assert status == 200
    assert isinstance(result, dict)
    assert result["resultType"] == "complete"
    assert result["cacheScope"] == "private"
    assert isinstance(result["ttlMs"], int)
    assert result["ttlMs"] >= 0


async def test_tools_list_is_deterministic(mcp: Mcp) -> None:
    names = []
    for _ in range(3):
        _, body = await _body(mcp, "tools/list")
        names.append([tool["name"] for tool in body["result"]["tools"]])
    assert names[0] == names[1] == names[2]


@pytest.mark.parametrize(
    ("params", "missing"),
    [
        ({}, "_meta"),
        ({"_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}, "protocolVersion"),
        ({"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}}, "clientCapabilities"),
    ],
)
async def test_missing_meta_fields_are_400_32602_with_the_id(
    mcp: Mcp, params: dict[str, object], missing: str
) -> None:
    response = await mcp.post(
        rpc("server/discover", params, id=101), modern_headers("server/discover")
    )
    assert response.status == 400
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (101, -32602)
    assert missing in body["error"]["message"]


async def test_client_info_is_optional(mcp: Mcp) -> None:
    meta = {k: v for k, v in META.items() if not k.endswith("clientInfo")}
    response = await mcp.post(
        rpc("server/discover", {"_meta": meta}), modern_headers("server/discover")
    )
    assert response.status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Mcp-Method": "prompts/list"},
        {"Mcp-Method": "TOOLS/LIST"},
        {"Mcp-Method": ""},
    ],
)
async def test_a_method_header_mismatch_is_400_32020(mcp: Mcp, headers: dict[str, str]) -> None:
    response = await mcp.modern("tools/list", headers=headers, id=12)
    assert response.status == 400
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (12, -32020)


async def test_a_missing_method_header_is_400_32020(mcp: Mcp) -> None:
    response = await mcp.post(rpc("tools/list", {"_meta": META}), {"MCP-Protocol-Version": MODERN})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32020


async def test_header_names_are_case_insensitive_and_values_trimmed(mcp: Mcp) -> None:
    headers = {
        "mcp-protocol-version": f" {MODERN} ",
        "MCP-METHOD": " tools/call ",
        "mcp-name": "  get_time  ",
    }
    body = rpc("tools/call", {"name": "get_time", "_meta": META})
    assert (await mcp.post(body, headers)).status == 200


async def test_the_version_header_must_match_the_meta_version(mcp: Mcp) -> None:
    meta = {**META, "io.modelcontextprotocol/protocolVersion": "v999.0.0"}
    mismatch = await mcp.post(
        rpc("server/discover", {"_meta": meta}, id=302), modern_headers("server/discover")
    )
    assert mismatch.status == 400
    assert (await mismatch.json())["error"]["code"] == -32020
    both = await mcp.post(
        rpc("server/discover", {"_meta": meta}, id=301),
        {**modern_headers("server/discover"), "MCP-Protocol-Version": "v999.0.0"},
    )
    assert both.status == 400
    body = await both.json()
    assert (body["error"]["code"], body["error"]["data"]) == (
        -32022,
        {"supported": [MODERN], "requested": "v999.0.0"},
    )


@pytest.mark.parametrize("name_header", [None, "wrong_tool", "GET_TIME"])
async def test_the_name_header_must_match(mcp: Mcp, name_header: str | None) -> None:
    headers = modern_headers("tools/call") | ({"Mcp-Name": name_header} if name_header else {})
    response = await mcp.post(rpc("tools/call", {"name": "get_time", "_meta": META}), headers)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32020


async def test_a_base64_wrapped_name_header_is_decoded(mcp: Mcp) -> None:
    encoded = "=?base64?" + base64.b64encode(b"get_time").decode() + "?="
    response = await mcp.post(
        rpc("tools/call", {"name": "get_time", "_meta": META}),
        modern_headers("tools/call", encoded),
    )
    assert response.status == 200


async def test_a_duplicated_routing_header_is_a_mismatch(stack: Stack) -> None:
    raw = [("Mcp-Method", "tools/list"), ("Mcp-Method", "tools/list")]
    headers = [*stack.mcp().headers({"MCP-Protocol-Version": MODERN}).items(), *raw]
    response = await stack.client.post(
        "/mcp", json=rpc("tools/list", {"_meta": META}), headers=headers
    )
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32020


@pytest.mark.parametrize(
    "method",
    [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "resources/unsubscribe",
        "unknown/method",
    ],
)
async def test_removed_and_unknown_methods_are_404_32601(mcp: Mcp, method: str) -> None:
    response = await mcp.modern(method, {}, id=500)
    assert response.status == 404
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (500, -32601)


async def test_unknown_tool_and_invalid_cursor_are_400_32602(mcp: Mcp) -> None:
    unknown = await mcp.modern("tools/call", {"name": "nope", "arguments": {}})
    cursor = await mcp.modern("tools/list", {"cursor": "abc"})
    assert (unknown.status, cursor.status) == (400, 400)
    assert (await unknown.json())["error"]["message"] == "Unknown tool: nope"
    assert (await cursor.json())["error"]["code"] == -32602


async def test_a_missing_resource_is_400_32602_with_its_uri(mcp: Mcp) -> None:
    uri = "test://nonexistent-resource-for-conformance-testing"
    response = await mcp.modern("resources/read", {"uri": uri})
    assert response.status == 400
    assert (await response.json())["error"] == {
        "code": -32602,
        "message": "Resource not found",
        "data": {"uri": uri},
    }


@pytest.mark.parametrize(
    "body",
    [
        [rpc("tools/list", {"_meta": META})],
        {"jsonrpc": "2.0", "id": 1, "result": {}},
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": [1]},
    ],
    ids=["batch", "response", "array-params"],
)
async def test_batches_responses_and_bad_envelopes_are_400_32600(mcp: Mcp, body: object) -> None:
    response = await mcp.post(body, modern_headers("tools/list"))
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32600


async def test_a_session_id_is_ignored(mcp: Mcp) -> None:
    response = await mcp.modern(
        "tools/list", headers={"Mcp-Session-Id": "whatever", "Last-Event-ID": "3"}
    )
    assert response.status == 200
    assert "Mcp-Session-Id" not in response.headers


async def test_tool_results_carry_the_envelope(mcp: Mcp) -> None:
    _, body = await _body(mcp, "tools/call", {"name": "get_time", "arguments": {"timezone": "UTC"}})
    result = body["result"]
    assert isinstance(result, dict)
    assert result["resultType"] == "complete"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"] == SERVER_INFO
    assert "ttlMs" not in result
    assert result["structuredContent"]["timezone"] == "UTC"


# -- Mcp-Param headers ----------------------------------------------------------------------


async def _routed(mcp: Mcp, arguments: dict[str, object], params: dict[str, str]) -> ClientResponse:
    return await mcp.modern(
        "tools/call", {"name": "routed", "arguments": arguments}, headers=params
    )


@pytest.mark.parametrize(
    ("arguments", "headers", "status"),
    [
        ({"region": "eu", "n": 5}, {"Mcp-Param-Region": "eu", "Mcp-Param-N": "5"}, 200),
        ({"region": "eu", "n": 5}, {"mcp-param-region": " eu ", "Mcp-Param-N": "5.0"}, 200),
        ({"region": "Zürich"}, {"Mcp-Param-Region": "=?base64?WsO8cmljaA==?="}, 200),
        ({"region": "=?base64?x"}, {"Mcp-Param-Region": "=?base64?x"}, 200),
        ({}, {}, 200),
        ({"region": "eu"}, {}, 400),
        ({"region": "eu"}, {"Mcp-Param-Region": "us"}, 400),
        ({}, {"Mcp-Param-Region": "eu"}, 400),
        ({"region": "Hello"}, {"Mcp-Param-Region": "=?base64?SGVsbG8?="}, 400),
        ({"region": "Hello"}, {"Mcp-Param-Region": "=?base64?SGVs!!!bG8=?="}, 400),
        ({"n": 5}, {"Mcp-Param-N": "6"}, 400),
    ],
)
async def test_param_headers_must_agree_with_the_arguments(
    mcp: Mcp, arguments: dict[str, object], headers: dict[str, str], status: int
) -> None:
    response = await _routed(mcp, arguments, headers)
    assert response.status == status, await response.text()
    if status == 400:
        assert (await response.json())["error"]["code"] == -32020


# -- client capabilities -------------------------------------------------------------------


async def test_a_tool_needing_an_undeclared_capability_is_400_32021(mcp: Mcp) -> None:
    response = await mcp.modern("tools/call", {"name": "needs_sampling", "arguments": {}}, id=401)
    assert response.status == 400
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (401, -32021)
    assert body["error"]["data"] == {"requiredCapabilities": {"sampling": {}}}
    declared = await mcp.modern(
        "tools/call",
        {"name": "needs_sampling", "arguments": {}},
        **{"io.modelcontextprotocol/clientCapabilities": {"sampling": {}}},
    )
    assert declared.status == 200


async def test_legacy_sessions_remember_the_declared_capabilities(mcp: Mcp) -> None:
    without = await mcp.initialize()
    with_sampling = await mcp.initialize(capabilities={"sampling": {}})
    call = {"name": "needs_sampling", "arguments": {}}
    assert (await (await mcp.legacy(without, "tools/call", call)).json())["error"]["code"] == -32021
    assert "result" in await (await mcp.legacy(with_sampling, "tools/call", call)).json()


# -- subscriptions/listen -------------------------------------------------------------------


async def _listen(mcp: Mcp, request_id: object = "sub-1", **notifications: bool) -> ClientResponse:
    return await mcp.modern("subscriptions/listen", {"notifications": notifications}, id=request_id)


async def test_listen_acknowledges_first_and_keeps_the_stream_alive(mcp: Mcp) -> None:
    response = await _listen(mcp, toolsListChanged=True, promptsListChanged=True)
    assert response.status == 200
    assert response.content_type == "text/event-stream"
    ack = await next_event(response)
    assert ack == {
        "jsonrpc": "2.0",
        "method": "notifications/subscriptions/acknowledged",
        "params": {
            "notifications": {},
            "_meta": {"io.modelcontextprotocol/subscriptionId": "sub-1"},
        },
    }
    line = await next_line(response)
    assert line.startswith(b": keep-alive")
    response.close()


async def test_listen_ends_with_a_final_result_on_shutdown(stack: Stack) -> None:
    response = await _listen(stack.mcp(), request_id=42)
    await next_event(response)
    closing = asyncio.create_task(stack.client.server.close())
    final = await next_event(response)
    assert final == {
        "jsonrpc": "2.0",
        "id": 42,
        "result": {
            "resultType": "complete",
            "_meta": {"io.modelcontextprotocol/subscriptionId": 42},
        },
    }
    with pytest.raises(EOFError):
        await next_event(response)
    await asyncio.wait_for(closing, 5)


async def test_notifications_cancelled_ends_a_listen_stream_of_the_same_user(stack: Stack) -> None:
    alice, bob = stack.mcp("alice-token"), stack.mcp("bob-token")
    response = await _listen(alice, request_id="L")
    await next_event(response)
    cancel = notification("notifications/cancelled", {"requestId": "L"})
    assert (await bob.post(cancel, {"MCP-Protocol-Version": MODERN})).status == 202
    line = await next_line(response)
    assert line.startswith(b": keep-alive")  # bob cannot end alice's stream
    assert (await alice.post(cancel, {"MCP-Protocol-Version": MODERN})).status == 202
    with pytest.raises(EOFError):
        await next_event(response)


async def test_listen_needs_a_notifications_object(mcp: Mcp) -> None:
    response = await mcp.modern("subscriptions/listen", {}, id=3)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32602

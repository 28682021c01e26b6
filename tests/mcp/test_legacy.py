"""The legacy era over HTTP (mcp-protocol §4): sessions bound to their user, idle TTL,
the per-user cap, DELETE, the GET stream, batches, ping and logging."""

from __future__ import annotations

import asyncio
import re

import pytest

from taskmcp.mcp.options import TransportOptions
from tests.mcp.conftest import MakeStack, Stack
from tests.mcp.support import LEGACY, Mcp, next_event, next_line, notification, rpc

VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+$")


async def test_session_ids_are_random_visible_ascii(mcp: Mcp) -> None:
    ids = {await mcp.initialize() for _ in range(3)}
    assert len(ids) == 3
    assert all(VISIBLE_ASCII.fullmatch(i) and len(i) >= 40 for i in ids)


async def test_a_session_belongs_to_its_user(stack: Stack) -> None:
    """Possession of the id is never authentication: bob gets 404 for alice's id."""
    alice, bob = stack.mcp("alice-token"), stack.mcp("bob-token")
    session_id = await alice.initialize()
    assert (await bob.legacy(session_id, "tools/list")).status == 404
    assert (
        await bob.client.delete("/mcp", headers=bob.headers(bob.session_headers(session_id)))
    ).status == 404
    assert (await alice.legacy(session_id, "tools/list")).status == 200


async def test_a_missing_session_id_is_400_and_an_unknown_one_404(mcp: Mcp) -> None:
    missing = await mcp.post(rpc("tools/list"), {"MCP-Protocol-Version": LEGACY})
    unknown = await mcp.legacy("not-a-session", "tools/list")
    assert (missing.status, unknown.status) == (400, 404)
    assert (await missing.json())["error"]["code"] == -32600
    assert (await unknown.json())["error"] == {"code": -32600, "message": "Session not found"}


async def test_an_idle_session_expires(make_stack: MakeStack) -> None:
    stack = await make_stack(transport=TransportOptions(session_idle_ttl=0.3, keepalive=0.2))
    mcp = stack.mcp()
    session_id = await mcp.initialize()
    await asyncio.sleep(0.15)
    assert (await mcp.legacy(session_id, "ping")).status == 200  # activity resets the timer
    await asyncio.sleep(0.15)
    assert (await mcp.legacy(session_id, "ping")).status == 200
    await asyncio.sleep(0.4)
    assert (await mcp.legacy(session_id, "ping")).status == 404


async def test_a_user_over_the_cap_loses_the_least_recently_used_session(stack: Stack) -> None:
    """Max 3 sessions per user in these tests; another user's sessions are unaffected."""
    alice, bob = stack.mcp("alice-token"), stack.mcp("bob-token")
    bobs = await bob.initialize()
    first, second, third = [await alice.initialize() for _ in range(3)]
    assert (await alice.legacy(first, "ping")).status == 200  # first is now the most recent
    fourth = await alice.initialize()
    statuses = [(await alice.legacy(s, "ping")).status for s in (first, second, third, fourth)]
    assert statuses == [200, 404, 200, 200]
    assert (await bob.legacy(bobs, "ping")).status == 200


async def test_delete_ends_the_session(stack: Stack) -> None:
    mcp = stack.mcp()
    session_id = await mcp.initialize()
    headers = mcp.headers(mcp.session_headers(session_id))
    assert (await stack.client.delete("/mcp", headers=headers)).status == 204
    assert (await mcp.legacy(session_id, "tools/list")).status == 404
    assert (await stack.client.delete("/mcp", headers=headers)).status == 404


async def test_ping_and_set_level_answer_empty_objects(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    ping = await (await mcp.legacy(session_id, "ping", id="p")).json()
    level = await (await mcp.legacy(session_id, "logging/setLevel", {"level": "warning"})).json()
    assert ping == {"jsonrpc": "2.0", "id": "p", "result": {}}
    assert level["result"] == {}


async def test_legacy_dispatch_errors_travel_in_200_responses(mcp: Mcp) -> None:
    """A legacy 404 means "session gone", so an unknown method is a 200 with -32601."""
    session_id = await mcp.initialize()
    unknown = await mcp.legacy(session_id, "server/discover", id=3)
    bad_level = await mcp.legacy(session_id, "logging/setLevel", {"level": "loud"}, id=4)
    missing = await mcp.legacy(session_id, "resources/read", {"uri": "test://nope"}, id=5)
    assert [r.status for r in (unknown, bad_level, missing)] == [200, 200, 200]
    assert (await unknown.json())["error"]["code"] == -32601
    assert (await bad_level.json())["error"]["code"] == -32602
    assert (await missing.json())["error"] == {
        "code": -32002,
        "message": "Resource not found",
        "data": {"uri": "test://nope"},
    }


async def test_legacy_results_have_no_modern_envelope(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    result = (await (await mcp.legacy(session_id, "tools/list")).json())["result"]
    assert set(result) == {"tools"}
    assert [t["name"] for t in result["tools"]][:2] == ["get_time", "echo"]


async def test_empty_lists_for_resources_and_prompts(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    for method, key in [
        ("resources/list", "resources"),
        ("resources/templates/list", "resourceTemplates"),
        ("prompts/list", "prompts"),
    ]:
        assert (await (await mcp.legacy(session_id, method)).json())["result"] == {key: []}


async def test_a_client_response_is_accepted_with_202(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    answer = {"jsonrpc": "2.0", "id": "srv-1", "result": {}}
    assert (await mcp.post(answer, mcp.session_headers(session_id))).status == 202


async def test_an_invalid_envelope_is_400(mcp: Mcp) -> None:
    session_id = await mcp.initialize()
    for body in (
        {"jsonrpc": "1.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "id": True, "method": "ping"},
        42,
    ):
        response = await mcp.post(body, mcp.session_headers(session_id))
        assert response.status == 400
        assert (await response.json())["error"]["code"] == -32600


# -- batches (2025-03-26 only) ------------------------------------------------------------


async def test_batches_work_in_a_2025_03_26_session(mcp: Mcp) -> None:
    session_id = await mcp.initialize("2025-03-26")
    batch = [
        rpc("ping", id=1),
        notification("notifications/initialized"),
        rpc("tools/list", id=2),
        {"bad": 1},
    ]
    response = await mcp.post(batch, {"Mcp-Session-Id": session_id})
    assert response.status == 200
    replies = await response.json()
    assert [r["id"] for r in replies] == [1, 2, None]
    assert replies[0]["result"] == {}
    assert "tools" in replies[1]["result"]
    assert replies[2]["error"]["code"] == -32600


async def test_a_batch_of_notifications_is_202(mcp: Mcp) -> None:
    session_id = await mcp.initialize("2025-03-26")
    response = await mcp.post(
        [notification("notifications/initialized")], {"Mcp-Session-Id": session_id}
    )
    assert response.status == 202


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
async def test_batches_are_refused_after_2025_03_26(mcp: Mcp, version: str) -> None:
    session_id = await mcp.initialize(version)
    response = await mcp.post([rpc("ping")], mcp.session_headers(session_id, version))
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32600


async def test_an_empty_batch_is_invalid(mcp: Mcp) -> None:
    session_id = await mcp.initialize("2025-03-26")
    assert (await mcp.post([], {"Mcp-Session-Id": session_id})).status == 400


# -- the GET stream -----------------------------------------------------------------------


def _stream_headers(mcp: Mcp, session_id: str) -> dict[str, str]:
    return mcp.headers({**mcp.session_headers(session_id), "Accept": "text/event-stream"})


async def test_the_get_stream_opens_once_and_ends_with_delete(stack: Stack) -> None:
    mcp = stack.mcp()
    session_id = await mcp.initialize()
    stream = await stack.client.get("/mcp", headers=_stream_headers(mcp, session_id))
    assert stream.status == 200
    assert stream.content_type == "text/event-stream"
    assert (await next_line(stream)).startswith(b": keep-alive")
    second = await stack.client.get("/mcp", headers=_stream_headers(mcp, session_id))
    assert second.status == 409
    await stack.client.delete("/mcp", headers=mcp.headers(mcp.session_headers(session_id)))
    with pytest.raises(EOFError):
        await next_event(stream, wait=2)


async def test_the_get_stream_needs_an_sse_accept(stack: Stack) -> None:
    mcp = stack.mcp()
    session_id = await mcp.initialize()
    headers = {**_stream_headers(mcp, session_id), "Accept": "application/json"}
    assert (await stack.client.get("/mcp", headers=headers)).status == 406


async def test_the_get_stream_closes_on_shutdown(stack: Stack) -> None:
    mcp = stack.mcp()
    session_id = await mcp.initialize()
    stream = await stack.client.get("/mcp", headers=_stream_headers(mcp, session_id))
    closing = asyncio.create_task(stack.client.server.close())
    with pytest.raises(EOFError):
        await next_event(stream, wait=3)
    await asyncio.wait_for(closing, 5)

"""Per-user abuse limits on ``/mcp`` (``taskmcp.mcp.limits``; issue #9).

Each limit is configured through its setting, as an operator would, and answered
with 429, ``Retry-After`` and a JSON-RPC error that carries the request's id; other
users are never affected.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from taskmcp.keys import LIMITS
from taskmcp.mcp.limits import TokenBuckets
from taskmcp.mcp.options import TransportOptions
from tests.faults.inprocess import InProcess, serve_resource
from tests.faults.mcp_http import LEGACY, META, MODERN, Reply

RATE = {"TASKMCP_MCP_RATE_LIMIT": "1", "TASKMCP_MCP_RATE_BURST": "3"}
FAST = TransportOptions(keepalive=0.2)


class Clock:
    """Stands still unless moved, so that no token refills while a test runs slowly."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def freeze(server: InProcess, monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    buckets = server.app[LIMITS].buckets
    assert buckets is not None
    monkeypatch.setattr(buckets, "_clock", clock)
    return clock


def _assert_limited(reply: Reply, request_id: object) -> int:
    assert reply.status == 429, reply
    retry_after = int(reply.headers["Retry-After"])
    assert retry_after >= 1
    assert reply.message is not None
    assert reply.message["id"] == request_id
    assert reply.message["error"]["code"] == -32000
    assert reply.message["error"]["data"] == {"retryAfter": retry_after}
    return retry_after


async def test_a_user_over_the_request_rate_gets_429_and_others_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with serve_resource(RATE) as server:
        clock = freeze(server, monkeypatch)
        alice, bob = server.mcp(), server.mcp("bob-token")
        for _ in range(3):  # the burst
            assert (await alice.modern("tools/list")).status == 200
        limited = await alice.modern("tools/list")
        retry_after = _assert_limited(limited, alice.last_id)
        assert (await bob.modern("tools/list")).status == 200
        clock.now += retry_after
        assert (await alice.modern("tools/list")).status == 200
        assert (await alice.modern("tools/list")).status == 429


async def test_the_legacy_era_is_limited_too_with_its_request_id_or_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with serve_resource(RATE) as server:
        freeze(server, monkeypatch)
        alice = server.mcp()
        session = await alice.initialize()  # two requests: initialize, initialized
        assert (await alice.legacy(session, "ping")).status == 200
        reply = await alice.legacy(session, "ping")
        _assert_limited(reply, alice.last_id)
        headers = {"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY}
        async with server.http.get(f"{server.url}/mcp", headers=alice.headers(headers)) as resp:
            body = await resp.json()
            assert resp.status == 429
            assert body["id"] is None
            assert "Retry-After" in resp.headers


async def test_a_batch_counts_each_message_and_cannot_exceed_the_burst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with serve_resource(RATE) as server:
        freeze(server, monkeypatch)
        alice = server.mcp()
        body = {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {}},
        }
        session = (await alice.post(body, {})).headers["Mcp-Session-Id"]
        headers = {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-03-26"}
        ping = [{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in range(4)]
        too_big = await alice.post(ping, headers)
        assert too_big.status == 400
        assert too_big.error is not None
        assert "at most 3" in too_big.error["message"]
        assert (await alice.post(ping[:2], headers)).status == 200  # 1 + 2 tokens: empty
        assert (await alice.post(ping[:1], headers)).status == 429


async def _open_listen(server: InProcess, token: str, request_id: int) -> aiohttp.ClientResponse:
    params = {"notifications": {}, "_meta": META}
    body = {"jsonrpc": "2.0", "id": request_id, "method": "subscriptions/listen", "params": params}
    headers = server.mcp(token).headers(
        {"MCP-Protocol-Version": MODERN, "Mcp-Method": "subscriptions/listen"}
    )
    return await server.http.post(f"{server.url}/mcp", json=body, headers=headers)


async def test_standalone_streams_per_user_are_capped_across_both_eras() -> None:
    async with serve_resource({"TASKMCP_MCP_MAX_STREAMS": "2"}, transport=FAST) as server:
        first = await _open_listen(server, "alice-token", 1)
        second = await _open_listen(server, "alice-token", 2)
        assert (first.status, second.status) == (200, 200)
        third = await _open_listen(server, "alice-token", 3)
        assert third.status == 429
        body = json.loads(await third.text())
        assert body["id"] == 3
        assert int(third.headers["Retry-After"]) > 0
        alice = server.mcp()
        session = await alice.initialize()
        headers = alice.headers({"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY})
        async with server.http.get(f"{server.url}/mcp", headers=headers) as get:
            assert get.status == 429  # a GET stream counts against the same cap
        other = await _open_listen(server, "bob-token", 1)
        assert other.status == 200
        first.close()  # the server notices at its next keep-alive and frees the slot
        for _ in range(50):
            fourth = await _open_listen(server, "alice-token", 4)
            if fourth.status == 200:
                break
            fourth.close()
            await asyncio.sleep(0.1)
        assert fourth.status == 200
        for response in (second, fourth, other):
            response.close()


async def test_the_session_cap_is_configurable_and_evicts_the_oldest() -> None:
    async with serve_resource({"TASKMCP_MCP_MAX_SESSIONS": "2"}) as server:
        alice = server.mcp()
        sessions = [await alice.initialize() for _ in range(3)]
        assert (await alice.legacy(sessions[0], "ping")).status == 404
        for session in sessions[1:]:
            assert (await alice.legacy(session, "ping")).status == 200
        bob = server.mcp("bob-token")
        assert (await bob.legacy(await bob.initialize(), "ping")).status == 200
        assert (await alice.legacy(sessions[2], "ping")).status == 200


def test_token_buckets_refill_at_the_rate_and_stay_bounded_in_memory() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=4, max_keys=50, clock=clock)
    assert [buckets.take("u") for _ in range(4)] == [None] * 4
    assert buckets.take("u") == pytest.approx(0.5)  # one token every 1/rate seconds
    clock.now += 0.5
    assert buckets.take("u") is None
    assert buckets.take("u", cost=4) == pytest.approx(2.0)
    for i in range(200):  # a crowd of users, each once: the cap holds
        buckets.take(f"user {i}")
    assert len(buckets) <= 50
    clock.now += 10  # everyone has refilled: such buckets are dropped as calls go by
    for _ in range(30):
        buckets.take("busy")
    assert len(buckets) < 50

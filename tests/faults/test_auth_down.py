"""The authorization server stops while the resource server keeps serving (issue #9;
``taskmcp.resource.cache``: failures to introspect are never cached).

* A token whose introspection result the resource server has cached keeps working
  until that entry expires (``TASKMCP_INTROSPECTION_CACHE_TTL``), then gets 503.
* A token it has not seen gets 503 with ``Retry-After`` at once (not 401: the client
  must not throw its tokens away because our authorization server is down).
* When the authorization server is back on the same address, both tokens work again
  without restarting the resource server.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp

from tests.faults.mcp_http import RawMcp, Reply, tool_call
from tests.faults.services import (
    OAuthDriver,
    Ports,
    auth_service,
    resource_service,
    running,
    standin_service,
)

CACHE_TTL = 4.0
SLACK = 1.5  # a loaded machine may answer late


async def _get_time(mcp: RawMcp) -> Reply:
    return await mcp.modern("tools/call", tool_call("get_time"))


def _assert_served(reply: Reply) -> None:
    assert reply.status == 200, reply
    assert not reply.result.get("isError"), reply.result


def _assert_unavailable(reply: Reply) -> None:
    assert reply.status == 503, reply
    assert int(reply.headers["Retry-After"]) > 0
    assert reply.message is not None
    assert reply.message["error"] == "temporarily_unavailable"


async def test_cached_tokens_outlive_the_authorization_server_until_their_entry_expires(
    tmp_path: Path,
) -> None:
    ports = Ports()
    auth = auth_service(tmp_path, ports, f"sqlite:///{tmp_path / 'auth.db'}")
    resource = resource_service(tmp_path, ports, TASKMCP_INTROSPECTION_CACHE_TTL=str(CACHE_TTL))
    async with (
        running(standin_service(tmp_path, ports, ["alice", "bob"]), auth, resource),
        aiohttp.ClientSession() as http,
    ):
        driver = OAuthDriver(http, ports.issuer, ports.mcp)
        seen = RawMcp(http, ports.mcp, str((await driver.tokens("alice"))["access_token"]))
        unseen = RawMcp(http, ports.mcp, str((await driver.tokens("bob"))["access_token"]))
        _assert_served(await _get_time(seen))
        cached_at = time.monotonic()
        resource_pid = resource.pid

        await auth.kill(signal.SIGKILL)
        _assert_served(await _get_time(seen))
        _assert_unavailable(await _get_time(unseen))
        while (reply := await _get_time(seen)).status == 200:
            assert time.monotonic() - cached_at < CACHE_TTL + SLACK, "served past the cache TTL"
            await asyncio.sleep(0.1)
        _assert_unavailable(reply)
        assert time.monotonic() - cached_at >= CACHE_TTL - SLACK

        await auth.start()
        _assert_served(await _get_time(seen))
        _assert_served(await _get_time(unseen))
        assert resource.pid == resource_pid

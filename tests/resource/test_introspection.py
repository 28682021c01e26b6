"""Token introspection (RFC 7662) and its cache: the request we send, hits, negative
results, coalescing, and what happens when the authorization server cannot answer."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
from urllib.parse import unquote

import pytest

from taskmcp.resource.access import AccessInfo, VerifierUnavailableError
from taskmcp.resource.cache import CachingVerifier, token_key
from taskmcp.resource.introspection import access_from, basic_credentials
from tests.mcp.conftest import MakeStack, Stack
from tests.mcp.support import RS_CLIENT_ID, RS_SECRET, introspection


async def test_introspection_sends_the_token_form_and_basic_credentials(stack: Stack) -> None:
    await stack.mcp().modern("tools/list")
    assert stack.auth.forms == [{"token": "alice-token", "token_type_hint": "access_token"}]


def test_basic_credentials_are_urlencoded_before_base64() -> None:
    """RFC 6749 §2.3.1: the secret here has a space, a colon, a plus and a slash."""
    header = basic_credentials(RS_CLIENT_ID, RS_SECRET)
    raw = base64.b64decode(header.removeprefix("Basic ")).decode()
    client_id, _, secret = raw.partition(":")
    assert (unquote(client_id), unquote(secret)) == (RS_CLIENT_ID, RS_SECRET)
    assert ":" not in secret


async def test_a_validated_token_is_cached(stack: Stack) -> None:
    mcp = stack.mcp()
    for _ in range(5):
        assert (await mcp.modern("tools/list")).status == 200
    assert stack.auth.calls == ["alice-token"]


async def test_an_inactive_token_is_cached_briefly(stack: Stack) -> None:
    mcp = stack.mcp("nobody")
    for _ in range(3):
        assert (await mcp.modern("tools/list")).status == 401
    assert stack.auth.calls == ["nobody"]


async def test_concurrent_validations_share_one_introspection(stack: Stack) -> None:
    stack.auth.delay = 0.2
    mcp = stack.mcp()
    responses = await asyncio.gather(*(mcp.modern("tools/list", id=i) for i in range(10)))
    assert [r.status for r in responses] == [200] * 10
    assert stack.auth.calls == ["alice-token"]


async def test_an_unavailable_authorization_server_is_503_with_retry_after(stack: Stack) -> None:
    mcp = stack.mcp()
    assert (await mcp.modern("tools/list")).status == 200  # alice is cached now
    stack.auth.status = 503
    response = await stack.mcp("bob-token").modern("tools/list")
    assert response.status == 503
    assert response.headers["Retry-After"] == "5"
    assert "WWW-Authenticate" not in response.headers
    assert (await response.json())["error"] == "temporarily_unavailable"
    assert (await mcp.modern("tools/list")).status == 200  # the cached token still works
    stack.auth.status = 200
    assert (await stack.mcp("bob-token").modern("tools/list")).status == 200  # never cached


async def test_an_unreachable_authorization_server_is_503(make_stack: MakeStack) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    stack = await make_stack({"MCP_AUTH_SERVER": f"http://127.0.0.1:{closed_port}"})
    response = await stack.mcp().modern("tools/list")
    assert response.status == 503


async def test_refused_resource_server_credentials_are_logged_and_503(
    make_stack: MakeStack, caplog: pytest.LogCaptureFixture
) -> None:
    stack = await make_stack({"TASKMCP_INTROSPECTION_CLIENT_SECRET": "wrong-secret"})
    with caplog.at_level(logging.ERROR):
        response = await stack.mcp().modern("tools/list")
    assert response.status == 503
    assert "refused our introspection credentials" in caplog.text
    assert "wrong-secret" not in caplog.text
    assert "alice-token" not in caplog.text


@pytest.mark.parametrize(
    ("data", "active"),
    [
        ({"active": False}, False),
        ({"active": "true", "sub": "a"}, False),
        ({"active": True}, False),
        ({"active": True, "sub": "a", "scope": 5}, False),
        ({"active": True, "sub": "a"}, True),
    ],
)
def test_only_a_usable_active_response_is_access(data: dict[str, object], active: bool) -> None:
    assert (access_from(data) is not None) == active


def test_the_introspection_response_becomes_access_info() -> None:
    access = access_from(introspection("alice", aud=["x", 5, "y"]))
    assert access is not None
    assert (access.sub, access.client_id, access.aud) == ("alice", "client-1", ("x", "y"))
    assert access.scopes == {"tasks:read", "tasks:write"}
    assert access.upstream_token is not None
    assert access.upstream_token.get_secret_value() == "up-alice"
    assert "up-alice" not in repr(access)


# -- the cache on its own, with fake clocks ------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


class CountingVerifier:
    def __init__(self, answers: dict[str, AccessInfo | None]) -> None:
        self.answers = answers
        self.calls: list[str] = []
        self.fail = False

    async def verify(self, token: str) -> AccessInfo | None:
        self.calls.append(token)
        await asyncio.sleep(0)
        if self.fail:
            raise VerifierUnavailableError("down")
        return self.answers.get(token)


def _access(exp: int | None = None) -> AccessInfo:
    return AccessInfo(sub="a", client_id="c", scopes=frozenset({"tasks:read"}), exp=exp)


async def test_positive_entries_live_for_the_ttl_or_until_expiry() -> None:
    clock = Clock()
    inner = CountingVerifier(
        {"long": _access(exp=int(clock.now) + 3600), "short": _access(exp=int(clock.now) + 10)}
    )
    cache = CachingVerifier(inner, positive_ttl=60, clock=clock, wall_clock=clock)
    await cache.verify("long")
    await cache.verify("short")
    clock.now += 30
    await cache.verify("long")
    await cache.verify("short")
    assert inner.calls == ["long", "short", "short"]
    clock.now += 31
    await cache.verify("long")
    assert inner.calls == ["long", "short", "short", "long"]


async def test_negative_entries_live_for_the_negative_ttl() -> None:
    clock = Clock()
    inner = CountingVerifier({})
    cache = CachingVerifier(inner, negative_ttl=5, clock=clock, wall_clock=clock)
    assert await cache.verify("bad") is None
    clock.now += 4
    await cache.verify("bad")
    clock.now += 2
    await cache.verify("bad")
    assert inner.calls == ["bad", "bad"]


async def test_failures_are_never_cached() -> None:
    inner = CountingVerifier({"t": _access()})
    inner.fail = True
    cache = CachingVerifier(inner)
    for _ in range(2):
        with pytest.raises(VerifierUnavailableError):
            await cache.verify("t")
    inner.fail = False
    assert await cache.verify("t") is not None
    assert inner.calls == ["t", "t", "t"]


async def test_the_cache_is_bounded_lru_and_keyed_by_hash() -> None:
    inner = CountingVerifier({t: _access() for t in "abc"})
    cache = CachingVerifier(inner, max_entries=2)
    await cache.verify("a")
    await cache.verify("b")
    await cache.verify("a")
    await cache.verify("c")  # evicts b, the least recently used
    assert len(cache) == 2
    await cache.verify("a")
    await cache.verify("b")
    assert inner.calls == ["a", "b", "c", "b"]
    assert token_key("a") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"


async def test_a_cancelled_waiter_does_not_cancel_the_shared_call() -> None:
    inner = CountingVerifier({"t": _access()})
    cache = CachingVerifier(inner)
    first = asyncio.create_task(cache.verify("t"))
    second = asyncio.create_task(cache.verify("t"))
    await asyncio.sleep(0)
    first.cancel()
    assert await second is not None
    assert inner.calls == ["t"]


async def test_forget_drops_an_entry() -> None:
    inner = CountingVerifier({"t": _access()})
    cache = CachingVerifier(inner)
    await cache.verify("t")
    cache.forget("t")
    await cache.verify("t")
    assert inner.calls == ["t", "t"]

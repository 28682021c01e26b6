"""Attacks on ``/mcp`` with real tokens from the real authorization server
(mcp-protocol §4.2, §8.1; oauth-checklist X5, T5; RFC 6750 §3.1; RFC 8707 §2).

The unit-level versions with a fake introspection endpoint live in
``tests/resource/test_bearer.py`` and ``tests/mcp/test_legacy.py``; these run the whole
chain: stand-in login, our authorization server, introspection, the resource server.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import statistics
import time
from datetime import timedelta
from pathlib import Path

from taskmcp.oauth.policy import OAuthPolicy
from taskmcp.resource_app import create_resource_app
from taskmcp.storage import AccessToken
from taskmcp.tools import default_registry
from tests.conftest import storage_url
from tests.records import issued_code
from tests.security.support import McpHttp, Reply, serve, user_tokens
from tests.support.stack import Stack, free_port, resource_settings, run_stack

DISCOVER = "server/discover"
SESSION_NOT_FOUND = {"code": -32600, "message": "Session not found"}
PER_RESPONSE = frozenset({"Date", "Server", "X-Request-ID"})  # differ on every response


def _challenge(stack_or_url: Stack | str, description: str) -> str:
    base = stack_or_url.mcp_server if isinstance(stack_or_url, Stack) else stack_or_url
    return (
        f'Bearer error="invalid_token", error_description="{description}", '
        f'resource_metadata="{base}/.well-known/oauth-protected-resource/mcp", '
        'scope="tasks:read tasks:write"'
    )


def _assert_invalid_token(reply: Reply, base: Stack | str, description: str) -> None:
    assert reply.status == 401
    assert reply.json() == {"error": "invalid_token", "error_description": description}
    assert reply.headers["WWW-Authenticate"] == _challenge(base, description)


async def test_a_token_issued_for_another_resource_server_is_refused(mcp_stack: Stack) -> None:
    """X5: a second resource server (another ``MCP_SERVER_URL``) that introspects at the
    same authorization server refuses our tokens: their ``aud`` is not its resource."""
    _, tokens = await user_tokens(mcp_stack, "alice")
    port = free_port()
    other = f"http://127.0.0.1:{port}"
    settings = resource_settings(mcp_stack.issuer, mcp_stack.taskmanager, other)
    async with serve(create_resource_app(settings, tools=default_registry()), port):
        there = McpHttp(mcp_stack.http, f"{other}/mcp")
        reply = await there.modern(str(tokens["access_token"]), DISCOVER)
        _assert_invalid_token(reply, other, "The access token was not issued for this resource")
    here = McpHttp(mcp_stack.http, mcp_stack.resource)
    assert (await here.modern(str(tokens["access_token"]), DISCOVER)).status == 200


async def test_a_token_bound_to_another_resource_is_inactive_and_refused(
    mcp_stack: Stack,
) -> None:
    """N3 + X5: a token of a live grant whose resource is another URL introspects as
    ``{"active": false}``, so ``/mcp`` answers 401 without revealing why."""
    _, tokens = await user_tokens(mcp_stack, "alice")
    access = await mcp_stack.storage.find_access_token(
        mcp_stack.hasher.hash(str(tokens["access_token"])), now=mcp_stack.clock()
    )
    assert access is not None
    foreign_value = secrets.token_urlsafe(32)
    foreign = AccessToken.model_validate(
        {
            **access.model_dump(),
            "token_hash": mcp_stack.hasher.hash(foreign_value),
            "resource": "https://other.example/mcp",
        }
    )
    grant = await mcp_stack.storage.get_grant(access.grant_id, now=mcp_stack.clock())
    assert grant is not None
    now = mcp_stack.clock()
    code = issued_code("plant-foreign", grant=grant).model_copy(
        update={"created_at": now, "expires_at": now + timedelta(minutes=1)}
    )
    await mcp_stack.storage.save_code(code)
    assert await mcp_stack.storage.redeem_code(
        code.code_hash, now=now, access=foreign, refresh=None
    )
    assert await mcp_stack.introspect(foreign_value) == (200, {"active": False})
    reply = await McpHttp(mcp_stack.http, mcp_stack.resource).modern(foreign_value, DISCOVER)
    _assert_invalid_token(reply, mcp_stack, "The access token is invalid, expired or revoked")


async def test_user_as_token_with_user_bs_session_is_404_like_an_unknown_session(
    mcp_stack: Stack,
) -> None:
    """mcp-protocol §4.2: possession of a session id is never authentication. Every
    method answers exactly as for a session that does not exist, and B's session is
    untouched (A's DELETE did not end it)."""
    (_, alice), (_, bob) = (
        await user_tokens(mcp_stack, "alice"),
        await user_tokens(mcp_stack, "bob"),
    )
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    bobs = await mcp.initialize(str(bob["access_token"]))
    not_found = {"jsonrpc": "2.0", "id": None, "error": SESSION_NOT_FOUND}
    headers = McpHttp.session_headers(bobs)
    ping = {"jsonrpc": "2.0", "id": 7, "method": "ping"}
    replies = [
        await mcp.post(ping, token=str(alice["access_token"]), headers=headers),
        await mcp.request("GET", token=str(alice["access_token"]), headers=headers),
        await mcp.request("DELETE", token=str(alice["access_token"]), headers=headers),
    ]
    for reply in replies:
        assert reply.status == 404
        assert reply.json() == not_found
    still = await mcp.post(ping, token=str(bob["access_token"]), headers=headers)
    assert still.status == 200
    assert still.json() == {"jsonrpc": "2.0", "id": 7, "result": {}}


async def test_guessed_session_ids_are_404_with_one_identical_body(mcp_stack: Stack) -> None:
    """Session ids are 256-bit random; a guess, a near miss of a real id, and another
    user's real id get byte-identical answers (no oracle in status, body or headers)."""
    (_, alice), (_, bob) = (
        await user_tokens(mcp_stack, "alice"),
        await user_tokens(mcp_stack, "bob"),
    )
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    token = str(alice["access_token"])
    real = await mcp.initialize(str(bob["access_token"]))
    near_miss = real[:-1] + ("A" if real[-1] != "A" else "B")
    guesses = [secrets.token_urlsafe(32) for _ in range(20)]
    guesses += [near_miss, real, "0", "x" * 4000, "../../etc/passwd", "%00", "' OR 1=1 --"]
    answers = set()
    for guess in guesses:
        reply = await mcp.post(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            token=token,
            headers=McpHttp.session_headers(guess),
        )
        visible = {k: v for k, v in reply.headers.items() if k not in PER_RESPONSE}
        answers.add((reply.status, reply.body, tuple(sorted(visible.items()))))
    assert len(answers) == 1
    status, body, _ = answers.pop()
    assert status == 404
    assert json.loads(body) == {"jsonrpc": "2.0", "id": None, "error": SESSION_NOT_FOUND}


async def test_a_foreign_session_id_takes_no_longer_to_refuse_than_a_random_one(
    mcp_stack: Stack,
) -> None:
    """A coarse timing check (one dict lookup, then an owner comparison): interleaved
    samples of a real foreign id and of random ids have medians within 5 ms (or half a
    request, on a loaded machine), so there is no gross timing oracle such as an extra
    round trip for ids that exist."""
    (_, alice), (_, bob) = (
        await user_tokens(mcp_stack, "alice"),
        await user_tokens(mcp_stack, "bob"),
    )
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    token = str(alice["access_token"])
    real = await mcp.initialize(str(bob["access_token"]))
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    timings: dict[str, list[float]] = {"real": [], "random": []}
    for _ in range(25):
        for kind, session_id in (("real", real), ("random", secrets.token_urlsafe(32))):
            started = time.perf_counter()
            reply = await mcp.post(ping, token=token, headers=McpHttp.session_headers(session_id))
            timings[kind].append(time.perf_counter() - started)
            assert reply.status == 404
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    tolerance = max(0.005, 0.5 * max(medians.values()))  # a loaded CI machine is noisy
    assert abs(medians["real"] - medians["random"]) < tolerance, medians


async def test_a_revoked_token_works_at_most_for_the_introspection_cache_ttl(
    tmp_path: Path,
) -> None:
    """The documented bound: the resource server caches an active introspection result
    for ``TASKMCP_INTROSPECTION_CACHE_TTL`` seconds, so a token revoked at the
    authorization server keeps working at ``/mcp`` until its cached entry ages out,
    and not one request longer. Here the TTL is 3 s."""
    ttl = 3.0
    async with run_stack(
        storage_url("memory", tmp_path),
        with_resource=True,
        resource_environ={"TASKMCP_INTROSPECTION_CACHE_TTL": str(int(ttl))},
    ) as stack:
        client_id, tokens = await user_tokens(stack, "alice")
        mcp = McpHttp(stack.http, stack.resource)
        access = str(tokens["access_token"])
        cached_from = time.monotonic()
        assert (await mcp.modern(access, DISCOVER)).status == 200  # introspected, cached
        revoked = await stack.post(
            "/revoke", {"token": str(tokens["refresh_token"]), "client_id": client_id}
        )
        assert revoked.status == 200
        assert await stack.introspect(access) == (200, {"active": False})
        inside = await mcp.modern(access, DISCOVER)
        assert time.monotonic() - cached_from < ttl, "the machine is too slow for this bound"
        assert inside.status == 200  # still inside the cache window: the documented bound
        await asyncio.sleep(cached_from + ttl + 0.2 - time.monotonic())
        reply = await mcp.modern(access, DISCOVER)
        _assert_invalid_token(reply, stack, "The access token is invalid, expired or revoked")


async def test_an_expired_token_stops_at_its_expiry_whatever_the_cache_ttl(
    tmp_path: Path,
) -> None:
    """The cache never outlives ``exp``: with the default 60 s TTL, a 2-second access
    token is refused as soon as it has expired."""
    policy = OAuthPolicy(access_token_ttl=timedelta(seconds=2))
    async with run_stack(
        storage_url("memory", tmp_path), policy=policy, with_resource=True
    ) as stack:
        _, tokens = await user_tokens(stack, "alice")
        issued = time.monotonic()
        mcp = McpHttp(stack.http, stack.resource)
        access = str(tokens["access_token"])
        assert (await mcp.modern(access, DISCOVER)).status == 200
        await asyncio.sleep(issued + 2.3 - time.monotonic())
        reply = await mcp.modern(access, DISCOVER)
        _assert_invalid_token(reply, stack, "The access token is invalid, expired or revoked")

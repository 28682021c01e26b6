"""Flooding and scanning: registration floods, token scanning at ``/introspect``, and
brute force on client and resource-server secrets (oauth-checklist G5, L1, T3, N3, V4;
RFC 7591 §3; RFC 7662 §4; OAuth 2.1 §2.4.1).

The per-IP registration limit itself (the 21st registration in an hour) is in
``tests/oauth/test_register.py``; the limiter's arithmetic in
``tests/oauth/test_ratelimit.py``.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from taskmcp.oauth.policy import OAuthPolicy, RateLimit
from tests.conftest import BACKENDS, storage_url
from tests.security.support import user_tokens
from tests.support.stack import RS_CLIENT_ID, RS_SECRET, Stack, run_stack

RATE_LIMITED = {"error": "rate_limited", "error_description": "too many requests"}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "client authentication failed"}
RS_REFUSED = {
    "error": "invalid_client",
    "error_description": "resource server authentication failed",
}


def _basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@pytest.fixture(params=BACKENDS)
async def tight(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """Small limits, so that floods are short."""
    policy = OAuthPolicy(
        register_limit=RateLimit(5, 3600),
        max_dynamic_clients=8,
        introspect_limit=RateLimit(10, 60),
        secret_failure_limit=RateLimit(3, 900),
    )
    async with run_stack(storage_url(request.param, tmp_path), policy=policy) as running:
        yield running


async def _register(stack: Stack, headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
    body = {"redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "none"}
    async with stack.http.post(f"{stack.issuer}/register", json=body, headers=headers) as resp:
        await resp.read()
        return resp


# -- registration -----------------------------------------------------------------------


async def test_rotating_x_forwarded_for_does_not_escape_the_registration_limit(
    tight: Stack,
) -> None:
    """checklist A9: without trusted proxies the header is the attacker's to write."""
    for i in range(5):
        assert (await _register(tight, {"X-Forwarded-For": f"203.0.113.{i}"})).status == 201
    refused = await _register(tight, {"X-Forwarded-For": "198.51.100.7"})
    assert refused.status == 429
    assert await refused.json() == RATE_LIMITED
    assert refused.headers["Retry-After"] == "720"  # one more every 3600 s / 5


async def test_the_global_cap_closes_registration_until_unused_clients_expire(
    tight: Stack,
) -> None:
    """checklist G5/G6: a distributed flood (many IPs) meets the global cap of dynamic
    clients: 503 with ``Retry-After``; unused clients are collected after 24 h and
    registration reopens."""
    for _ in range(8):
        tight.clock.advance(timedelta(minutes=13))  # stay under the per-IP rate
        assert (await _register(tight)).status == 201
    tight.clock.advance(timedelta(minutes=13))
    closed = await _register(tight)
    assert closed.status == 503
    assert await closed.json() == {
        "error": "temporarily_unavailable",
        "error_description": "registration is temporarily closed",
    }
    assert closed.headers["Retry-After"] == "3600"
    tight.clock.advance(timedelta(hours=25))
    assert await tight.storage.sweep(now=tight.clock()) >= 8
    assert (await _register(tight)).status == 201


# -- token scanning at /introspect --------------------------------------------------------


async def test_scanned_tokens_are_exactly_inactive(stack: Stack) -> None:
    """N3: random strings, near misses of a live token and its hash all introspect as
    ``{"active": false}`` and nothing else."""
    _, tokens = await user_tokens(stack, "alice")
    live = str(tokens["access_token"])
    candidates = [secrets.token_urlsafe(32) for _ in range(10)]
    candidates += [
        live[:-1],
        live + "A",
        live.upper(),
        live[1:],
        stack.hasher.hash(live),
        " " + live,
        "A" * 4096,
    ]
    for candidate in candidates:
        assert await stack.introspect(candidate) == (200, {"active": False}), candidate
    assert (await stack.introspect(live))[1]["active"] is True


async def test_introspection_is_rate_limited_per_caller(tight: Stack) -> None:
    """L1: "per RS client on /introspect"; the limit is counted after authentication,
    so a scanner without the resource server's credentials gets only 401s."""
    for _ in range(10):
        assert await tight.introspect(secrets.token_urlsafe(32)) == (200, {"active": False})
    status, body = await tight.introspect(secrets.token_urlsafe(32))
    assert (status, body) == (429, RATE_LIMITED)
    tight.clock.advance(timedelta(seconds=6))  # one more every 60 s / 10
    assert await tight.introspect(secrets.token_urlsafe(32)) == (200, {"active": False})


# -- brute force on secrets ---------------------------------------------------------------


async def test_a_correct_client_secret_is_refused_once_the_failures_are_exhausted(
    tight: Stack,
) -> None:
    """T3: after the allowed failures, the next attempt is refused *before* the secret
    is checked, so a lucky guess is worthless (before the fix it got 200)."""
    client = await tight.register(token_endpoint_auth_method="client_secret_basic")
    client_id, secret = str(client["client_id"]), str(client["client_secret"])
    form = {"grant_type": "refresh_token", "refresh_token": "unknown"}
    for _ in range(3):
        wrong = await tight.post("/token", form, headers=_basic(client_id, "guess"))
        assert wrong.status == 401
        assert await wrong.json() == INVALID_CLIENT
    right = await tight.post("/token", form, headers=_basic(client_id, secret))
    assert right.status == 429
    assert await right.json() == RATE_LIMITED
    assert right.headers["Retry-After"] == "300"  # one more every 900 s / 3
    tight.clock.advance(timedelta(seconds=300))
    again = await tight.post("/token", form, headers=_basic(client_id, secret))
    assert again.status == 400  # authenticated; the refresh token is what is wrong
    assert (await again.json())["error"] == "invalid_grant"


async def test_the_resource_server_secret_cannot_be_brute_forced_at_introspect(
    tight: Stack,
) -> None:
    """V4/T3 for the introspection credentials, which an operator may have chosen
    weakly: the same failure limit applies."""
    for _ in range(3):
        resp = await tight.post(
            "/introspect", {"token": "x"}, headers=_basic(RS_CLIENT_ID, "guess")
        )
        assert resp.status == 401
        assert await resp.json() == RS_REFUSED
    resp = await tight.post("/introspect", {"token": "x"}, headers=_basic(RS_CLIENT_ID, RS_SECRET))
    assert resp.status == 429
    assert await resp.json() == RATE_LIMITED


async def test_a_locked_pair_does_not_lock_out_the_client_from_another_address(
    tight: Stack,
) -> None:
    """The failure count is per client *and* address: an attacker on 127.0.0.2 cannot
    lock the resource server (on 127.0.0.1) out of introspection."""
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as attacker:
        for _ in range(4):
            async with attacker.post(
                f"{tight.issuer}/introspect",
                data={"token": "x"},
                headers=_basic(RS_CLIENT_ID, "guess"),
            ) as resp:
                assert resp.status in (401, 429)
        assert resp.status == 429
    assert await tight.introspect("x") == (200, {"active": False})

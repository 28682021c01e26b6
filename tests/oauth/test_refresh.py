"""The refresh_token grant: rotation, grace window, reuse detection, narrowing
(oauth-checklist T6-T10, X4, §16 "Refresh")."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from taskmcp.oauth.policy import OAuthPolicy
from tests.conftest import storage_url
from tests.support.stack import Stack, run_stack


async def _refresh(stack: Stack, cid: str, token: str, **extra: str) -> aiohttp.ClientResponse:
    return await stack.post(
        "/token", {"grant_type": "refresh_token", "refresh_token": token, "client_id": cid, **extra}
    )


async def _setup(stack: Stack) -> tuple[str, dict[str, object]]:
    cid = str((await stack.register())["client_id"])
    return cid, await stack.tokens(cid)


async def test_rotation_returns_a_new_refresh_token_with_the_same_scope(stack: Stack) -> None:
    cid, tokens = await _setup(stack)
    resp = await _refresh(stack, cid, str(tokens["refresh_token"]))
    assert resp.status == 200
    assert resp.headers["Cache-Control"] == "no-store"
    body = await resp.json()
    assert body["refresh_token"] != tokens["refresh_token"]
    assert body["scope"] == "tasks:read tasks:write"
    assert (await stack.introspect(body["access_token"]))[1]["active"] is True


async def test_the_old_token_works_in_the_grace_window_then_reuse_revokes_everything(
    stack: Stack,
) -> None:
    cid, tokens = await _setup(stack)
    old = str(tokens["refresh_token"])
    first = await (await _refresh(stack, cid, old)).json()
    stack.clock.advance(timedelta(seconds=10))
    grace = await _refresh(stack, cid, old)
    assert grace.status == 200
    stack.clock.advance(timedelta(seconds=30))
    reuse = await _refresh(stack, cid, old)
    assert reuse.status == 400
    assert (await reuse.json())["error"] == "invalid_grant"
    for token in (
        first["access_token"],
        first["refresh_token"],
        (await grace.json())["access_token"],
    ):
        assert (await stack.introspect(token))[1] == {"active": False}


async def test_reuse_after_the_successor_was_used_revokes_the_grant(stack: Stack) -> None:
    cid, tokens = await _setup(stack)
    old = str(tokens["refresh_token"])
    successor = (await (await _refresh(stack, cid, old)).json())["refresh_token"]
    newest = await (await _refresh(stack, cid, successor)).json()
    assert (await _refresh(stack, cid, old)).status == 400
    assert (await stack.introspect(newest["access_token"]))[1] == {"active": False}


async def test_two_concurrent_refreshes_both_succeed_in_the_grace_window(stack: Stack) -> None:
    cid, tokens = await _setup(stack)
    responses = await asyncio.gather(
        *(_refresh(stack, cid, str(tokens["refresh_token"])) for _ in range(2))
    )
    assert [r.status for r in responses] == [200, 200]
    for resp in responses:
        assert (await _refresh(stack, cid, (await resp.json())["refresh_token"])).status == 200


async def test_without_a_grace_window_one_concurrent_refresh_wins_and_the_grant_dies(
    tmp_path: Path,
) -> None:
    async with run_stack(
        storage_url("sqlite", tmp_path), policy=OAuthPolicy(refresh_grace=timedelta(0))
    ) as stack:
        cid, tokens = await _setup(stack)
        responses = await asyncio.gather(
            *(_refresh(stack, cid, str(tokens["refresh_token"])) for _ in range(2))
        )
        assert sorted(r.status for r in responses) == [200, 400]
        winner = next(r for r in responses if r.status == 200)
        assert (await stack.introspect((await winner.json())["access_token"]))[1] == {
            "active": False
        }


async def test_scope_may_narrow_but_never_widen(stack: Stack) -> None:
    cid, tokens = await _setup(stack)
    narrowed = await _refresh(stack, cid, str(tokens["refresh_token"]), scope="tasks:read")
    body = await narrowed.json()
    assert body["scope"] == "tasks:read"
    again = await (await _refresh(stack, cid, body["refresh_token"])).json()
    assert again["scope"] == "tasks:read tasks:write"  # the refresh token keeps its scope (T7)


async def test_widening_is_invalid_scope(stack: Stack) -> None:
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid, scope="tasks:read")
    tokens = await (await stack.exchange(cid, code, verifier)).json()
    resp = await _refresh(stack, cid, tokens["refresh_token"], scope="tasks:read tasks:write")
    assert (await resp.json())["error"] == "invalid_scope"


@pytest.mark.parametrize(
    ("extra", "error"),
    [({"resource": "https://other.example/mcp"}, "invalid_target")],
)
async def test_a_refresh_cannot_retarget(stack: Stack, extra: dict[str, str], error: str) -> None:
    cid, tokens = await _setup(stack)
    resp = await _refresh(stack, cid, str(tokens["refresh_token"]), **extra)
    assert (await resp.json())["error"] == error


async def test_another_clients_refresh_token_and_an_expired_one_fail(stack: Stack) -> None:
    cid, tokens = await _setup(stack)
    other = str((await stack.register())["client_id"])
    assert (await (await _refresh(stack, other, str(tokens["refresh_token"]))).json())[
        "error"
    ] == "invalid_grant"
    stack.clock.advance(timedelta(days=31))
    assert (await (await _refresh(stack, cid, str(tokens["refresh_token"]))).json())[
        "error"
    ] == "invalid_grant"

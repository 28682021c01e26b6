"""The real ``mcp`` 2.3.0 client with ``OAuthClientProvider`` against the whole system
on real sockets (issues #4, #5, #7; mcp-protocol §9.3): 401 → protected-resource
metadata → AS metadata → dynamic registration → /authorize → our consent page → the
stand-in's login page → its consent page → our callback → token → tools, in the
``legacy``, ``2026-07-28`` and ``auto`` modes; then refresh, revocation → 401 →
re-authorization; and two users who never see each other's tasks.

The "browser" is the scripted one from ``tests.support``: it submits the HTML forms a
person would click, nothing is auto-approved."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from taskmcp.oauth.policy import OAuthPolicy
from tests.conftest import storage_url
from tests.support.mcp_person import Person
from tests.support.stack import Stack, run_stack

MODES = [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28"), ("auto", "2026-07-28")]


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    environ = {"TASKMCP_INTROSPECTION_CACHE_TTL": "0"}  # revocation is seen at once
    async with run_stack(
        storage_url("sqlite", tmp_path), with_resource=True, resource_environ=environ
    ) as running:
        yield running


@pytest.mark.parametrize(("mode", "negotiated"), MODES)
async def test_a_new_client_authorizes_through_the_pages_and_calls_tools(
    stack: Stack, mode: str, negotiated: str
) -> None:
    alice = Person(stack, "alice")
    async with alice.connect(mode) as client:
        assert client.protocol_version == negotiated
        names = [tool.name for tool in (await client.list_tools()).tools]
        assert {"list_tasks", "create_task", "get_time"} <= set(names)
        created = await client.call_tool("create_task", {"title": f"Buy milk ({mode})"})
        assert not created.is_error, created
        listed = await client.call_tool("list_tasks", {})
        assert listed.structured_content is not None
        titles = [t["title"] for t in listed.structured_content["tasks"]]
        assert f"Buy milk ({mode})" in titles
    assert alice.authorizations == 1
    assert alice.storage.client_info is not None
    assert alice.storage.tokens is not None


async def test_an_expired_access_token_is_refreshed_without_a_new_login(tmp_path: Path) -> None:
    """The provider refreshes once the access token's ``expires_in`` has passed
    (mcp-protocol §9.3); here the authorization server issues 2-second tokens."""
    policy = OAuthPolicy(access_token_ttl=timedelta(seconds=2))
    async with run_stack(
        storage_url("sqlite", tmp_path), with_resource=True, policy=policy
    ) as stack:
        alice = Person(stack, "alice")
        async with alice.connect("auto") as client:
            await client.list_tools()
        assert alice.storage.tokens is not None
        first = alice.storage.tokens
        await asyncio.sleep(2.5)
        async with alice.connect("auto") as client:
            assert not (await client.call_tool("get_time", {})).is_error
        assert alice.storage.tokens.access_token != first.access_token
        assert alice.storage.tokens.refresh_token != first.refresh_token
        assert alice.authorizations == 1


async def test_after_revocation_the_client_gets_401_and_authorizes_again(stack: Stack) -> None:
    alice = Person(stack, "alice")
    async with alice.connect("legacy") as client:
        await client.list_tools()
    tokens, info = alice.storage.tokens, alice.storage.client_info
    assert tokens is not None
    assert tokens.refresh_token is not None
    assert info is not None
    revoked = await stack.post(
        "/revoke", {"token": tokens.refresh_token, "client_id": str(info.client_id)}
    )
    assert revoked.status == 200
    async with stack.http.post(
        stack.resource,
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Authorization": f"Bearer {tokens.access_token}"},
    ) as resp:
        assert resp.status == 401
        assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]
    async with alice.connect("legacy") as client:
        assert not (await client.call_tool("get_time", {})).is_error
    assert alice.authorizations == 2


async def test_two_users_never_see_each_others_tasks(stack: Stack) -> None:
    alice, bob = Person(stack, "alice"), Person(stack, "bob")
    async with alice.connect("2026-07-28") as client:
        assert not (await client.call_tool("create_task", {"title": "Alice's secret"})).is_error
    async with bob.connect("legacy") as client:
        assert not (await client.call_tool("create_task", {"title": "Bob's errand"})).is_error
        listed = await client.call_tool("list_tasks", {})
        found = await client.call_tool("search_tasks", {"query": "secret"})
    assert listed.structured_content is not None
    assert [t["title"] for t in listed.structured_content["tasks"]] == ["Bob's errand"]
    assert found.structured_content is not None
    assert found.structured_content["tasks"] == []

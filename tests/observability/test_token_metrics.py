"""Token counters move through the real flow (issue #7): the stand-in, our
authorization server, real HTTP. Labels are grant types, outcomes and reasons, never
client ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from tests.observability.support import Samples, scrape
from tests.support.stack import Stack, run_stack

ISSUED = "taskmcp_tokens_issued_total"
REFRESHES = "taskmcp_token_refreshes_total"
REVOKED = "taskmcp_token_revocations_total"
ERRORS = "taskmcp_token_errors_total"


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    async with run_stack("memory://") as running:
        yield running


async def _refresh(stack: Stack, client_id: str, token: object) -> aiohttp.ClientResponse:
    form = {"grant_type": "refresh_token", "refresh_token": str(token), "client_id": client_id}
    return await stack.post("/token", form)


async def _metrics(stack: Stack) -> Samples:
    return await scrape(stack.http, stack.issuer)


async def test_every_counter_starts_at_zero(stack: Stack) -> None:
    samples = await _metrics(stack)
    assert samples.value(ISSUED, grant_type="authorization_code") == 0
    assert samples.value(REFRESHES, outcome="reused") == 0
    assert samples.value(REVOKED, reason="code_replay") == 0


async def test_issuing_and_refreshing_move_the_counters(stack: Stack) -> None:
    client_id = str((await stack.register())["client_id"])
    tokens = await stack.tokens(client_id)
    samples = await _metrics(stack)
    assert samples.value(ISSUED, grant_type="authorization_code") == 1
    assert samples.value("taskmcp_authorization_codes_issued_total") == 1
    refreshed = await _refresh(stack, client_id, tokens["refresh_token"])
    assert refreshed.status == 200
    samples = await _metrics(stack)
    assert samples.value(ISSUED, grant_type="refresh_token") == 1
    assert samples.value(REFRESHES, outcome="rotated") == 1
    assert client_id not in samples.text


async def test_refresh_reuse_counts_the_reuse_and_the_revocation(stack: Stack) -> None:
    client_id = str((await stack.register())["client_id"])
    old = (await stack.tokens(client_id))["refresh_token"]
    assert (await _refresh(stack, client_id, old)).status == 200
    stack.clock.advance(timedelta(minutes=5))  # past the grace window
    assert (await _refresh(stack, client_id, old)).status == 400
    samples = await _metrics(stack)
    assert samples.value(REFRESHES, outcome="reused") == 1
    assert samples.value(REVOKED, reason="refresh_reuse") == 1
    assert samples.value(ERRORS, grant_type="refresh_token", error="invalid_grant") == 1
    assert samples.value(ISSUED, grant_type="refresh_token") == 1


async def test_a_replayed_code_counts_a_revocation(stack: Stack) -> None:
    client_id = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(client_id)
    assert (await stack.exchange(client_id, code, verifier)).status == 200
    assert (await stack.exchange(client_id, code, verifier)).status == 400
    samples = await _metrics(stack)
    assert samples.value(REVOKED, reason="code_replay") == 1
    assert samples.value(ERRORS, grant_type="authorization_code", error="invalid_grant") == 1


async def test_revocations_by_the_client_are_counted_by_token_type(stack: Stack) -> None:
    client_id = str((await stack.register())["client_id"])
    tokens = await stack.tokens(client_id)
    for name in ("access_token", "refresh_token"):
        response = await stack.post("/revoke", {"token": str(tokens[name]), "client_id": client_id})
        assert response.status == 200
    unknown = await stack.post("/revoke", {"token": "not-a-token", "client_id": client_id})
    assert unknown.status == 200
    samples = await _metrics(stack)
    assert samples.value(REVOKED, reason="revoked_access_token") == 1
    assert samples.value(REVOKED, reason="revoked_refresh_token") == 1


async def _give_alice_a_project(stack: Stack) -> None:
    """TaskManager names a user only through their data (no "me" endpoint)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        login = {"username": "alice", "password": "pw"}
        async with browser.post(f"{stack.taskmanager}/api/auth/login", json=login) as response:
            assert response.status == 200
        async with browser.post(f"{stack.taskmanager}/api/projects", json={"name": "Ops"}) as r:
            assert r.status in (200, 201), await r.text()


async def test_a_new_authorization_replacing_a_grant_is_counted(stack: Stack) -> None:
    await _give_alice_a_project(stack)
    client_id = str((await stack.register())["client_id"])
    await stack.tokens(client_id)
    await stack.tokens(client_id)
    samples = await _metrics(stack)
    assert samples.value(REVOKED, reason="replaced") == 1
    assert samples.value(ISSUED, grant_type="authorization_code") == 2


async def test_refused_requests_are_counted_by_error_code(stack: Stack) -> None:
    await stack.post("/token", {"grant_type": "password", "client_id": "nobody"})
    await stack.post("/token", {"grant_type": "authorization_code", "client_id": "nobody"})
    samples = await _metrics(stack)
    assert samples.value(ERRORS, grant_type="other", error="invalid_client") == 1
    assert samples.value(ERRORS, grant_type="authorization_code", error="invalid_client") == 1
    assert "nobody" not in samples.text

"""``POST /token``: codes, PKCE, client authentication, errors (oauth-checklist C1-C5,
P4, P5, R7, T1-T4, T13, §12, §16)."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta

import aiohttp
import pytest

from taskmcp.storage import AuthorizationCode
from tests.support.stack import CLIENT_REDIRECT, Stack


async def _error(resp: aiohttp.ClientResponse) -> str:
    body = await resp.json()
    return str(body["error"])


async def test_a_successful_exchange_is_no_store_and_complete(stack: Stack) -> None:
    client = await stack.register()
    code, verifier = await stack.code_flow(str(client["client_id"]))
    resp = await stack.exchange(str(client["client_id"]), code, verifier)
    assert resp.status == 200
    assert resp.headers["Cache-Control"] == "no-store"
    body = await resp.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}


async def test_a_replayed_code_is_refused_and_revokes_the_first_tokens(stack: Stack) -> None:
    """checklist C4."""
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid)
    first = await (await stack.exchange(cid, code, verifier)).json()
    replay = await stack.exchange(cid, code, verifier)
    assert replay.status == 400
    assert await _error(replay) == "invalid_grant"
    for token in (first["access_token"], first["refresh_token"]):
        assert (await stack.introspect(token))[1] == {"active": False}


async def test_a_replay_with_a_wrong_verifier_revokes_nothing(stack: Stack) -> None:
    """checklist C3: invalid replays must not be a denial-of-service lever."""
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid)
    first = await (await stack.exchange(cid, code, verifier)).json()
    replay = await stack.exchange(cid, code, "w" * 43)
    assert await _error(replay) == "invalid_grant"
    assert (await stack.introspect(first["access_token"]))[1]["active"] is True


async def test_an_expired_code_fails(stack: Stack) -> None:
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid)
    stack.clock.advance(timedelta(minutes=2, seconds=1))
    assert await _error(await stack.exchange(cid, code, verifier)) == "invalid_grant"


async def test_another_clients_code_fails(stack: Stack) -> None:
    a, b = str((await stack.register())["client_id"]), str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(a)
    assert await _error(await stack.exchange(b, code, verifier)) == "invalid_grant"
    assert (await stack.exchange(a, code, verifier)).status == 200


async def test_a_different_redirect_uri_fails(stack: Stack) -> None:
    """checklist R7."""
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid)
    resp = await stack.exchange(cid, code, verifier, redirect_uri="http://127.0.0.1:9/other")
    assert await _error(resp) == "invalid_grant"


@pytest.mark.parametrize(
    ("verifier", "error"), [("w" * 43, "invalid_grant"), ("", "invalid_request")]
)
async def test_a_wrong_or_missing_verifier_fails(stack: Stack, verifier: str, error: str) -> None:
    """checklist P4, P5."""
    cid = str((await stack.register())["client_id"])
    code, _ = await stack.code_flow(cid)
    assert await _error(await stack.exchange(cid, code, verifier)) == error


async def test_a_verifier_for_a_code_without_challenge_is_a_downgrade(stack: Stack) -> None:
    """checklist P5: such a code can only be planted in storage."""
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid)
    planted = await stack.storage.find_code(stack.hasher.hash(code), now=stack.clock())
    assert planted is not None
    await stack.storage.save_code(
        AuthorizationCode.model_validate(
            {
                **planted.model_dump(),
                "code_hash": stack.hasher.hash("planted"),
                "code_challenge": None,
                "code_challenge_method": None,
            }
        )
    )
    assert await _error(await stack.exchange(cid, "planted", verifier)) == "invalid_request"


async def test_another_resource_is_invalid_target(stack: Stack) -> None:
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid)
    resp = await stack.exchange(cid, code, verifier, resource="https://other.example/mcp")
    assert await _error(resp) == "invalid_target"


async def test_concurrent_redemptions_have_one_winner_whose_tokens_die(stack: Stack) -> None:
    """checklist C5, §16: the loser counts as a replay."""
    for _ in range(3):
        cid = str((await stack.register())["client_id"])
        code, verifier = await stack.code_flow(cid)
        responses = await asyncio.gather(*(stack.exchange(cid, code, verifier) for _ in range(2)))
        assert sorted(r.status for r in responses) == [200, 400]
        winner = next(r for r in responses if r.status == 200)
        assert (await stack.introspect((await winner.json())["access_token"]))[1] == {
            "active": False
        }


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "password", "client_id": "X"}, 400, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "client_id": "X"}, 400, "invalid_request"),
        ({"grant_type": "authorization_code"}, 401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": "X"}, 400, "unsupported_grant_type"),
    ],
)
async def test_malformed_token_requests(
    stack: Stack, form: dict[str, str], status: int, error: str
) -> None:
    cid = str((await stack.register())["client_id"])
    resp = await stack.post("/token", {k: cid if v == "X" else v for k, v in form.items()})
    assert resp.status == status
    assert await _error(resp) == error


async def test_a_json_body_and_duplicate_parameters_are_invalid_request(stack: Stack) -> None:
    cid = str((await stack.register())["client_id"])
    async with stack.http.post(
        f"{stack.issuer}/token", json={"grant_type": "refresh_token"}
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "invalid_request"
    body = f"grant_type=refresh_token&refresh_token=a&refresh_token=b&client_id={cid}"
    async with stack.http.post(
        f"{stack.issuer}/token",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as resp:
        assert (await resp.json())["error"] == "invalid_request"


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_confidential_clients_may_use_basic_or_post_but_not_both(stack: Stack) -> None:
    client = await stack.register(token_endpoint_auth_method="client_secret_basic")
    cid, secret = str(client["client_id"]), str(client["client_secret"])
    code, verifier = await stack.code_flow(cid)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": CLIENT_REDIRECT,
    }
    both = await stack.post(
        "/token", {**form, "client_secret": secret}, headers=_basic(cid, secret)
    )
    assert await _error(both) == "invalid_request"
    wrong = await stack.post("/token", form, headers=_basic(cid, "nope"))
    assert wrong.status == 401
    assert await _error(wrong) == "invalid_client"
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")
    posted = await stack.post("/token", {**form, "client_id": cid, "client_secret": secret})
    assert posted.status == 200


async def test_a_public_client_sending_a_secret_is_refused(stack: Stack) -> None:
    cid = str((await stack.register())["client_id"])
    resp = await stack.post(
        "/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": cid,
            "client_secret": "guess",
        },
    )
    assert resp.status == 401
    assert "WWW-Authenticate" not in resp.headers


async def test_a_deleted_client_gets_401_invalid_client(stack: Stack) -> None:
    """checklist T13: this is what makes Claude register again."""
    cid = str((await stack.register())["client_id"])
    code, verifier = await stack.code_flow(cid)
    await stack.storage.delete_client(cid)
    resp = await stack.exchange(cid, code, verifier)
    assert resp.status == 401
    assert await _error(resp) == "invalid_client"


async def test_a_successful_exchange_renews_the_client_ttl(stack: Stack) -> None:
    """checklist G6: 24 h for an unused registration, 90 days after use."""
    cid = str((await stack.register())["client_id"])
    await stack.tokens(cid)
    client = await stack.storage.get_client(cid, now=stack.clock())
    assert client is not None
    assert client.expires_at is not None
    assert client.expires_at - stack.clock() > timedelta(days=89)

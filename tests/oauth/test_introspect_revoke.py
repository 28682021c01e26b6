"""Introspection (RFC 7662) and revocation (RFC 7009): oauth-checklist N1-N4, V1-V4,
§16 "Introspection and revocation"."""

from __future__ import annotations

import base64
from datetime import timedelta

from taskmcp.storage import AccessToken
from tests.records import issued_code
from tests.support.stack import RS_CLIENT_ID, Stack


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_an_unauthenticated_or_public_caller_gets_401(stack: Stack) -> None:
    cid, tokens = await _tokens(stack)
    for headers, form in (
        ({}, {"token": str(tokens["access_token"])}),
        ({}, {"token": str(tokens["access_token"]), "client_id": cid}),
        (_basic(RS_CLIENT_ID, "wrong-secret"), {"token": str(tokens["access_token"])}),
        (_basic(cid, ""), {"token": str(tokens["access_token"])}),
    ):
        resp = await stack.post("/introspect", form, headers=headers)
        assert resp.status == 401
        assert (await resp.json())["error"] == "invalid_client"


async def test_a_missing_token_is_invalid_request(stack: Stack) -> None:
    status, body = await stack.introspect("")
    assert status == 400
    assert body["error"] == "invalid_request"


async def _tokens(stack: Stack) -> tuple[str, dict[str, object]]:
    cid = str((await stack.register())["client_id"])
    return cid, await stack.tokens(cid)


async def test_an_active_token_says_what_the_resource_server_needs(stack: Stack) -> None:
    _cid, tokens = await _tokens(stack)
    status, body = await stack.introspect(str(tokens["access_token"]))
    assert status == 200
    assert set(body) == {
        "active",
        "scope",
        "client_id",
        "sub",
        "aud",
        "iss",
        "exp",
        "iat",
        "token_type",
        "taskmanager_access_token",
    }
    assert isinstance(body["exp"], int)
    assert isinstance(body["iat"], int)
    assert body["exp"] - body["iat"] == 3600
    _, refresh = await stack.introspect(
        str(tokens["refresh_token"]), token_type_hint="refresh_token"
    )
    assert refresh["active"] is True
    assert refresh["token_type"] == "refresh_token"
    assert "taskmanager_access_token" not in refresh


async def test_garbage_expired_revoked_and_foreign_audience_tokens_are_exactly_inactive(
    stack: Stack,
) -> None:
    _cid, tokens = await _tokens(stack)
    assert (await stack.introspect("garbage"))[1] == {"active": False}
    access = await stack.storage.find_access_token(
        stack.hasher.hash(str(tokens["access_token"])), now=stack.clock()
    )
    assert access is not None
    foreign = AccessToken.model_validate(
        {
            **access.model_dump(),
            "token_hash": stack.hasher.hash("foreign"),
            "resource": "https://other.example/mcp",
        }
    )
    assert await _plant(stack, foreign)
    assert (await stack.introspect("foreign"))[1] == {"active": False}
    stack.clock.advance(timedelta(hours=1))
    assert (await stack.introspect(str(tokens["access_token"])))[1] == {"active": False}


async def _plant(stack: Stack, token: AccessToken) -> bool:
    """Store an access token directly (only the redeem path writes tokens)."""
    grant = await stack.storage.get_grant(token.grant_id, now=stack.clock())
    assert grant is not None
    code = issued_code("plant-" + token.token_hash[:8], grant=grant).model_copy(
        update={"created_at": stack.clock(), "expires_at": stack.clock() + timedelta(minutes=1)}
    )
    await stack.storage.save_code(code)
    return await stack.storage.redeem_code(
        code.code_hash, now=stack.clock(), access=token, refresh=None
    )


async def test_revoking_a_refresh_token_kills_its_access_tokens(stack: Stack) -> None:
    cid, tokens = await _tokens(stack)
    resp = await stack.post("/revoke", {"token": str(tokens["refresh_token"]), "client_id": cid})
    assert resp.status == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert (await stack.introspect(str(tokens["access_token"])))[1] == {"active": False}
    refresh = await stack.post(
        "/token",
        {
            "grant_type": "refresh_token",
            "client_id": cid,
            "refresh_token": str(tokens["refresh_token"]),
        },
    )
    assert (await refresh.json())["error"] == "invalid_grant"


async def test_revoking_an_access_token_leaves_the_refresh_token(stack: Stack) -> None:
    cid, tokens = await _tokens(stack)
    resp = await stack.post(
        "/revoke",
        {"token": str(tokens["access_token"]), "client_id": cid, "token_type_hint": "access_token"},
    )
    assert resp.status == 200
    assert (await stack.introspect(str(tokens["access_token"])))[1] == {"active": False}
    assert (await stack.introspect(str(tokens["refresh_token"])))[1]["active"] is True


async def test_revoking_another_clients_token_leaves_it_active(stack: Stack) -> None:
    _, tokens = await _tokens(stack)
    other = str((await stack.register())["client_id"])
    resp = await stack.post("/revoke", {"token": str(tokens["refresh_token"]), "client_id": other})
    assert resp.status == 200
    assert (await stack.introspect(str(tokens["access_token"])))[1]["active"] is True


async def test_revoking_an_unknown_token_is_200_and_without_a_token_400(stack: Stack) -> None:
    cid = str((await stack.register())["client_id"])
    assert (await stack.post("/revoke", {"token": "unknown", "client_id": cid})).status == 200
    missing = await stack.post("/revoke", {"client_id": cid})
    assert missing.status == 400
    assert (await missing.json())["error"] == "invalid_request"


async def test_an_upstream_token_near_expiry_is_refreshed_and_persisted(stack: Stack) -> None:
    """checklist T12: the resource server always receives a usable upstream token."""
    _, tokens = await _tokens(stack)
    before = (await stack.introspect(str(tokens["access_token"])))[1]["taskmanager_access_token"]
    stack.clock.advance(timedelta(minutes=56))
    after = (await stack.introspect(str(tokens["access_token"])))[1]["taskmanager_access_token"]
    assert after != before
    again = (await stack.introspect(str(tokens["access_token"])))[1]["taskmanager_access_token"]
    assert again == after
    async with stack.http.get(
        f"{stack.taskmanager}/api/projects",
        headers={"Authorization": f"Bearer {after}"},
        allow_redirects=False,
    ) as resp:
        assert resp.status == 200


async def test_an_unused_client_is_collected_and_then_gets_401(stack: Stack) -> None:
    """checklist G6 and T13."""
    cid = str((await stack.register())["client_id"])
    stack.clock.advance(timedelta(hours=25))
    assert await stack.storage.sweep(now=stack.clock()) >= 1
    resp = await stack.post(
        "/token", {"grant_type": "refresh_token", "refresh_token": "x", "client_id": cid}
    )
    assert resp.status == 401

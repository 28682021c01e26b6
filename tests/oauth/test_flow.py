"""The authorization code flow end to end through our consent page and the stand-in's
login and consent pages (oauth-checklist §16 "Responses", "Codes")."""

from __future__ import annotations

from tests.support.stack import Stack


async def test_the_full_code_flow_issues_tokens_that_introspect_active(stack: Stack) -> None:
    client = await stack.register()
    tokens = await stack.tokens(str(client["client_id"]))
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == "tasks:read tasks:write"
    status, body = await stack.introspect(str(tokens["access_token"]))
    assert status == 200
    assert body["active"] is True
    assert body["aud"] == stack.resource
    assert body["iss"] == stack.issuer
    assert body["client_id"] == client["client_id"]
    assert isinstance(body.get("taskmanager_access_token"), str)

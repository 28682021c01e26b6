"""The bearer check on ``/mcp`` (RFC 6750, RFC 8707, RFC 9728 §5.1; mcp-protocol §8.1)."""

from __future__ import annotations

import pytest

from taskmcp.resource.bearer import audience_ok, bearer_token
from taskmcp.resource.errors import InvalidToken
from taskmcp.urls import normalize_resource
from tests.mcp.conftest import MakeStack, Stack
from tests.mcp.support import RESOURCE, introspection, rpc

METADATA = "http://localhost:8001/.well-known/oauth-protected-resource/mcp"
CHALLENGE = f'Bearer resource_metadata="{METADATA}", scope="tasks:read tasks:write"'


@pytest.mark.parametrize(
    ("method", "headers"),
    [("POST", {}), ("GET", {"Mcp-Session-Id": "x"}), ("DELETE", {"Mcp-Session-Id": "x"})],
)
async def test_no_token_is_401_with_the_challenge_on_every_method(
    stack: Stack, method: str, headers: dict[str, str]
) -> None:
    """Checked first: before Accept/Content-Type, session or era rules."""
    response = await stack.client.request(method, "/mcp", headers=headers, data=b"garbage")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert await response.json() == {"error_description": "Authorization required"}


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwdw==", "Token abc", "Digest x"])
async def test_other_schemes_count_as_no_token(stack: Stack, authorization: str) -> None:
    response = await stack.mcp(token=None).post(rpc("tools/list"), {"Authorization": authorization})
    assert response.headers["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize("token", ["unknown-token", "revoked"])
async def test_an_inactive_token_is_401_invalid_token(stack: Stack, token: str) -> None:
    response = await stack.mcp(token).modern("tools/list")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == (
        'Bearer error="invalid_token", error_description="The access token is invalid, '
        f'expired or revoked", resource_metadata="{METADATA}", scope="tasks:read tasks:write"'
    )
    assert (await response.json())["error"] == "invalid_token"


async def test_a_malformed_bearer_header_is_invalid_token(stack: Stack) -> None:
    response = await stack.mcp(token=None).post(
        rpc("tools/list"), {"Authorization": "Bearer two words"}
    )
    assert response.status == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def test_a_token_in_the_query_string_is_ignored(stack: Stack) -> None:
    response = await stack.client.post("/mcp?access_token=alice-token", json=rpc("tools/list"))
    assert response.status == 401


async def test_an_expired_token_is_refused_even_if_introspection_says_active(stack: Stack) -> None:
    stack.auth.tokens["old"] = introspection(exp_in=-5)
    assert (await stack.mcp("old").modern("tools/list")).status == 401


@pytest.mark.parametrize(
    "aud",
    [
        RESOURCE,
        RESOURCE + "/",
        "HTTP://LOCALHOST:8001/mcp",
        "http://localhost:8001/mcp/",
        [RESOURCE, "https://other"],
        ["https://other", "http://localhost:8001/mcp"],
    ],
)
async def test_the_audience_is_compared_normalised(stack: Stack, aud: object) -> None:
    stack.auth.tokens["t"] = introspection(aud=aud)
    assert (await stack.mcp("t").modern("tools/list")).status == 200


@pytest.mark.parametrize(
    "aud",
    [
        "http://localhost:8001",
        "http://localhost:8001/mcp/x",
        "https://localhost:8001/mcp",
        "http://localhost:8002/mcp",
        [],
        "http://localhost:8001/.well-known/oauth-protected-resource/mcp",
    ],
)
async def test_a_token_for_another_resource_is_refused(stack: Stack, aud: object) -> None:
    stack.auth.tokens["t"] = introspection(aud=aud)
    response = await stack.mcp("t").modern("tools/list")
    assert response.status == 401
    assert "not issued for this resource" in response.headers["WWW-Authenticate"]


async def test_strict_mode_requires_an_audience(stack: Stack) -> None:
    stack.auth.tokens["t"] = introspection(aud=None)
    assert (await stack.mcp("t").modern("tools/list")).status == 401


async def test_without_strict_mode_a_missing_audience_is_accepted_but_never_a_wrong_one(
    make_stack: MakeStack,
) -> None:
    stack = await make_stack({"TASKMCP_OAUTH_STRICT": "false"})
    stack.auth.tokens["none"] = introspection(aud=None)
    stack.auth.tokens["wrong"] = introspection(aud="https://elsewhere.example/mcp")
    assert (await stack.mcp("none").modern("tools/list")).status == 200
    assert (await stack.mcp("wrong").modern("tools/list")).status == 401


def test_bearer_token_parsing() -> None:
    assert bearer_token(None) is None
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer abc.DEF-_~+/==") == "abc.DEF-_~+/=="
    assert bearer_token("bearer  abc ") == "abc"
    with pytest.raises(InvalidToken):
        bearer_token("Bearer")
    with pytest.raises(InvalidToken):
        bearer_token("Bearer a,b")


def test_normalisation_rules() -> None:
    assert normalize_resource("HTTPS://Example.COM:443/mcp/") == "https://example.com/mcp"
    assert normalize_resource("http://[::1]:80/mcp") == "http://[::1]/mcp"
    assert normalize_resource("http://example.com:8080/MCP") == "http://example.com:8080/MCP"
    assert normalize_resource("ftp://example.com/mcp") is None
    assert normalize_resource("http://example.com:bad/mcp") is None
    assert audience_ok((), RESOURCE, strict=False)
    assert not audience_ok((), RESOURCE, strict=True)

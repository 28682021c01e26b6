"""RFC 8414 metadata and CORS placement (oauth-checklist A2-A5, I2, N1)."""

from __future__ import annotations

from tests.support.stack import Stack


async def test_metadata_advertises_exactly_what_mcp_clients_need(stack: Stack) -> None:
    async with stack.http.get(f"{stack.issuer}/.well-known/oauth-authorization-server") as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        doc = await resp.json()
    assert doc["issuer"] == stack.issuer
    assert doc["authorization_endpoint"] == f"{stack.issuer}/authorize"
    assert doc["token_endpoint"] == f"{stack.issuer}/token"
    assert doc["registration_endpoint"] == f"{stack.issuer}/register"
    assert doc["introspection_endpoint"] == f"{stack.issuer}/introspect"
    assert doc["revocation_endpoint"] == f"{stack.issuer}/revoke"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert doc["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert doc["client_id_metadata_document_supported"] is True
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "none",
        "client_secret_post",
        "client_secret_basic",
    }
    assert doc["scopes_supported"] == ["tasks:read", "tasks:write", "offline_access"]


async def test_the_mcp_path_is_not_an_issuer(stack: Stack) -> None:
    """mcp-protocol §8.3: never serve a document with another issuer."""
    async with stack.http.get(f"{stack.issuer}/.well-known/oauth-authorization-server/mcp") as resp:
        assert resp.status == 404


async def test_cors_is_open_on_metadata_and_token_but_not_authorize_or_introspect(
    stack: Stack,
) -> None:
    for path, method, allowed in (
        ("/.well-known/oauth-authorization-server", "GET", True),
        ("/token", "POST", True),
        ("/register", "POST", True),
        ("/revoke", "POST", True),
        ("/introspect", "POST", False),
        ("/authorize", "GET", False),
    ):
        origin = {"Origin": "https://inspector.example", "Access-Control-Request-Method": method}
        async with stack.http.options(f"{stack.issuer}{path}", headers=origin) as resp:
            granted = resp.headers.get("Access-Control-Allow-Origin")
            assert (granted is not None) == allowed, path

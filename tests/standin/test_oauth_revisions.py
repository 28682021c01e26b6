"""OAuth differences between DEC and JAN: CORS, JWKS, client_credentials, public
clients (taskmanager-api §3.1, §3.6, §3.7)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Standin
from tests.standin.helpers import (
    code_for,
    exchange_code,
    grant_error,
    token_request,
)


@pytest.mark.parametrize(("revision", "cors"), [("dec", "*"), ("jan", None)])
async def test_token_cors_and_caching(
    standin: Standin, alice: TestClient, cors: str | None
) -> None:
    backend = await standin.anonymous()
    success = await exchange_code(backend, await code_for(alice))
    assert success.headers.get("Access-Control-Allow-Origin") == cors
    cache = "no-store, no-cache, must-revalidate" if standin.revision == "jan" else None
    assert success.headers.get("Cache-Control") == cache
    failure = await exchange_code(backend, "0" * 64)
    assert "Access-Control-Allow-Origin" not in failure.headers


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_token_preflight(standin: Standin) -> None:
    response = await (await standin.anonymous()).options("/api/oauth/token")
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_token_preflight_allows_only_its_own_origin(standin: Standin) -> None:
    client = await standin.anonymous()
    own = f"http://{client.host}:{client.port}"
    foreign = await client.options("/api/oauth/token", headers={"Origin": "http://evil.test"})
    assert foreign.status == 204
    assert foreign.headers["Access-Control-Allow-Headers"] == "Content-Type, Authorization"
    assert "Access-Control-Allow-Origin" not in foreign.headers
    same = await client.options("/api/oauth/token", headers={"Origin": own})
    assert same.headers["Access-Control-Allow-Origin"] == own
    assert same.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize(("revision", "status"), [("dec", 200), ("jan", 404)])
async def test_jwks(alice: TestClient, status: int) -> None:
    response = await alice.get("/api/oauth/jwks")
    assert response.status == status
    if status == 200:
        keys = (await response.json())["keys"]
        assert keys[0]["kid"] == "taskmanager-mcp-key-1"
        assert keys[0]["n"] == "REPLACE_WITH_BASE64URL_ENCODED_MODULUS"


async def _service_client(alice: TestClient, **changes: Any) -> dict[str, Any]:
    body = {"name": "svc", "redirectUris": ["http://x/cb"], "scopes": ["read"]} | changes
    created: dict[str, Any] = await (await alice.post("/api/oauth/clients", json=body)).json()
    return created


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_client_credentials(standin: Standin, alice: TestClient) -> None:
    backend = await standin.anonymous()
    svc = await _service_client(alice, grantTypes=["client_credentials"])
    creds = {"client_id": svc["client_id"], "client_secret": svc["client_secret"]}
    ok = await token_request(backend, grant_type="client_credentials", **creds)
    body = await ok.json()
    assert ok.status == 200
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["scope"] == "read"
    bad = await token_request(
        backend, grant_type="client_credentials", scope="read write admin", **creds
    )
    assert (bad.status, await bad.json()) == (
        400,
        grant_error("invalid_scope", "Invalid scope(s): Invalid scope(s): write, admin"),
    )
    plain = await _service_client(alice)
    refused = await token_request(
        backend,
        grant_type="client_credentials",
        client_id=plain["client_id"],
        client_secret=plain["client_secret"],
    )
    assert (refused.status, await refused.json()) == (
        400,
        grant_error("unauthorized_client", "Client is not authorized to use this grant type"),
    )


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_has_no_client_credentials(standin: Standin) -> None:
    response = await token_request(
        await standin.anonymous(),
        grant_type="client_credentials",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert (response.status, await response.json()) == (
        400,
        grant_error("unsupported_grant_type", "Grant type not supported"),
    )


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_public_clients_use_only_their_id(standin: Standin, alice: TestClient) -> None:
    """§3.7: a public client, even without PKCE, and its refresh without a secret."""
    public = await _service_client(alice, redirectUris=[REDIRECT_URI], isPublic=True)
    backend = await standin.anonymous()
    code = await code_for(alice, client_id=public["client_id"])
    issued = await exchange_code(backend, code, client_id=public["client_id"], client_secret="")
    tokens = await issued.json()
    assert issued.status == 200, tokens
    refreshed = await token_request(
        backend,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        client_id=public["client_id"],
    )
    assert refreshed.status == 200

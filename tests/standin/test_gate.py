"""The auth gate: 302-to-login semantics, Bearer handling, headers (§2.3-§2.6, §1)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import CLIENT_ID, Standin
from tests.standin.helpers import (
    SECURITY_HEADERS,
    bearer,
    expect_login_redirect,
    token_request,
    tokens_for,
)

METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]


@pytest.mark.parametrize("method", METHODS)
async def test_every_method_without_credentials_is_302_to_login(
    standin: Standin, method: str
) -> None:
    """§2.5: absolute Location on the request's host, return_to = encoded path?query."""
    client = await standin.anonymous()
    path = "/api/todos?status=pending&limit=2"
    response = await client.request(
        method, path, headers={"Accept": "application/json"}, allow_redirects=False
    )
    await expect_login_redirect(response, client, path)


async def test_the_location_host_comes_from_the_host_header(standin: Standin) -> None:
    client = await standin.anonymous()
    response = await client.get(
        "/api/projects/7?x=a%20b&y=/", headers={"Host": "tm.example.test"}, allow_redirects=False
    )
    assert response.status == 302
    assert response.headers["Location"] == (
        "http://tm.example.test/login?return_to=%2Fapi%2Fprojects%2F7%3Fx%3Da%2520b%26y%3D%2F"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/me",
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-protected-resource",
        "/no/such/page",
        "/",
    ],
)
async def test_unknown_paths_and_discovery_are_302_then_404_html(
    standin: Standin, alice: TestClient, path: str
) -> None:
    """§2.2, §2.3, §3.1: unauthenticated 302; authenticated a 404 page (or home for /)."""
    anonymous = await standin.anonymous()
    await expect_login_redirect(await anonymous.get(path, allow_redirects=False), anonymous, path)
    response = await alice.get(path, allow_redirects=False)
    assert response.status == (200 if path == "/" else 404)
    assert response.content_type == "text/html"


async def test_dynamic_registration_does_not_exist(standin: Standin, alice: TestClient) -> None:
    anonymous = await standin.anonymous()
    response = await anonymous.post("/api/oauth/register", json={}, allow_redirects=False)
    await expect_login_redirect(response, anonymous, "/api/oauth/register")
    assert (await alice.post("/api/oauth/register", json={})).status == 404


async def test_a_garbage_cookie_is_no_cookie(standin: Standin) -> None:
    client = await standin.anonymous()
    response = await client.get(
        "/api/projects", headers={"Cookie": "session=not-a-session"}, allow_redirects=False
    )
    await expect_login_redirect(response, client, "/api/projects")


async def test_handled_responses_carry_the_security_headers(alice: TestClient) -> None:
    response = await alice.get("/api/projects")
    assert all(name in response.headers for name in SECURITY_HEADERS)
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("revision", "cache"), [("dec", None), ("jan", "no-store, no-cache, must-revalidate")]
)
async def test_jan_api_responses_are_not_cacheable(alice: TestClient, cache: str | None) -> None:
    response = await alice.get("/api/projects")
    assert response.headers.get("Cache-Control") == cache


async def test_userinfo_is_the_only_401(standin: Standin, alice: TestClient) -> None:
    """§2.5: 401 without a valid Bearer token (a cookie does not count); 404 with one."""
    anonymous = await standin.anonymous()
    for client, headers in [(anonymous, {}), (alice, {}), (anonymous, bearer("f" * 64))]:
        response = await client.get("/api/oauth/userinfo", headers=headers)
        assert (response.status, await response.json()) == (401, {"error": "Unauthorized"})
    tokens = await tokens_for(alice, anonymous)
    found = await anonymous.get("/api/oauth/userinfo", headers=bearer(tokens["access_token"]))
    assert (found.status, found.content_type) == (404, "text/html")


# -- Bearer tokens (§2.6) -------------------------------------------------------------


@pytest.mark.parametrize(("revision", "status"), [("dec", 302), ("jan", 200)])
async def test_a_valid_bearer_token_alone(standin: Standin, alice: TestClient, status: int) -> None:
    """JAN: the request acts as the token's user. DEC: ignored, so 302."""
    tokens = await tokens_for(alice, await standin.anonymous())
    anonymous = await standin.anonymous()
    response = await anonymous.get(
        "/api/projects", headers=bearer(tokens["access_token"]), allow_redirects=False
    )
    assert response.status == status


@pytest.mark.parametrize(("revision", "winner"), [("dec", "bob"), ("jan", "alice")])
async def test_bearer_for_one_user_and_cookie_for_another(
    standin: Standin, alice: TestClient, bob: TestClient, winner: str
) -> None:
    """JAN: Bearer wins; DEC: the cookie does."""
    await alice.post("/api/projects", json={"name": "Alice's"})
    await bob.post("/api/projects", json={"name": "Bob's"})
    tokens = await tokens_for(alice, await standin.anonymous())
    response = await bob.get("/api/projects", headers=bearer(tokens["access_token"]))
    names = [project["name"] for project in await response.json()]
    assert names == [{"alice": "Alice's", "bob": "Bob's"}[winner]]


async def test_an_invalid_bearer_falls_back_to_the_cookie(alice: TestClient) -> None:
    response = await alice.get("/api/projects", headers=bearer("0" * 64))
    assert response.status == 200


@pytest.mark.parametrize("revision", ["jan"])
@pytest.mark.parametrize("header", ["bearer {t}", "Bearer", "Basic {t}", "Token {t}", "BEARER {t}"])
async def test_jan_accepts_only_the_exact_bearer_scheme(
    standin: Standin, alice: TestClient, header: str
) -> None:
    tokens = await tokens_for(alice, await standin.anonymous())
    anonymous = await standin.anonymous()
    value = header.format(t=tokens["access_token"])
    response = await anonymous.get(
        "/api/projects", headers={"Authorization": value}, allow_redirects=False
    )
    await expect_login_redirect(response, anonymous, "/api/projects")


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_ignores_an_access_token_query_parameter(
    standin: Standin, alice: TestClient
) -> None:
    tokens = await tokens_for(alice, await standin.anonymous())
    anonymous = await standin.anonymous()
    path = f"/api/projects?access_token={tokens['access_token']}"
    await expect_login_redirect(await anonymous.get(path, allow_redirects=False), anonymous, path)


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_expired_tokens_are_unauthenticated(standin: Standin, alice: TestClient) -> None:
    """§3.1: access tokens last 3600 s."""
    tokens = await tokens_for(alice, await standin.anonymous())
    anonymous = await standin.anonymous()
    standin.clock.advance(seconds=3599)
    ok = await anonymous.get("/api/projects", headers=bearer(tokens["access_token"]))
    assert ok.status == 200
    standin.clock.advance(seconds=1)
    expired = await anonymous.get(
        "/api/projects", headers=bearer(tokens["access_token"]), allow_redirects=False
    )
    await expect_login_redirect(expired, anonymous, "/api/projects")


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_bearer_covers_clients_and_pages_but_not_authorize(
    standin: Standin, alice: TestClient
) -> None:
    """§2.6 "Routes covered": /api/oauth/clients and HTML pages yes, authorize no."""
    tokens = await tokens_for(alice, await standin.anonymous())
    anonymous = await standin.anonymous()
    headers = bearer(tokens["access_token"])
    clients = await anonymous.get("/api/oauth/clients", headers=headers)
    assert [client["client_id"] for client in await clients.json()] == [CLIENT_ID]
    assert (await anonymous.get("/", headers=headers)).status == 200
    authorize = await anonymous.get(
        "/api/oauth/authorize?client_id=cid", headers=headers, allow_redirects=False
    )
    assert authorize.headers["Location"].startswith(f"http://{anonymous.host}:")
    assert "/login?return_to=" in authorize.headers["Location"]


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_logout_with_only_a_bearer_keeps_the_token(
    standin: Standin, alice: TestClient
) -> None:
    """§2.2: 200, and the token stays valid."""
    tokens = await tokens_for(alice, await standin.anonymous())
    anonymous, headers = await standin.anonymous(), bearer(tokens["access_token"])
    response = await anonymous.post("/api/auth/logout", headers=headers)
    assert (response.status, await response.json()) == (200, {"success": True})
    assert (await anonymous.get("/api/projects", headers=headers)).status == 200
    assert (await alice.get("/api/projects", allow_redirects=False)).status == 200


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_client_credentials_tokens_have_no_user(
    standin: Standin, alice: TestClient
) -> None:
    """§2.6: a client_credentials token → 302 on the REST API."""
    created = await alice.post(
        "/api/oauth/clients",
        json={"name": "svc", "redirectUris": ["http://x/cb"], "grantTypes": ["client_credentials"]},
    )
    client = await created.json()
    anonymous = await standin.anonymous()
    response = await token_request(
        anonymous,
        grant_type="client_credentials",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
    )
    token = (await response.json())["access_token"]
    projects = await anonymous.get("/api/projects", headers=bearer(token), allow_redirects=False)
    await expect_login_redirect(projects, anonymous, "/api/projects")

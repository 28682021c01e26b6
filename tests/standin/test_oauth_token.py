"""The token endpoint: codes, PKCE, refresh, client authentication (taskmanager-api §3.6, §3.7)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Standin
from tests.standin.helpers import (
    INVALID_CLIENT,
    INVALID_CODE,
    bearer,
    code_for,
    exchange_code,
    grant_error,
    pkce_pair,
    token_request,
    tokens_for,
)


async def test_a_code_is_single_use(standin: Standin, alice: TestClient) -> None:
    backend, code = await standin.anonymous(), await code_for(alice)
    assert (await exchange_code(backend, code)).status == 200
    replay = await exchange_code(backend, code)
    assert (replay.status, await replay.json()) == (400, INVALID_CODE)


async def test_a_redirect_mismatch_burns_the_code(standin: Standin, alice: TestClient) -> None:
    backend, code = await standin.anonymous(), await code_for(alice)
    wrong = await exchange_code(backend, code, redirect_uri="http://127.0.0.1:9/other")
    assert (wrong.status, await wrong.json()) == (
        400,
        grant_error("invalid_grant", "Redirect URI mismatch"),
    )
    retry = await exchange_code(backend, code)
    assert (retry.status, await retry.json()) == (400, INVALID_CODE)


async def test_codes_expire_after_ten_minutes(standin: Standin, alice: TestClient) -> None:
    code = await code_for(alice)
    standin.clock.advance(minutes=10)
    response = await exchange_code(await standin.anonymous(), code)
    assert (response.status, await response.json()) == (400, INVALID_CODE)


async def test_another_clients_credentials_do_not_burn_the_code(
    standin: Standin, alice: TestClient
) -> None:
    created = await alice.post(
        "/api/oauth/clients", json={"name": "other", "redirectUris": [REDIRECT_URI]}
    )
    other = await created.json()
    backend, code = await standin.anonymous(), await code_for(alice)
    stolen = await exchange_code(
        backend, code, client_id=other["client_id"], client_secret=other["client_secret"]
    )
    assert (stolen.status, await stolen.json()) == (400, INVALID_CODE)
    assert (await exchange_code(backend, code)).status == 200


async def test_pkce_plain_is_the_default_method(standin: Standin, alice: TestClient) -> None:
    backend = await standin.anonymous()
    code = await code_for(alice, code_challenge="the-verifier-itself")
    ok = await exchange_code(backend, code, code_verifier="the-verifier-itself")
    assert ok.status == 200
    code = await code_for(alice, code_challenge="x" * 43, code_challenge_method="S256")
    wrong = await exchange_code(backend, code, code_verifier="x" * 43)
    assert (wrong.status, await wrong.json()) == (
        400,
        grant_error("invalid_grant", "Code verifier validation failed"),
    )


@pytest.mark.parametrize(
    ("method", "verifier", "status", "error"),
    [
        ("S256", "", 400, grant_error("invalid_request", "Code verifier required for PKCE")),
        ("S256", "wrong", 400, grant_error("invalid_grant", "Code verifier validation failed")),
        ("S512", "v", 400, grant_error("invalid_request", "Unsupported code challenge method")),
    ],
)
async def test_pkce_failures_burn_the_code(
    standin: Standin,
    alice: TestClient,
    method: str,
    verifier: str,
    status: int,
    error: dict[str, str],
) -> None:
    backend = await standin.anonymous()
    good_verifier, challenge = pkce_pair()
    code = await code_for(alice, code_challenge=challenge, code_challenge_method=method)
    failed = await exchange_code(backend, code, code_verifier=verifier)
    assert (failed.status, await failed.json()) == (status, error)
    retry = await exchange_code(backend, code, code_verifier=good_verifier)
    assert (retry.status, await retry.json()) == (400, INVALID_CODE)


async def test_a_verifier_for_a_code_without_challenge_is_ignored(
    standin: Standin, alice: TestClient
) -> None:
    response = await exchange_code(
        await standin.anonymous(), await code_for(alice), code_verifier="anything"
    )
    assert response.status == 200


async def test_refresh_rotates_both_tokens(standin: Standin, alice: TestClient) -> None:
    """§3.6: new pair, no scope; the old refresh token and the old access token die."""
    backend = await standin.anonymous()
    first = await tokens_for(alice, backend)
    refreshed = await token_request(
        backend,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scope="admin",
    )
    body = await refreshed.json()
    assert refreshed.status == 200
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["refresh_token"] != first["refresh_token"]
    again = await token_request(
        backend,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert (again.status, await again.json()) == (
        400,
        grant_error("invalid_grant", "Invalid refresh token"),
    )
    if standin.revision == "jan":
        old = await backend.get(
            "/api/projects", headers=bearer(first["access_token"]), allow_redirects=False
        )
        assert old.status == 302
        new = await backend.get("/api/projects", headers=bearer(body["access_token"]))
        assert new.status == 200


async def test_a_refresh_token_is_bound_to_its_client(standin: Standin, alice: TestClient) -> None:
    created = await alice.post(
        "/api/oauth/clients", json={"name": "other", "redirectUris": [REDIRECT_URI]}
    )
    other = await created.json()
    backend = await standin.anonymous()
    tokens = await tokens_for(alice, backend)
    response = await token_request(
        backend,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        client_id=other["client_id"],
        client_secret=other["client_secret"],
    )
    assert (await response.json())["error"] == "invalid_grant"


TOKEN_ERRORS: list[tuple[dict[str, str], int, dict[str, str]]] = [
    ({"client_secret": "wrong"}, 401, INVALID_CLIENT),
    ({"client_id": "unknown"}, 401, INVALID_CLIENT),
    ({"client_id": "", "client_secret": ""}, 401, INVALID_CLIENT),
    ({"grant_type": ""}, 400, grant_error("unsupported_grant_type", "Grant type not supported")),
    (
        {"grant_type": "password"},
        400,
        grant_error("unsupported_grant_type", "Grant type not supported"),
    ),
    ({"code": ""}, 400, grant_error("invalid_request", "Missing required parameters")),
    ({"redirect_uri": ""}, 400, grant_error("invalid_request", "Missing required parameters")),
    ({"code": "0" * 64}, 400, INVALID_CODE),
    (
        {"grant_type": "refresh_token"},
        400,
        grant_error("invalid_request", "Missing refresh token"),
    ),
]


@pytest.mark.parametrize(("changes", "status", "body"), TOKEN_ERRORS)
async def test_token_endpoint_error_table(
    standin: Standin, changes: dict[str, str], status: int, body: dict[str, str]
) -> None:
    response = await exchange_code(await standin.anonymous(), "f" * 64, **changes)
    assert (response.status, await response.json()) == (status, body)


@pytest.mark.parametrize(
    ("revision", "status", "body"),
    [
        ("dec", 500, grant_error("server_error", "Internal server error")),
        ("jan", 401, INVALID_CLIENT),
    ],
)
async def test_a_missing_secret(standin: Standin, status: int, body: dict[str, str]) -> None:
    response = await exchange_code(await standin.anonymous(), "f" * 64, client_secret="")
    assert (response.status, await response.json()) == (status, body)


async def test_basic_authentication_alone_is_refused(standin: Standin, alice: TestClient) -> None:
    """§3.6: client_secret_post only; with the body credentials Basic is ignored."""
    backend, code = await standin.anonymous(), await code_for(alice)
    basic = {"Authorization": "Basic Y2lkOnNlY3JldHNlY3JldDE="}  # cid:secretsecret1
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    alone = await backend.post("/api/oauth/token", data=form, headers=basic)
    assert (alone.status, await alone.json()) == (401, INVALID_CLIENT)
    both = form | {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    assert (await backend.post("/api/oauth/token", data=both, headers=basic)).status == 200


async def test_json_and_multipart_bodies(standin: Standin, alice: TestClient) -> None:
    backend = await standin.anonymous()
    form = {
        "grant_type": "authorization_code",
        "code": await code_for(alice),
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    as_json = await backend.post("/api/oauth/token", json=form)
    assert (as_json.status, await as_json.json()) == (
        500,
        grant_error("server_error", "Internal server error"),
    )
    import aiohttp

    multipart = aiohttp.FormData(form, default_to_multipart=True)
    response = await backend.post("/api/oauth/token", data=multipart)
    assert response.status == 200, await response.text()


async def test_an_empty_token_request_is_invalid_client(standin: Standin) -> None:
    response = await (await standin.anonymous()).post("/api/oauth/token")
    assert (response.status, await response.json()) == (401, INVALID_CLIENT)


async def test_get_on_the_token_endpoint_is_404(standin: Standin) -> None:
    response = await (await standin.anonymous()).get("/api/oauth/token")
    assert (response.status, response.content_type) == (404, "text/html")

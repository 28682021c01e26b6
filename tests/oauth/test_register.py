"""Dynamic client registration (RFC 7591; oauth-checklist G1-G6, R1, §16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskmcp.oauth.policy import OAuthPolicy, RateLimit
from tests.conftest import storage_url
from tests.support.browser import Browser
from tests.support.stack import Stack, pkce_pair, run_stack


async def _register(stack: Stack, body: object) -> tuple[int, dict[str, object], dict[str, str]]:
    async with stack.http.post(f"{stack.issuer}/register", json=body) as resp:
        return resp.status, await resp.json(), dict(resp.headers)


async def test_a_public_client_gets_every_field_back_with_defaults(stack: Stack) -> None:
    status, body, headers = await _register(
        stack,
        {
            "redirect_uris": ["http://127.0.0.1:9/cb"],
            "token_endpoint_auth_method": "none",
            "client_id": "chosen-by-client",
            "client_name": "Probe",
        },
    )
    assert status == 201
    assert headers["Cache-Control"] == "no-store"
    assert str(body["client_id"]).startswith("tmc_")
    assert body["client_id"] != "chosen-by-client"
    assert body["grant_types"] == ["authorization_code"]
    assert body["response_types"] == ["code"]
    assert body["application_type"] == "web"
    assert "client_secret" not in body
    assert isinstance(body["client_id_issued_at"], int)


async def test_a_confidential_client_gets_a_secret_once(stack: Stack) -> None:
    status, body, _ = await _register(stack, {"redirect_uris": ["https://app.example/cb"]})
    assert status == 201
    assert body["token_endpoint_auth_method"] == "client_secret_basic"
    assert len(str(body["client_secret"])) >= 43
    assert body["client_secret_expires_at"] == 0
    stored = await stack.storage.get_client(str(body["client_id"]), now=stack.clock())
    assert stored is not None
    assert stored.secret_hash == stack.hasher.hash(str(body["client_secret"]))


@pytest.mark.parametrize(
    "redirect_uris",
    [
        ["https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback"],
        [
            "cursor://anysphere.cursor-mcp/oauth/callback",
            "https://www.cursor.com/agents/mcp/oauth/callback",
            "http://localhost:8787/callback",
        ],
        ["http://127.0.0.1:33418/", "https://vscode.dev/redirect", "http://127.0.0.1/"],
        ["http://localhost:6274/oauth/callback", "http://localhost:6274/oauth/callback/debug"],
        ["http://127.0.0.1:6276/oauth/callback"],
        ["http://localhost/callback", "http://127.0.0.1/callback"],
    ],
    ids=["claude", "cursor", "vscode", "inspector-web", "inspector-cli", "claude-code"],
)
async def test_what_real_clients_register_is_accepted(
    stack: Stack, redirect_uris: list[str]
) -> None:
    status, body, _ = await _register(
        stack, {"redirect_uris": redirect_uris, "token_endpoint_auth_method": "none"}
    )
    assert status == 201, body
    assert body["redirect_uris"] == redirect_uris


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"redirect_uris": ["http://evil.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://app.example/cb#frag"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["myapp:/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_client_metadata"),
        ({}, "invalid_client_metadata"),
        (
            {"redirect_uris": ["https://a.example/cb"], "grant_types": ["password"]},
            "invalid_client_metadata",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]},
            "invalid_client_metadata",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "grant_types": ["refresh_token"]},
            "invalid_client_metadata",
        ),
        ({"redirect_uris": ["https://a.example/cb"], "scope": "admin"}, "invalid_scope"),
        (
            {"redirect_uris": [f"https://a.example/{i}" for i in range(11)]},
            "invalid_client_metadata",
        ),
        ([1, 2], "invalid_client_metadata"),
    ],
)
async def test_bad_metadata_is_refused_with_the_right_error(
    stack: Stack, body: object, error: str
) -> None:
    status, answer, _ = await _register(stack, body)
    assert status == 400
    assert answer["error"] == error


async def test_a_non_json_body_is_invalid_metadata(stack: Stack) -> None:
    async with stack.http.post(
        f"{stack.issuer}/register", data=b"{nope", headers={"Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "invalid_client_metadata"


async def test_an_oversized_body_is_413(stack: Stack) -> None:
    body = {"redirect_uris": ["https://a.example/cb"], "client_name": "x" * 20000}
    async with stack.http.post(f"{stack.issuer}/register", json=body) as resp:
        assert resp.status == 413


async def test_the_21st_registration_in_an_hour_gets_429_with_retry_after(tmp_path: Path) -> None:
    policy = OAuthPolicy(register_limit=RateLimit(20, 3600))
    async with run_stack(storage_url("memory", tmp_path), policy=policy) as stack:
        for _ in range(20):
            await stack.register()
        status, body, headers = await _register(stack, {"redirect_uris": ["https://a.example/cb"]})
    assert status == 429
    assert body["error"] == "rate_limited"
    assert int(headers["Retry-After"]) > 0


async def test_an_odd_private_use_uri_is_stored_but_refused_when_used(stack: Stack) -> None:
    """checklist R8: Cursor's per-user URI has no reverse-domain scheme; the registration
    succeeds and only a request that uses that URI is refused."""
    odd = "cursor://anysphere.cursor-mcp/oauth/user-alice/callback"
    client = await stack.register(redirect_uris=[odd, "http://127.0.0.1:9/cb"])
    browser = Browser()
    try:
        url = stack.authorize_url(str(client["client_id"]), pkce_pair()[1], redirect_uri=odd)
        page = await browser.get(url)
    finally:
        await browser.close()
    assert page.status == 400
    assert "Location" not in page.headers


@pytest.mark.parametrize("uri", ["javascript://x/cb", "data://x/cb", "myapp:/cb", "weird://x/cb#f"])
async def test_dangerous_or_malformed_private_uris_are_still_refused(
    stack: Stack, uri: str
) -> None:
    status, body, _ = await _register(stack, {"redirect_uris": [uri]})
    assert status == 400
    assert body["error"] == "invalid_redirect_uri"

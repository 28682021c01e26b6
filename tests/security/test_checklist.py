"""The rows of oauth-checklist §16 that ``tests/oauth`` does not run in the form the
list asks for (tests/security/README.md maps every row to its test):

* "Two concurrent redemptions ... Repeat this 50 times" (C5): ``tests/oauth`` repeats
  it three times;
* "Redirect manipulation, as a table-driven test against registered
  ``https://app.example/cb`` and ``http://127.0.0.1/cb``" over HTTP (the matcher's
  own table is in ``tests/oauth/test_redirects.py``);
* "No endpoint ever sends 307" and "the error JSON shape and status match §12 for
  every endpoint".

Everything runs over both storage backends.
"""

from __future__ import annotations

import asyncio
import base64
import re
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.security.support import open_page, parse_html
from tests.support.browser import Browser
from tests.support.stack import CLIENT_REDIRECT, Stack, pkce_pair

REGISTERED = ["https://app.example/cb", "http://127.0.0.1/cb"]
DESCRIPTION = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]*$")  # RFC 6749 §5.2


async def test_fifty_concurrent_double_redemptions_each_have_one_winner_whose_tokens_die(
    stack: Stack,
) -> None:
    """C4, C5: exactly one 200 and one ``invalid_grant``; the loser counts as a
    replay, so the winner's tokens end up revoked."""
    client_id = str((await stack.register())["client_id"])
    for _ in range(50):
        code, verifier = await stack.code_flow(client_id)
        responses = await asyncio.gather(
            stack.exchange(client_id, code, verifier), stack.exchange(client_id, code, verifier)
        )
        assert sorted(r.status for r in responses) == [200, 400]
        loser = next(r for r in responses if r.status == 400)
        assert await loser.json() == {
            "error": "invalid_grant",
            "error_description": "authorization code already used",
        }
        winner = await next(r for r in responses if r.status == 200).json()
        assert await stack.introspect(str(winner["access_token"])) == (200, {"active": False})
        assert await stack.introspect(str(winner["refresh_token"])) == (200, {"active": False})


def _authorize(stack: Stack, client_id: str, redirect_uri: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
        "state": "s",
    }
    return f"{stack.issuer}/authorize?{urlencode(query)}"


@pytest.mark.parametrize(
    "requested",
    [
        "https://app.example/cb/",  # trailing slash
        "https://app.example/CB",  # case in the path
        "https://APP.example/cb",  # case in the host: no normalisation either
        "https://app.example/cb?x=1",  # extra query
        "https://app.example/cb#frag",  # fragment
        "https://app.example@evil.example/cb",  # userinfo
        "https://app.example%40evil.example/cb",
        "https://app.example/%63b",  # percent-encoding variants
        "https://app.example/cb%2F",
        "https://app.example/c%62",
        "https://evil.example/cb",  # another host
        "http://app.example/cb",  # http on a non-loopback host
        "https://app.example:443/cb",  # an explicit default port is another string
        "http://localhost.evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "http://127.0.0.1/cb/",
        "http://127.0.0.1/cb?x=1",
        "http://127.0.0.2/cb",
        "http://localhost/cb",  # localhost only matches a localhost registration
        "https://127.0.0.1/cb",
        "http://127.0.0.1/CB",
    ],
)
async def test_a_manipulated_redirect_uri_gets_a_400_page_without_location(
    stack: Stack, requested: str
) -> None:
    """R2, R5, O1 over HTTP: no redirect and no "return to" link."""
    client_id = str((await stack.register(redirect_uris=REGISTERED))["client_id"])
    page = await open_page(_authorize(stack, client_id, requested))
    assert page.status == 400
    assert "Location" not in page.headers
    texts = parse_html(page.text).text
    assert texts[texts.index("Invalid redirect address") + 1] == (
        "redirect_uri is not registered for this client"
    )
    assert not [tag for tag, _ in parse_html(page.text).tags if tag == "a"]


@pytest.mark.parametrize(
    "requested",
    [
        "https://app.example/cb",
        "http://127.0.0.1/cb",
        "http://127.0.0.1:1/cb",
        "http://127.0.0.1:49152/cb",
        "http://127.0.0.1:65535/cb",
    ],
)
async def test_exact_and_loopback_port_variants_get_the_consent_page(
    stack: Stack, requested: str
) -> None:
    """R2, R3 (RFC 8252 §7.3)."""
    client_id = str((await stack.register(redirect_uris=REGISTERED))["client_id"])
    page = await open_page(_authorize(stack, client_id, requested))
    assert page.status == 200
    assert page.forms()[0].action == f"{stack.issuer}/authorize/consent"


async def test_ipv6_loopback_and_localhost_registrations_accept_any_port(stack: Stack) -> None:
    uris = ["http://[::1]/cb", "http://localhost/cb"]
    client_id = str((await stack.register(redirect_uris=uris))["client_id"])
    for requested in ("http://[::1]:8123/cb", "http://localhost:8123/cb", "http://[::1]/cb"):
        assert (await open_page(_authorize(stack, client_id, requested))).status == 200
    for requested in ("http://127.0.0.1:8123/cb", "http://[::2]:8123/cb"):
        assert (await open_page(_authorize(stack, client_id, requested))).status == 400


async def test_no_response_of_a_whole_flow_is_a_307(stack: Stack) -> None:
    """U6 and §16 "No endpoint ever sends 307": consent answers are 303, the callback
    302, everything else is not a redirect."""
    client = await stack.register(token_endpoint_auth_method="client_secret_basic")
    client_id, secret = str(client["client_id"]), str(client["client_secret"])
    basic = {
        "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    }
    seen: list[tuple[str, int]] = []
    for decision in ("allow", "deny", "allow_read_only", "bogus"):
        browser = Browser()
        try:
            verifier, challenge = pkce_pair()
            url = stack.authorize_url(client_id, challenge)
            if decision in ("allow", "allow_read_only"):
                final = await stack.authorize(browser, url, decision=decision)
                assert final.location is not None
                code = dict(p.split("=", 1) for p in final.location.split("?", 1)[1].split("&"))
                form = {
                    "grant_type": "authorization_code",
                    "code": code["code"],
                    "code_verifier": verifier,
                    "redirect_uri": CLIENT_REDIRECT,
                }
                for _ in range(2):  # success, then a replay
                    resp = await stack.post("/token", form, headers=basic)
                    seen.append(("/token", resp.status))
            else:
                page = await browser.get(url)
                await browser.submit(page, page.forms()[0], decision=decision)
            seen += [(page.url.split("?")[0], page.status) for page in browser.history]
        finally:
            await browser.close()
    for path, method in (
        ("/authorize", "GET"),
        ("/authorize/consent", "POST"),
        ("/oauth/callback", "GET"),
        ("/token", "POST"),
        ("/register", "POST"),
        ("/revoke", "POST"),
        ("/introspect", "POST"),
        ("/nope", "GET"),
        ("/authorize/", "GET"),
        ("/token", "GET"),
    ):
        async with stack.http.request(
            method, f"{stack.issuer}{path}", allow_redirects=False
        ) as resp:
            seen.append((path, resp.status))
    assert 307 not in {status for _, status in seen}
    assert 308 not in {status for _, status in seen}
    consent = {status for path, status in seen if path.endswith("/authorize/consent")}
    assert consent == {303, 400}  # 400: the bogus decision


async def _json_error(resp: aiohttp.ClientResponse) -> dict[str, str]:
    assert resp.content_type == "application/json"
    assert resp.headers["Cache-Control"] == "no-store"
    body: dict[str, str] = await resp.json()
    assert set(body) <= {"error", "error_description"}
    assert DESCRIPTION.fullmatch(body.get("error_description", ""))
    return body


async def test_error_shapes_and_statuses_match_section_12(stack: Stack) -> None:
    """§12 per endpoint: ``{error, error_description?}`` with the listed status;
    ``invalid_client`` after Basic carries ``WWW-Authenticate``."""
    client = await stack.register(token_endpoint_auth_method="client_secret_basic")
    client_id = str(client["client_id"])
    public_id = str((await stack.register())["client_id"])
    bad_basic = {"Authorization": "Basic " + base64.b64encode(f"{client_id}:x".encode()).decode()}
    cases: list[tuple[str, dict[str, str], dict[str, str], int, str]] = [
        (
            "/token",
            {"grant_type": "password", "client_id": public_id},
            {},
            400,
            "unsupported_grant_type",
        ),
        (
            "/token",
            {"grant_type": "authorization_code", "client_id": public_id},
            {},
            400,
            "invalid_request",
        ),
        (
            "/token",
            {
                "grant_type": "authorization_code",
                "code": "x",
                "code_verifier": "y" * 43,
                "client_id": public_id,
            },
            {},
            400,
            "invalid_grant",
        ),
        (
            "/token",
            {
                "grant_type": "refresh_token",
                "refresh_token": "x",
                "client_id": public_id,
                "scope": "admin",
            },
            {},
            400,
            "invalid_grant",
        ),
        (
            "/token",
            {"grant_type": "refresh_token", "refresh_token": "x"},
            bad_basic,
            401,
            "invalid_client",
        ),
        ("/revoke", {"token": "x"}, bad_basic, 401, "invalid_client"),
        ("/revoke", {"client_id": public_id}, {}, 400, "invalid_request"),
        ("/introspect", {"token": "x"}, {}, 401, "invalid_client"),
        ("/introspect", {"token": "x", "client_id": public_id}, {}, 401, "invalid_client"),
    ]
    for path, form, headers, status, error in cases:
        resp = await stack.post(path, form, headers=headers)
        assert resp.status == status, (path, form)
        assert (await _json_error(resp))["error"] == error, (path, form)
        if headers:
            assert resp.headers["WWW-Authenticate"] == 'Basic realm="taskmcp"'
        else:
            assert "WWW-Authenticate" not in resp.headers
    for body, error in (
        ({"redirect_uris": ["http://evil.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_client_metadata"),
    ):
        async with stack.http.post(f"{stack.issuer}/register", json=body) as resp:
            assert resp.status == 400
            assert (await _json_error(resp))["error"] == error
    for path in (
        "/.well-known/oauth-authorization-server/mcp",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-protected-resource",
    ):
        async with stack.http.get(f"{stack.issuer}{path}") as resp:
            assert resp.status == 404

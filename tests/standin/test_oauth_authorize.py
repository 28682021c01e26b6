"""Authorization request, consent page and consent decision (taskmanager-api §3.3-§3.5)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import CLIENT_ID, REDIRECT_URI, Standin
from tests.standin.helpers import (
    authorize_params,
    code_for,
    consent_decision,
    exchange_code,
    expect_login_redirect,
)


async def test_authorize_without_a_session_keeps_the_whole_query(standin: Standin) -> None:
    anonymous = await standin.anonymous()
    path = "/api/oauth/authorize?client_id=x&scope=a%20b"
    response = await anonymous.get(path, allow_redirects=False)
    await expect_login_redirect(response, anonymous, path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"client_id": ""}, "Invalid request parameters"),
        ({"redirect_uri": ""}, "Invalid request parameters"),
        ({"response_type": ""}, "Invalid request parameters"),
        ({"response_type": "token"}, "Invalid request parameters"),
        ({"client_id": "unknown"}, "Invalid client"),
        ({"redirect_uri": "http://127.0.0.1:9/other"}, "Invalid redirect URI"),
    ],
)
async def test_authorize_validation_is_plain_text_400(
    alice: TestClient, changes: dict[str, str], message: str
) -> None:
    query = urlencode(authorize_params(**changes))
    response = await alice.get(f"/api/oauth/authorize?{query}", allow_redirects=False)
    assert response.status == 400
    assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert await response.text() == message


async def test_authorize_defaults_the_scope_and_drops_extras(alice: TestClient) -> None:
    query = urlencode(authorize_params(scope="", state="", nonce="n", resource="r"))
    response = await alice.get(f"/api/oauth/authorize?{query}", allow_redirects=False)
    assert response.headers["Location"].endswith(
        "/oauth/authorize?client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb"
        "&response_type=code&scope=read"
    )


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"client_id": "unknown"}, "/login?error=invalid_client"),
        ({"redirect_uri": "http://elsewhere/cb"}, "/login?error=invalid_redirect_uri"),
        ({"client_id": "", "redirect_uri": ""}, "/login?error=invalid_request"),
    ],
)
async def test_the_consent_page_sends_bad_requests_to_login(
    alice: TestClient, changes: dict[str, str], location: str
) -> None:
    query = urlencode(authorize_params(**changes))
    response = await alice.get(f"/oauth/authorize?{query}", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, location)


async def test_the_consent_page_needs_a_session(standin: Standin) -> None:
    anonymous = await standin.anonymous()
    path = f"/oauth/authorize?{urlencode(authorize_params())}"
    await expect_login_redirect(await anonymous.get(path, allow_redirects=False), anonymous, path)


async def test_the_consent_page_escapes_what_it_echoes(alice: TestClient) -> None:
    query = urlencode(authorize_params(state='"><script>alert(1)</script>'))
    html = await (await alice.get(f"/oauth/authorize?{query}")).text()
    assert "<script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html
    assert "Read your todos and projects" in html
    assert "Development stand-in" in html


# -- consent decision (§3.5) -----------------------------------------------------------


async def test_deny_redirects_with_access_denied(alice: TestClient) -> None:
    response = await consent_decision(alice, "deny", state="s 1")
    assert response.headers["Location"] == f"{REDIRECT_URI}?error=access_denied&state=s+1"


async def test_state_is_omitted_when_absent_and_a_query_is_extended(alice: TestClient) -> None:
    response = await consent_decision(alice, redirect_uri="http://c.example/cb?x=1")
    location = response.headers["Location"]
    assert re.fullmatch(r"http://c\.example/cb\?x=1&code=[0-9a-f]{64}", location), location
    stated = await consent_decision(alice, redirect_uri="http://c/cb?x=1", state="a b&c")
    assert stated.headers["Location"].endswith("&state=a+b%26c")


async def test_the_decision_checks_neither_redirect_uri_nor_scope(
    standin: Standin, alice: TestClient
) -> None:
    """§3.5: an unregistered redirect and an unregistered scope still get a code."""
    other = "http://127.0.0.1:9999/other"
    code = await code_for(alice, redirect_uri=other, scope="admin delete")
    response = await exchange_code(await standin.anonymous(), code, redirect_uri=other)
    assert (response.status, (await response.json())["scope"]) == (200, "admin delete")


async def test_the_decision_without_a_session_goes_to_login(standin: Standin) -> None:
    response = await consent_decision(await standin.anonymous())
    assert (response.status, response.headers["Location"]) == (302, "/login")


@pytest.mark.parametrize(
    ("fields", "status", "text"),
    [
        ({"action": ""}, 400, "Invalid action"),
        ({"action": "maybe"}, 400, "Invalid action"),
        ({"client_id": "unknown"}, 400, "Invalid client"),
        ({"redirect_uri": ""}, 500, "Server error"),
    ],
)
async def test_decision_errors_are_plain_text(
    alice: TestClient, fields: dict[str, str], status: int, text: str
) -> None:
    form = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "action": "allow"} | fields
    form = {k: v for k, v in form.items() if v}
    response = await alice.post("/api/oauth/authorize", data=form, allow_redirects=False)
    assert (response.status, await response.text()) == (status, text)


async def test_a_json_decision_is_an_empty_500(alice: TestClient) -> None:
    response = await alice.post(
        "/api/oauth/authorize", json={"client_id": CLIENT_ID, "action": "allow"}
    )
    assert (response.status, await response.read()) == (500, b"")

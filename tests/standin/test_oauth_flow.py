"""The OAuth code flow end to end over HTTP (taskmanager-api §8, §3.3-§3.6)."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.standin.conftest import CLIENT_ID, REDIRECT_URI, Standin
from tests.standin.helpers import (
    HEX64,
    authorize_params,
    exchange_code,
    expect_login_redirect,
    parse_form,
    pkce_pair,
    query_of,
)


async def test_the_whole_code_flow_with_pkce_s256_over_http(standin: Standin) -> None:
    """§8: login → GET /api/oauth/authorize → consent page → allow → code → token."""
    browser, backend = await standin.anonymous(), await standin.anonymous()
    verifier, challenge = pkce_pair()
    query = urlencode(
        authorize_params(code_challenge=challenge, code_challenge_method="S256", resource="r")
    )
    start = await browser.get(f"/api/oauth/authorize?{query}", allow_redirects=False)
    await expect_login_redirect(start, browser, f"/api/oauth/authorize?{query}")
    return_to = query_of(start.headers["Location"])["return_to"]
    login = {"username": "alice", "password": "pw", "return_to": return_to}
    signed_in = await browser.post("/login", data=login, allow_redirects=False)
    assert (signed_in.status, signed_in.headers["Location"]) == (303, return_to)

    authorize = await browser.get(return_to, allow_redirects=False)
    assert authorize.status == 302
    consent_url = authorize.headers["Location"]
    assert consent_url == (
        f"http://{browser.host}:{browser.port}/oauth/authorize?client_id=cid"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&scope=read+write"
        f"&state=xyz&code_challenge={challenge}&code_challenge_method=S256"
    )
    page = await browser.session.get(consent_url)  # absolute: the same session and jar
    form = parse_form(await page.text())
    assert (page.status, form.title.startswith("Authorize Application")) == (200, True)
    assert (form.method, form.action) == ("POST", "/api/oauth/authorize")
    assert form.buttons == [("action", "allow"), ("action", "deny")]
    assert form.hidden == {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "read write",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }

    decided = await browser.post(
        form.action, data=form.hidden | {"action": "allow"}, allow_redirects=False
    )
    assert decided.status == 302
    location = decided.headers["Location"]
    assert location.startswith(f"{REDIRECT_URI}?code=")
    code = query_of(location)["code"]
    assert HEX64.match(code)
    assert query_of(location)["state"] == "xyz"

    response = await exchange_code(backend, code, code_verifier=verifier)
    body = await response.json()
    assert response.status == 200
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, "read write")
    assert HEX64.match(body["access_token"])
    assert HEX64.match(body["refresh_token"])

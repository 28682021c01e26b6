"""Our consent page as a security boundary (oauth-checklist U1, U4, U6, U9, U11, §16
"Consent and confused deputy")."""

from __future__ import annotations

from datetime import timedelta

from tests.support.browser import Browser, query_of
from tests.support.stack import CLIENT_REDIRECT, Stack, pkce_pair


async def test_deny_returns_access_denied_with_state_and_iss_by_303(stack: Stack) -> None:
    client = await stack.register()
    browser = Browser()
    try:
        page = await browser.get(stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
        result = await browser.submit(page, page.forms()[0], decision="deny")
    finally:
        await browser.close()
    assert result.status == 303
    assert result.location is not None
    assert result.location.startswith(CLIENT_REDIRECT)
    assert query_of(result.location) == {
        "error": "access_denied",
        "error_description": "the user denied the request",
        "state": "st-1",
        "iss": stack.issuer,
    }


async def test_allow_sends_the_browser_to_taskmanager_with_our_own_pkce_and_state(
    stack: Stack,
) -> None:
    client = await stack.register()
    browser = Browser()
    try:
        page = await browser.get(stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
        result = await browser.submit(page, page.forms()[0], decision="allow")
    finally:
        await browser.close()
    assert result.status == 303
    assert result.location is not None
    assert result.location.startswith(f"{stack.taskmanager}/api/oauth/authorize?")
    upstream = query_of(result.location)
    assert upstream["client_id"] == "brooks"
    assert upstream["redirect_uri"] == f"{stack.issuer}/oauth/callback"
    assert upstream["code_challenge_method"] == "S256"
    assert len(upstream["state"]) >= 43
    assert upstream["state"] != "st-1"


async def test_a_post_without_or_with_a_forged_transaction_is_refused(stack: Stack) -> None:
    for data in ({"decision": "allow"}, {"decision": "allow", "transaction": "v1.x.forged"}):
        resp = await stack.post("/authorize/consent", data)
        assert resp.status == 400
        assert resp.headers["X-Frame-Options"] == "DENY"


async def test_a_stale_consent_form_is_refused(stack: Stack) -> None:
    client = await stack.register()
    browser = Browser()
    try:
        page = await browser.get(stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
        stack.clock.advance(timedelta(minutes=11))
        result = await browser.submit(page, page.forms()[0], decision="allow")
    finally:
        await browser.close()
    assert result.status == 400
    assert "expired" in result.text


async def test_a_form_submitted_from_another_browser_is_refused(stack: Stack) -> None:
    """CSRF: the transaction is bound to the cookie of the browser that saw the page."""
    client = await stack.register()
    victim, attacker = Browser(), Browser()
    try:
        page = await attacker.get(stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
        await victim.get(stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
        result = await victim.submit(page, page.forms()[0], decision="allow")
    finally:
        await victim.close()
        await attacker.close()
    assert result.status == 403


async def test_a_consent_form_is_single_use(stack: Stack) -> None:
    client = await stack.register()
    browser = Browser()
    try:
        page = await browser.get(stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
        first = await browser.submit(page, page.forms()[0], decision="allow")
        second = await browser.submit(page, page.forms()[0], decision="allow")
    finally:
        await browser.close()
    assert first.status == 303
    assert second.status == 400
    assert "already" in second.text


async def test_a_second_client_in_a_logged_in_browser_still_sees_our_consent_page(
    stack: Stack,
) -> None:
    """The confused-deputy defence: TaskManager remembers the login, we still ask."""
    first, second = await stack.register(), await stack.register(client_name="Second app")
    browser = Browser()
    try:
        done = await stack.authorize(
            browser, stack.authorize_url(str(first["client_id"]), pkce_pair()[1])
        )
        assert done.location is not None
        page = await browser.get(stack.authorize_url(str(second["client_id"]), pkce_pair()[1]))
    finally:
        await browser.close()
    assert page.status == 200
    assert "Second app" in page.text
    assert page.forms()[0].buttons["decision"] == ["allow", "allow_read_only", "deny"]


async def test_read_only_consent_yields_a_read_only_token(stack: Stack) -> None:
    client = await stack.register()
    verifier, challenge = pkce_pair()
    browser = Browser()
    try:
        final = await stack.authorize(
            browser,
            stack.authorize_url(str(client["client_id"]), challenge),
            decision="allow_read_only",
        )
    finally:
        await browser.close()
    assert final.location is not None
    code = query_of(final.location)["code"]
    resp = await stack.exchange(str(client["client_id"]), code, verifier)
    body = await resp.json()
    assert body["scope"] == "tasks:read"

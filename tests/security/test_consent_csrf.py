"""CSRF on the consent form (oauth-checklist U4, U6, U8, U9; RFC 6749 §10.12; MCP SBP
"Consent UI"), beyond ``tests/oauth/test_consent.py`` (missing, forged, stale,
other-browser and reused transactions).

Each refusal is an HTML error page with a fixed title and message, no ``Location``,
and nothing stored: the next legitimate submission still works.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.security.support import parse_html
from tests.support.browser import Browser, Page
from tests.support.stack import Stack, pkce_pair

EXPIRED = ("This page has expired", "Please start again from the application you were connecting.")
FOREIGN = (
    "This request could not be verified",
    "The consent form was not submitted from the browser that opened it.",
)


HEADINGS = {EXPIRED[0], FOREIGN[0], "Already submitted", "Invalid request"}


def _message(page: Page) -> tuple[str, str]:
    """The error page's heading and the sentence under it."""
    texts = parse_html(page.text).text
    for i, text in enumerate(texts):
        if text in HEADINGS:
            return text, texts[i + 1]
    raise AssertionError(texts)


async def _consent_page(stack: Stack, browser: Browser) -> Page:
    client_id = str((await stack.register())["client_id"])
    page = await browser.get(stack.authorize_url(client_id, pkce_pair()[1]))
    assert page.status == 200
    return page


async def test_the_browser_cookie_is_httponly_lax_and_scoped_to_the_site(stack: Stack) -> None:
    """U8 on a plain-http development issuer (``__Host-`` and Secure need https)."""
    browser = Browser()
    try:
        page = await _consent_page(stack, browser)
    finally:
        await browser.close()
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("taskmcp-browser=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie


async def test_a_cross_site_post_from_a_browser_without_our_cookie_is_403(stack: Stack) -> None:
    """The attacker's page auto-submits a transaction it obtained in its own browser;
    the victim's browser never visited us, so it carries no binding cookie."""
    attacker, victim = Browser(), Browser()
    try:
        page = await _consent_page(stack, attacker)
        result = await victim.submit(page, page.forms()[0], decision="allow")
        retry = await attacker.submit(page, page.forms()[0], decision="allow")
    finally:
        await attacker.close()
        await victim.close()
    assert result.status == 403
    assert "Location" not in result.headers
    assert _message(result) == FOREIGN
    assert retry.status == 303  # the refusal consumed nothing


@pytest.mark.parametrize("position", [0, 10, -1])
async def test_a_tampered_transaction_is_refused(stack: Stack, position: int) -> None:
    browser = Browser()
    try:
        page = await _consent_page(stack, browser)
        form = page.forms()[0]
        sealed = form.fields["transaction"]
        flipped = sealed[position].swapcase() if sealed[position].isalpha() else "A"
        if flipped == sealed[position]:
            flipped = "B"
        tampered = sealed[:position] + flipped + (sealed[position + 1 :] if position != -1 else "")
        result = await browser.submit(page, form, decision="allow", transaction=tampered)
    finally:
        await browser.close()
    assert result.status == 400
    assert "Location" not in result.headers
    assert _message(result) == EXPIRED


@pytest.mark.parametrize(
    "content_type", ["application/json", "multipart/form-data; boundary=x", "text/plain"]
)
async def test_only_an_urlencoded_form_is_accepted(stack: Stack, content_type: str) -> None:
    browser = Browser()
    try:
        page = await _consent_page(stack, browser)
        transaction = page.forms()[0].fields["transaction"]
        async with browser.session.post(
            f"{stack.issuer}/authorize/consent",
            data=f"transaction={transaction}&decision=allow",
            headers={"Content-Type": content_type},
            allow_redirects=False,
        ) as resp:
            status, text, headers = resp.status, await resp.text(), dict(resp.headers)
    finally:
        await browser.close()
    assert (status, "Location" in headers) == (400, False)
    assert "The consent form was not submitted correctly." in parse_html(text).text


async def test_a_get_cannot_decide(stack: Stack) -> None:
    """State-changing requests are POST only: a link or an image cannot consent."""
    browser = Browser()
    try:
        page = await _consent_page(stack, browser)
        transaction = page.forms()[0].fields["transaction"]
        result = await browser.get(
            f"{stack.issuer}/authorize/consent?transaction={transaction}&decision=allow"
        )
    finally:
        await browser.close()
    assert result.status == 405
    assert result.headers["Allow"] == "POST"
    assert "Location" not in result.headers


async def test_two_concurrent_submissions_of_one_form_have_one_winner(stack: Stack) -> None:
    """U4 single use under a double click: exactly one 303 to TaskManager."""
    browser = Browser()
    try:
        page = await _consent_page(stack, browser)
        form = page.forms()[0]
        results = await asyncio.gather(
            *(browser.submit(page, form, decision="allow") for _ in range(4))
        )
    finally:
        await browser.close()
    statuses = sorted(r.status for r in results)
    assert statuses == [303, 400, 400, 400]
    winner = next(r for r in results if r.status == 303)
    assert winner.location is not None
    assert winner.location.startswith(f"{stack.taskmanager}/api/oauth/authorize?")
    for loser in (r for r in results if r.status == 400):
        assert _message(loser) == (
            "Already submitted",
            "This consent was already given. Start again from the application.",
        )

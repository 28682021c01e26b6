"""Every HTML page carries protective headers (checklist U5, U7, §11; issue #9).

Our authorization server's pages (``taskmcp.oauth.pages``) carry the strict set: a CSP
with ``default-src 'none'`` and ``frame-ancestors 'none'``, ``X-Frame-Options: DENY``,
``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``. Covered: the
consent page and every error page (missing or bad parameters, unknown client, bad
redirect URI, invalid scope with its link, no PKCE, a forged consent form, bad
callbacks, rate limiting, an internal error).

The stand-in, a development tool, sends what TaskManager itself sends
(``taskmcp.standin.headers``): no framing, no sniffing, a referrer policy, and in the
JAN revision a CSP with ``frame-ancestors 'none'``; checked on its login, failed login,
registration notice, consent, home and not-found pages, in both revisions.
Responses that are not HTML (plain-text 404s) do not claim ``text/html``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from taskmcp.oauth.policy import OAuthPolicy, RateLimit
from tests.conftest import storage_url
from tests.support.browser import Browser, Page
from tests.support.stack import Stack, pkce_pair, run_stack


def _headers(page: Page) -> dict[str, str]:
    return {name.lower(): value for name, value in page.headers.items()}


def assert_protected(page: Page) -> None:
    """Our own pages: the strict set."""
    headers, where = _headers(page), f"{page.status} {page.url}"
    assert headers.get("content-type", "").startswith("text/html"), where
    csp = headers.get("content-security-policy", "")
    assert "default-src 'none'" in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where


def assert_standin_protected(page: Page, revision: str) -> None:
    """The stand-in's pages: TaskManager's own headers (taskmanager-api §1): no framing,
    no sniffing, a referrer policy, and in the JAN revision a CSP."""
    headers, where = _headers(page), f"{page.status} {page.url}"
    assert headers.get("content-type", "").startswith("text/html"), where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy"), where
    if revision == "jan":
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), where


def html_pages(browser: Browser) -> list[Page]:
    return [p for p in browser.history if p.headers.get("Content-Type", "").startswith("text/html")]


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    policy = OAuthPolicy(authorize_limit=RateLimit(40, 60))
    async with run_stack(storage_url("memory", tmp_path), policy=policy) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    b = Browser()
    yield b
    await b.close()


async def test_the_whole_browser_flow_serves_only_protected_pages(
    stack: Stack, browser: Browser
) -> None:
    """Our consent page, then the stand-in's login and consent pages, in one real flow."""
    client_id = str((await stack.register())["client_id"])
    _, challenge = pkce_pair()
    final = await stack.authorize(browser, stack.authorize_url(client_id, challenge))
    assert final.location is not None
    ours = [p for p in html_pages(browser) if p.url.startswith(stack.issuer)]
    theirs = [p for p in html_pages(browser) if p.url.startswith(stack.taskmanager)]
    assert (len(ours), len(theirs)) == (1, 2)  # consent; login and consent
    for page in ours:
        assert_protected(page)
    for page in theirs:
        assert_standin_protected(page, "jan")


async def test_every_error_page_of_the_authorization_server_is_protected(
    stack: Stack, browser: Browser
) -> None:
    client_id = str((await stack.register())["client_id"])
    _, challenge = pkce_pair()
    urls = [
        f"{stack.issuer}/authorize",
        stack.authorize_url("no-such-client", challenge),
        stack.authorize_url(client_id, challenge, redirect_uri="https://evil.example/cb"),
        stack.authorize_url(client_id, challenge, scope="admin"),  # a page with a link
        stack.authorize_url(client_id, ""),  # no PKCE
        f"{stack.issuer}/oauth/callback",
        f"{stack.issuer}/oauth/callback?code=x&state=forged",
        f"{stack.issuer}/oauth/callback?error=access_denied&state=forged",
    ]
    for url in urls:
        page = await browser.get(url)
        assert page.status >= 400, url
        assert_protected(page)
    consent = await browser.get(stack.authorize_url(client_id, challenge))
    forged = await browser.submit(consent, consent.forms()[0], transaction="forged")
    assert forged.status >= 400
    assert_protected(forged)


async def test_the_rate_limit_and_internal_error_pages_are_protected(
    stack: Stack, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = str((await stack.register())["client_id"])
    _, challenge = pkce_pair()
    url = stack.authorize_url(client_id, challenge)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("storage fault injected by the test")

    monkeypatch.setattr(stack.storage, "get_client", broken)
    failed = await browser.get(url)
    assert failed.status == 500
    assert_protected(failed)
    assert "storage fault" not in failed.text
    monkeypatch.undo()
    for _ in range(40):
        page = await browser.get(url)
        if page.status == 429:
            break
    assert page.status == 429
    assert "Retry-After" in page.headers
    assert_protected(page)


@pytest.mark.parametrize("revision", ["jan", "dec"])
async def test_the_stand_in_pages_are_protected(
    tmp_path: Path, browser: Browser, revision: str
) -> None:
    async with run_stack(storage_url("memory", tmp_path), revision=revision) as stack:
        tm = stack.taskmanager
        login = await browser.get(f"{tm}/login")
        form = login.forms()[0]
        pages = [login, await browser.get(f"{tm}/register")]
        pages.append(await browser.submit(login, form, username="alice", password="wrong"))
        signed_in = await browser.submit(login, form, username="alice", password="pw")
        assert signed_in.status == 303
        pages += [await browser.get(f"{tm}/"), await browser.get(f"{tm}/no-such-page")]
        assert [page.status for page in pages] == [200, 200, 401, 200, 404]
        for page in pages:
            assert_standin_protected(page, revision)


async def test_non_html_errors_do_not_claim_to_be_html(stack: Stack, browser: Browser) -> None:
    async with stack.http.get(
        f"{stack.issuer}/no-such-path", headers={"Accept": "text/html"}
    ) as resp:
        assert resp.status == 404
        assert not resp.headers.get("Content-Type", "").startswith("text/html")

"""Open redirects through every parameter of ``/authorize``, ``/authorize/consent`` and
``/oauth/callback`` (oauth-checklist O1-O3, R5, U6; RFC 9700 §4.11; OAuth 2.1 §7.13).

The invariant checked on every response of every flow here: a ``Location`` header is
either absent, or points at the client's validated redirect URI, or at TaskManager's
``/api/oauth/authorize``; and no response is a 307. ``/authorize`` itself never
redirects (errors before consent are pages with a link, O2).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import storage_url
from tests.support.browser import Browser, Page, query_of
from tests.support.stack import CLIENT_REDIRECT, Stack, pkce_pair, run_stack

EVIL = [
    "https://evil.example/cb",
    "//evil.example/cb",
    "/\\evil.example",
    "http://127.0.0.1:9/cb@evil.example",
    "http://127.0.0.1:9@evil.example/cb",
    "https://evil.example%2F@127.0.0.1:9/cb",
    "javascript:alert(1)",
    "http://127.0.0.1:9/cb#@evil.example",
    "http://127.0.0.1:9/cb/../../evil",
    "\r\nLocation: https://evil.example",
    "https:evil.example",
]
AUTHORIZE_PARAMS = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "resource",
]
EXTRA_PARAMS = [
    "next",
    "return_to",
    "redirect",
    "url",
    "continue",
    "response_mode",
    "request_uri",
    "request",
    "prompt",
    "redirect_url",
    "callback",
]


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """Redirect targets do not depend on the storage backend: memory only."""
    async with run_stack(storage_url("memory", tmp_path)) as running:
        yield running


def _authorize_url(stack: Stack, client_id: str, param: str, value: str) -> str:
    url = stack.authorize_url(client_id, pkce_pair()[1])
    query = {k: v for k, v in query_of(url).items() if k != param}
    return f"{stack.issuer}/authorize?{urlencode({**query, param: value})}"


def _assert_safe(stack: Stack, pages: list[Page]) -> None:
    allowed = (f"{CLIENT_REDIRECT}?", f"{stack.taskmanager}/api/oauth/authorize?")
    for page in pages:
        assert page.status != 307, page.url
        location = page.headers.get("Location")
        if location is None:
            continue
        assert "\r" not in location
        assert "\n" not in location
        if page.url.startswith(stack.taskmanager):
            # the stand-in's own pages redirect to its login or to our exact callback
            target = urlsplit(page.location or "")
            assert (target.scheme, target.netloc) in {
                ("http", urlsplit(stack.taskmanager).netloc),
                ("http", urlsplit(stack.issuer).netloc),
            }, location
            continue
        assert location.startswith(allowed), (page.url, location)


async def _through_upstream(stack: Stack, browser: Browser, page: Page) -> Page:
    """From our consent answer to the request that reaches ``/oauth/callback``."""
    while page.location and page.location.startswith(stack.taskmanager):
        page = await browser.get(page.location)
        if page.status == 200:
            form = page.forms()[0]
            values = (
                {"username": "alice", "password": "pw"}
                if "password" in form.fields
                else {"action": "allow"}
            )
            page = await browser.submit(page, form, **values)
    return page


@pytest.mark.parametrize("param", AUTHORIZE_PARAMS + EXTRA_PARAMS)
async def test_no_authorize_parameter_can_redirect_anywhere_else(stack: Stack, param: str) -> None:
    """Each hostile value replaces (or, for unknown names, joins) one parameter; the
    flow is then driven as far as it goes, with Allow and with Deny. Unknown names are
    ignored (A6), so three values suffice for them."""
    client_id = str((await stack.register())["client_id"])
    for value in EVIL if param in AUTHORIZE_PARAMS else EVIL[:3]:
        for decision in ("allow", "deny"):
            browser = Browser()
            try:
                page = await browser.get(_authorize_url(stack, client_id, param, value))
                assert "Location" not in page.headers
                if page.status == 200:
                    page = await browser.submit(page, page.forms()[0], decision=decision)
                    page = await _through_upstream(stack, browser, page)
                    if page.location and page.location.startswith(stack.issuer):
                        page = await browser.get(page.location)
                    assert page.location is not None  # the flow ran to the client
                    assert page.location.startswith(f"{CLIENT_REDIRECT}?")
                _assert_safe(stack, browser.history)
            finally:
                await browser.close()


@pytest.mark.parametrize(
    "extra",
    [
        {"decision": "https://evil.example/"},
        {"redirect_uri": "https://evil.example/cb"},
        {"next": "https://evil.example/"},
        {"state": "https://evil.example/"},
        {"client_id": "attacker"},
        {"transaction": "https://evil.example/"},
    ],
)
async def test_no_consent_form_field_can_redirect_anywhere_else(
    stack: Stack, extra: dict[str, str]
) -> None:
    client_id = str((await stack.register())["client_id"])
    browser = Browser()
    try:
        page = await browser.get(stack.authorize_url(client_id, pkce_pair()[1]))
        form = page.forms()[0]
        decision = extra.get("decision", "deny")
        result = await browser.submit(page, form, **{"decision": decision, **extra})
        _assert_safe(stack, browser.history)
    finally:
        await browser.close()
    if "decision" in extra or "transaction" in extra:
        assert (result.status, "Location" in result.headers) == (400, False)
    else:  # extra fields are ignored: the stored, validated redirect URI is used
        assert result.status == 303
        assert result.location is not None
        assert query_of(result.location)["error"] == "access_denied"


@pytest.mark.parametrize(
    "mutation",
    [
        {"redirect_uri": "https://evil.example/cb"},
        {"next": "https://evil.example/"},
        {"return_to": "//evil.example"},
        {"iss": "https://evil.example"},
        {"error": "access_denied", "error_description": "https://evil.example/"},
        {"error": "server_error", "redirect_uri": "https://evil.example/cb"},
        {"state": "https://evil.example/"},
        {"code": "https://evil.example/"},
    ],
)
async def test_no_callback_parameter_can_redirect_anywhere_else(
    stack: Stack, mutation: dict[str, str]
) -> None:
    """The callback redirects only to the redirect URI stored with the pending
    authorization (O3); extra or replaced parameters never change the target."""
    client_id = str((await stack.register())["client_id"])
    browser = Browser()
    try:
        page = await browser.get(stack.authorize_url(client_id, pkce_pair()[1]))
        page = await browser.submit(page, page.forms()[0], decision="allow")
        page = await _through_upstream(stack, browser, page)
        assert page.location is not None
        assert page.location.startswith(f"{stack.issuer}/oauth/callback?")
        query = query_of(page.location)
        replaced = {k: v for k, v in query.items() if k not in mutation}
        target = f"{stack.issuer}/oauth/callback?{urlencode({**replaced, **mutation})}"
        result = await browser.get(target)
        _assert_safe(stack, browser.history)
    finally:
        await browser.close()
    if "state" in mutation:
        assert (result.status, "Location" in result.headers) == (400, False)
    else:
        assert result.status == 302
        assert result.location is not None
        assert result.location.startswith(f"{CLIENT_REDIRECT}?")
        assert query_of(result.location)["iss"] == stack.issuer

"""``/oauth/callback``: the upstream leg (oauth-checklist U9, U10, U11, I1, O3)."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.conftest import storage_url
from tests.support.browser import Browser, Page, query_of
from tests.support.stack import CLIENT_REDIRECT, Stack, free_port, pkce_pair, run_stack


async def _until_callback(
    stack: Stack, browser: Browser, client_id: str, decision: str = "allow"
) -> str:
    """Click through to TaskManager's redirect back to us; return that callback URL."""
    page = await browser.get(stack.authorize_url(client_id, pkce_pair()[1]))
    page = await browser.submit(page, page.forms()[0], decision="allow")
    while page.location is not None and not page.location.startswith(
        f"{stack.issuer}/oauth/callback"
    ):
        page = await stack._step(browser, page, "alice", decision)
    assert page.location is not None
    return page.location


async def _get(browser: Browser, url: str) -> Page:
    return await browser.get(url)


async def test_an_unknown_state_gets_an_error_page(stack: Stack) -> None:
    browser = Browser()
    try:
        page = await browser.get(f"{stack.issuer}/oauth/callback?code=x&state=forged")
    finally:
        await browser.close()
    assert page.status == 400
    assert "Location" not in page.headers


async def test_a_callback_url_works_once(stack: Stack) -> None:
    client = await stack.register()
    browser = Browser()
    try:
        callback = await _until_callback(stack, browser, str(client["client_id"]))
        first = await browser.get(callback)
        second = await browser.get(callback)
    finally:
        await browser.close()
    assert first.status == 302
    assert second.status == 400


async def test_a_callback_from_another_browser_is_refused(stack: Stack) -> None:
    """fastmcp GHSA-rww4-4w9c-7733: consent in one browser, completion in another."""
    client = await stack.register()
    victim, attacker = Browser(), Browser()
    try:
        callback = await _until_callback(stack, attacker, str(client["client_id"]))
        page = await victim.get(callback)
    finally:
        await victim.close()
        await attacker.close()
    assert page.status == 403
    assert "Location" not in page.headers


async def test_an_upstream_denial_reaches_the_client_as_access_denied(stack: Stack) -> None:
    client = await stack.register()
    browser = Browser()
    try:
        final = await stack.authorize(
            browser,
            stack.authorize_url(str(client["client_id"]), pkce_pair()[1]),
            upstream_decision="deny",
        )
    finally:
        await browser.close()
    assert final.status == 302
    assert final.location is not None
    assert final.location.startswith(CLIENT_REDIRECT)
    params = query_of(final.location)
    assert params["error"] == "access_denied"
    assert params["state"] == "st-1"
    assert params["iss"] == stack.issuer
    assert "code" not in params


async def test_the_subject_is_the_taskmanager_user_id_when_it_can_be_learned(stack: Stack) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as alice:
        async with alice.post(
            f"{stack.taskmanager}/api/auth/login", json={"username": "alice", "password": "pw"}
        ) as resp:
            user_id = (await resp.json())["data"]["user"]["id"]
        async with alice.post(f"{stack.taskmanager}/api/projects", json={"name": "Home-A"}) as resp:
            assert resp.status == 201
    client = await stack.register()
    tokens = await stack.tokens(str(client["client_id"]))
    _, body = await stack.introspect(str(tokens["access_token"]))
    assert body["sub"] == str(user_id)


async def test_a_user_taskmanager_cannot_name_gets_a_pseudonymous_subject(stack: Stack) -> None:
    client = await stack.register()
    tokens = await stack.tokens(str(client["client_id"]), user="bob")
    _, body = await stack.introspect(str(tokens["access_token"]))
    assert str(body["sub"]).startswith("anon:")


async def test_taskmanager_down_at_the_callback_is_temporarily_unavailable(tmp_path: Path) -> None:
    """The browser reaches TaskManager, but the server-to-server exchange cannot: the
    client is told ``temporarily_unavailable`` with ``state`` and ``iss``."""
    closed = f"http://127.0.0.1:{free_port()}"
    environ = {"TASKMCP_TASKMANAGER_INTERNAL_URL": closed}
    async with run_stack(storage_url("memory", tmp_path), auth_environ=environ) as stack:
        client = await stack.register()
        browser = Browser()
        try:
            url = stack.authorize_url(str(client["client_id"]), pkce_pair()[1])
            final = await stack.authorize(browser, url)
        finally:
            await browser.close()
    assert final.location is not None
    params = query_of(final.location)
    assert params["error"] == "temporarily_unavailable"
    assert params["state"] == "st-1"
    assert params["iss"] == stack.issuer

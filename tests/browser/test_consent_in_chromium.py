"""The pages a person sees when an MCP client connects, in real Chromium (issue #7):
our consent page, the stand-in's login page and its consent page, through to the
client's loopback redirect URI, whose ``code`` the client then exchanges at ``/token``
(checklist U1-U4, U6; RFC 9207 ``iss``). Also the read-only and deny decisions, a
keyboard-only run, a phone-width viewport, dark mode and the error pages.

Screenshots land in ``test-artifacts/screenshots/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from taskmcp.oauth.authorize import SCOPE_LABELS
from tests.browser.support import PHONE, LoopbackClient, open_chromium
from tests.support.stack import Stack, pkce_pair

if TYPE_CHECKING:
    from playwright.async_api import Page

BUTTONS = ("Allow", "Allow read-only", "Deny")
PHONE_WIDTH = PHONE["viewport"]["width"]
# Where a keyboard user's Tab landed: the focused element's id, or else its text.
_FOCUSED = "() => { const e = document.activeElement; return e ? e.id || e.innerText : '' }"


@dataclass
class Flow:
    """One authorization request of a registered client, and how to finish it."""

    stack: Stack
    client: LoopbackClient
    client_id: str
    verifier: str
    url: str

    async def exchange(self, code: str) -> dict[str, object]:
        resp = await self.stack.exchange(
            self.client_id, code, self.verifier, redirect_uri=self.client.redirect_uri
        )
        assert resp.status == 200, await resp.text()
        body: dict[str, object] = await resp.json()
        return body


async def _flow(
    stack: Stack, client: LoopbackClient, name: str = "Claude Code", **extra: str
) -> Flow:
    registered = await stack.register(client_name=name, redirect_uris=[client.redirect_uri])
    verifier, challenge = pkce_pair()
    client_id = str(registered["client_id"])
    url = stack.authorize_url(client_id, challenge, redirect_uri=client.redirect_uri, **extra)
    return Flow(stack, client, client_id, verifier, url)


async def _open(page: Page, url: str, status: int = 200) -> None:
    response = await page.goto(url)
    assert response is not None
    assert response.status == status, await response.text()


async def _sign_in(page: Page, user: str = "alice") -> None:
    await page.get_by_label("Username").fill(user)
    await page.get_by_label("Password").fill("pw")
    await page.get_by_role("button", name="Sign in").click()


async def _click(page: Page, button: str) -> None:
    await page.get_by_role("button", name=button, exact=True).click()


async def _tab_to(page: Page, label: str, *, most: int = 8) -> int:
    """Press Tab until ``label`` has the focus; returns how many presses it took."""
    for presses in range(1, most + 1):
        await page.keyboard.press("Tab")
        if (await page.evaluate(_FOCUSED)).strip() == label:
            return presses
    raise AssertionError(f"{label!r} never got the keyboard focus")


def _expect_code(response: dict[str, str], stack: Stack) -> str:
    assert set(response) == {"code", "state", "iss"}, response
    assert response["state"] == "st-1"
    assert response["iss"] == stack.issuer
    return response["code"]


async def _check_consent_page(page: Page, flow: Flow) -> None:
    host = flow.client.redirect_uri.split("/")[2]
    assert await page.title() == "Allow access to your tasks? · taskmcp"
    heading = await page.get_by_role("heading", level=1).inner_text()
    assert heading == "Allow Claude Code to access your TaskManager tasks?"
    assert await page.locator(".badge").inner_text() == "unverified"
    warning = page.get_by_role("note")
    assert await warning.is_visible()
    assert (await warning.inner_text()).startswith("Local application.")
    assert host in await page.locator("dl.facts dd").first.inner_text()
    scopes = await page.locator("ul.scopes li").all_inner_texts()
    assert scopes == [f"{SCOPE_LABELS[s]} {s}" for s in ("tasks:read", "tasks:write")]
    for name in BUTTONS:
        assert await page.get_by_role("button", name=name, exact=True).is_visible()


async def test_allow_in_chromium_delivers_a_code_that_the_client_exchanges(
    stack: Stack, client_app: LoopbackClient, tmp_path: Path
) -> None:
    flow = await _flow(stack, client_app)
    async with open_chromium(tmp_path / "profile") as tab:
        await _open(tab.page, flow.url)
        await _check_consent_page(tab.page, flow)
        await tab.screenshot("consent-desktop")
        await _click(tab.page, "Allow")
        await tab.page.get_by_role("heading", name="Sign in").wait_for()
        assert tab.page.url.startswith(f"{stack.taskmanager}/login?")
        await tab.screenshot("standin-login")
        await _sign_in(tab.page)
        await tab.page.get_by_role("heading", name="Authorize Application").wait_for()
        assert tab.page.url.startswith(f"{stack.taskmanager}/oauth/authorize?")
        await tab.screenshot("standin-consent")
        await _click(tab.page, "Allow")
        code = _expect_code(await client_app.response(), stack)
        await tab.page.get_by_text("You can close this window").wait_for()
        assert tab.page.url.startswith(f"{client_app.redirect_uri}?")
        assert tab.console_errors == []
    tokens = await flow.exchange(code)
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "tasks:read tasks:write"
    status, info = await stack.introspect(str(tokens["access_token"]))
    assert (status, info["active"], info["client_id"]) == (200, True, flow.client_id)


async def test_allow_read_only_in_chromium_gives_a_read_only_token(
    stack: Stack, client_app: LoopbackClient, tmp_path: Path
) -> None:
    flow = await _flow(stack, client_app)
    async with open_chromium(tmp_path / "profile") as tab:
        await _open(tab.page, flow.url)
        await _click(tab.page, "Allow read-only")
        await _sign_in(tab.page)
        await _click(tab.page, "Allow")
        code = _expect_code(await client_app.response(), stack)
    tokens = await flow.exchange(code)
    assert tokens["scope"] == "tasks:read"
    _, info = await stack.introspect(str(tokens["access_token"]))
    assert info["scope"] == "tasks:read"


@pytest.mark.parametrize("where", ["our consent page", "TaskManager's consent page"])
async def test_deny_in_chromium_sends_access_denied_to_the_client(
    stack: Stack, client_app: LoopbackClient, tmp_path: Path, where: str
) -> None:
    """RFC 6749 §4.1.2.1: ``access_denied`` with the client's ``state``, plus ``iss``
    (RFC 9207). Denied on our page, the browser never reaches TaskManager."""
    flow = await _flow(stack, client_app)
    async with open_chromium(tmp_path / "profile") as tab:
        visited: list[str] = []
        tab.page.on("request", lambda request: visited.append(request.url))
        await _open(tab.page, flow.url)
        if where == "our consent page":
            await _click(tab.page, "Deny")
        else:
            await _click(tab.page, "Allow")
            await _sign_in(tab.page)
            await _click(tab.page, "Deny")
        response = await client_app.response()
    assert response["error"] == "access_denied"
    assert (response["state"], response["iss"]) == ("st-1", stack.issuer)
    assert "code" not in response
    reached_taskmanager = any(url.startswith(stack.taskmanager) for url in visited)
    assert reached_taskmanager == (where != "our consent page")


async def test_the_whole_authorization_works_with_the_keyboard_alone(
    stack: Stack, client_app: LoopbackClient, tmp_path: Path
) -> None:
    """Tab, typing and Enter only: Allow is the first stop on our consent page and shows
    a focus ring; the login form starts focused on the username."""
    flow = await _flow(stack, client_app)
    async with open_chromium(tmp_path / "profile") as tab:
        page = tab.page
        await _open(page, flow.url)
        assert await _tab_to(page, "Allow") == 1
        ring = "() => getComputedStyle(document.activeElement).outlineStyle"
        assert await page.evaluate(ring) == "solid"
        await page.keyboard.press("Enter")
        await page.get_by_role("heading", name="Sign in").wait_for()
        assert await page.evaluate(_FOCUSED) == "username"  # autofocus
        await page.keyboard.type("alice")
        assert await _tab_to(page, "password") == 1
        await page.keyboard.type("pw")
        await page.keyboard.press("Enter")
        await page.get_by_role("heading", name="Authorize Application").wait_for()
        await _tab_to(page, "Allow")
        await page.keyboard.press("Enter")
        code = _expect_code(await client_app.response(), stack)
    assert (await flow.exchange(code))["scope"] == "tasks:read tasks:write"


@pytest.mark.parametrize(
    ("name", "screenshot"),
    [
        ("Claude Code", "consent-phone"),
        (
            "An-application-name-of-two-hundred-characters-without-spaces-" * 3,
            "consent-phone-long-name",
        ),
    ],
)
async def test_the_consent_page_fits_a_phone_screen(
    stack: Stack, client_app: LoopbackClient, tmp_path: Path, name: str, screenshot: str
) -> None:
    """390 x 844 CSS pixels with mobile emulation: no horizontal scrolling, even for an
    unbroken 180-character client name, and every button fully on screen and at least
    44 px tall (a comfortable touch target)."""
    flow = await _flow(stack, client_app, name)
    async with open_chromium(tmp_path / "profile", **PHONE) as tab:
        page = tab.page
        await _open(page, flow.url)
        assert await page.evaluate("window.innerWidth") == PHONE_WIDTH
        scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= PHONE_WIDTH
        assert await page.locator(".client").inner_text() == name
        for label in BUTTONS:
            button = page.get_by_role("button", name=label, exact=True)
            await button.scroll_into_view_if_needed()
            box = await button.bounding_box()
            assert box is not None
            assert await button.is_visible()
            assert box["x"] >= 0, (label, box)
            assert box["x"] + box["width"] <= PHONE_WIDTH, (label, box)
            assert box["height"] >= 44, (label, box)
        await page.evaluate("window.scrollTo(0, 0)")
        await tab.screenshot(screenshot)
        assert tab.console_errors == []


async def test_the_consent_page_follows_a_dark_colour_scheme(
    stack: Stack, client_app: LoopbackClient, tmp_path: Path
) -> None:
    flow = await _flow(stack, client_app)
    async with open_chromium(tmp_path / "profile", color_scheme="dark") as tab:
        await _open(tab.page, flow.url)
        background = "() => getComputedStyle(document.body).backgroundColor"
        assert await tab.page.evaluate(background) == "rgb(13, 17, 23)"
        await tab.screenshot("consent-dark")
        assert tab.console_errors == []


async def test_a_web_client_gets_its_hosts_shown_and_no_local_warning(
    stack: Stack, tmp_path: Path
) -> None:
    """An https redirect URI names a website: the page shows its host (and the client's
    website when it is on one of those hosts) without the local-application warning."""
    redirect = "https://claude.ai/api/mcp/auth_callback"
    registered = await stack.register(
        client_name="Claude", redirect_uris=[redirect], client_uri="https://claude.ai"
    )
    url = stack.authorize_url(str(registered["client_id"]), pkce_pair()[1], redirect_uri=redirect)
    async with open_chromium(tmp_path / "profile") as tab:
        await _open(tab.page, url)
        assert await tab.page.get_by_role("note").count() == 0
        facts = await tab.page.locator("dl.facts dd").all_inner_texts()
        assert facts == ["claude.ai", "claude.ai"]
        await tab.screenshot("consent-web-client")
        assert tab.console_errors == []


async def test_an_unknown_client_gets_an_error_page_without_a_way_back(
    stack: Stack, tmp_path: Path
) -> None:
    """Before the client is known nothing may be redirected (checklist R2)."""
    url = stack.authorize_url("no-such-client", pkce_pair()[1])
    async with open_chromium(tmp_path / "profile") as tab:
        await _open(tab.page, url, status=400)
        heading = await tab.page.get_by_role("heading", level=1).inner_text()
        assert heading == "Unknown application"
        assert await tab.page.get_by_role("link").count() == 0
        await tab.screenshot("error-unknown-client")


async def test_an_invalid_request_page_links_back_to_the_client_with_the_error(
    stack: Stack, client_app: LoopbackClient, tmp_path: Path
) -> None:
    """A bad request from a known client is shown, not bounced: the person follows the
    link, which carries ``error``, ``state`` and ``iss`` (checklist O1, O2)."""
    flow = await _flow(stack, client_app, code_challenge_method="plain")
    async with open_chromium(tmp_path / "profile") as tab:
        await _open(tab.page, flow.url, status=400)
        heading = await tab.page.get_by_role("heading", level=1).inner_text()
        assert heading == "The application sent an invalid request"
        await tab.screenshot("error-invalid-request")
        await tab.page.get_by_role("link", name="Return to the application").click()
        response = await client_app.response()
        assert tab.csp_violations == []  # the 400 itself is logged as an error
    assert response["error"] == "invalid_request"
    assert (response["state"], response["iss"]) == ("st-1", stack.issuer)

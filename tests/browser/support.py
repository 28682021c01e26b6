"""Real Chromium for the OAuth pages: Debian's ``/usr/bin/chromium`` driven by
Playwright for Python, which never downloads a browser of its own here
(``executable_path``). Each test starts Chromium headless with a fresh profile and the
flags this machine's closed network needs (no background networking, no QUIC, no
component updates), and a loopback listener that plays the MCP client's redirect URI.

Without Playwright or Chromium a local run skips with the reason; in CI (``CI`` set),
where ``.ci/run`` installs Chromium and ``make test`` installs Playwright, it fails."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web

from tests.support.stack import free_port

if TYPE_CHECKING:
    from playwright.async_api import ConsoleMessage, Page

__all__ = [
    "CHROMIUM",
    "DESKTOP",
    "PHONE",
    "SCREENSHOTS",
    "LoopbackClient",
    "Tab",
    "loopback_client",
    "open_chromium",
    "require_chromium",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,  # honours <meta name="viewport">, as a phone does
    "has_touch": True,
}
TIMEOUT_MS = 15_000


def require_chromium() -> None:
    """Skip (fail in CI) unless both Playwright and Debian's Chromium are installed."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Tab:
    """One Chromium page, with the console errors it logged (a CSP violation shows
    up there as ``Refused to apply …``)."""

    page: Page
    console_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        """Errors, except the browser's own ``/favicon.ico`` probe (no page has one)."""
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            self.console_errors.append(f"{url}: {message.text}")

    @property
    def csp_violations(self) -> list[str]:
        return [error for error in self.console_errors if "Content Security Policy" in error]

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=path, full_page=True)
        return path


@contextlib.asynccontextmanager
async def open_chromium(profile: Path, **options: Any) -> AsyncIterator[Tab]:
    """Chromium with a new, empty user-data directory; ``options`` are Playwright's
    browser-context options (viewport, ``is_mobile``, ``color_scheme``…)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS),
            headless=True, **{**DESKTOP, **options},
        )  # fmt: skip
        try:
            context.set_default_timeout(TIMEOUT_MS)
            page = context.pages[0] if context.pages else await context.new_page()
            tab = Tab(page)
            page.on("console", tab.on_console)
            yield tab
        finally:
            await context.close()


@dataclass
class LoopbackClient:
    """The MCP client's end of the redirect, as a native client has it: a listener on
    a loopback port (RFC 8252 §7.3) that records the authorization response."""

    redirect_uri: str
    responses: list[dict[str, str]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.responses.append(dict(request.query))
        self.arrived.set()
        return web.Response(
            text="<!doctype html><title>Signed in</title><h1>You can close this window</h1>",
            content_type="text/html",
        )

    async def response(self) -> dict[str, str]:
        """The one authorization response the browser delivered."""
        await asyncio.wait_for(self.arrived.wait(), TIMEOUT_MS / 1000)
        assert len(self.responses) == 1, self.responses
        return self.responses[0]


@contextlib.asynccontextmanager
async def loopback_client() -> AsyncIterator[LoopbackClient]:
    port = free_port()
    client = LoopbackClient(f"http://127.0.0.1:{port}/callback")
    app = web.Application()
    app.router.add_get("/callback", client.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield client
    finally:
        await runner.cleanup()

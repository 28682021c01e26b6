"""CORS for both services, built on aiohttp-cors (the only module that touches it;
its ``ResourceOptions`` is untyped, so the mypy exemption stays confined here).

Browser-based MCP clients (the Inspector UI, ChatGPT, claude.ai in some flows) need
CORS on every response they read, errors and preflight included (mcp-protocol §3).
Credentials (cookies) are never allowed cross-origin: these endpoints authenticate
with headers or form fields, so ``*`` origins are safe where CORS is enabled at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import aiohttp_cors
from aiohttp import hdrs, web
from aiosignal import Signal

__all__ = ["Cors"]


class Cors:
    """Adds routes with a fixed CORS policy to one application."""

    def __init__(
        self,
        app: web.Application,
        *,
        origins: Sequence[str] = ("*",),
        allow_headers: Iterable[str] | str = "*",
        expose_headers: Iterable[str] | str = "*",
        max_age: int = 3600,
    ) -> None:
        self._config = aiohttp_cors.setup(app)
        _only_with_origin(app.on_response_prepare)
        options = aiohttp_cors.ResourceOptions(
            allow_credentials=False,
            expose_headers=expose_headers
            if isinstance(expose_headers, str)
            else tuple(expose_headers),
            allow_headers=allow_headers if isinstance(allow_headers, str) else tuple(allow_headers),
            max_age=max_age,
        )
        self._options = {origin: options for origin in origins}

    def add(self, route: web.AbstractRoute) -> web.AbstractRoute:
        self._config.add(route, self._options)
        return route


def _only_with_origin(signal: Signal[web.Request, web.StreamResponse]) -> None:
    """aiohttp-cors looks up the route's CORS configuration for every response and only
    then sees that a request without ``Origin`` needs nothing (CORS §6.1.1). Its
    handler, the one ``setup`` just appended, now runs only when ``Origin`` is present:
    the same headers, without the lookup on every server-to-server request."""
    add_cors_headers = signal[-1]
    if getattr(add_cors_headers, "__name__", None) != "_on_response_prepare":
        raise RuntimeError("aiohttp-cors did not install its response hook as expected")

    async def on_response_prepare(request: web.Request, response: web.StreamResponse) -> None:
        if hdrs.ORIGIN in request.headers:
            await add_cors_headers(request, response)

    signal[-1] = on_response_prepare

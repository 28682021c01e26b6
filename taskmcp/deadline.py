"""A deadline for request bodies (issue #9: slow clients).

aiohttp closes a connection whose request headers do not arrive in time (the runner's
keep-alive timeout), but once the headers are in, the handler waits for the body as
long as the client keeps the connection open: a client trickling its body one byte at
a time would hold a handler, and a file descriptor, forever.

``body_deadline(seconds=…)`` waits, before the handler runs, until the whole body has
arrived, and answers 408 if it has not within ``seconds``. It does not consume the
body (``StreamReader.wait_eof``): the handler reads it as before. Bodies are small
here (the authorization server refuses more than 64 KiB), so they fit in aiohttp's
read buffer without the flow control that would stop a body from arriving unread.
The resource server has its own deadline in ``taskmcp.mcp.transport.read_json``,
answered with a JSON-RPC error body.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

__all__ = ["BODY_TIMEOUT", "body_deadline"]

BODY_TIMEOUT = 30.0


def body_deadline(*, seconds: float | None = None) -> Middleware:
    """``seconds`` defaults to ``BODY_TIMEOUT`` as it is when the app is built."""
    limit = BODY_TIMEOUT if seconds is None else seconds

    @web.middleware
    async def deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists:
            try:
                async with asyncio.timeout(limit):
                    await request.content.wait_eof()
            except TimeoutError:
                raise web.HTTPRequestTimeout(
                    text="the request body did not arrive in time"
                ) from None
        return await handler(request)

    return deadline

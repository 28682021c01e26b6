"""Steps both eras share: reading a POST body, building a request's context, starting
it, and holding a long-lived stream open (mcp-protocol §3).

Body checks, in the SDK's order: ``Accept`` must list both ``application/json`` and
``text/event-stream`` (406), ``Content-Type`` must be ``application/json`` (415), the
body must fit in ``max_body`` bytes (413) and arrive within ``body_timeout`` seconds
(408), and it must parse (400 + -32700; deeply nested JSON included). Every refusal
carries an id-less JSON-RPC error body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import hdrs, web

from taskmcp.keys import BEARER_TOKEN, MCP_SERVER, SESSIONS, TRANSPORT, UPSTREAM, VERIFIER
from taskmcp.mcp.calls import CallContext
from taskmcp.mcp.dispatch import Reply
from taskmcp.mcp.exchange import Exchange
from taskmcp.mcp.headers import accepts, is_json
from taskmcp.mcp.jsonrpc import (
    Era,
    NotAcceptable,
    PayloadTooLarge,
    Request,
    RequestTimeout,
    UnsupportedMediaType,
    parse_json,
)
from taskmcp.mcp.outbox import Outbox, progress_token_of
from taskmcp.mcp.sse import SseStream, StreamClosed
from taskmcp.mcp.streams import LiveStream
from taskmcp.resource.access import AccessInfo

__all__ = ["hold_open", "make_context", "read_json", "start_request", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _forgetter(request: web.Request) -> Callable[[], None]:
    token = request.get(BEARER_TOKEN)
    if token is None:
        return lambda: None
    cache = request.app[VERIFIER]
    return lambda: cache.forget(token)


async def read_json(request: web.Request) -> object:
    """The decoded body of an MCP POST (see the module docstring for the checks)."""
    wants_json, wants_sse = accepts(request.headers.get(hdrs.ACCEPT))
    if not (wants_json and wants_sse):
        raise NotAcceptable(
            "Not Acceptable: Accept must list application/json and text/event-stream"
        )
    if not is_json(request.headers.get(hdrs.CONTENT_TYPE)):
        raise UnsupportedMediaType("Unsupported Media Type: Content-Type must be application/json")
    limit = request.app[TRANSPORT].max_body
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"Payload Too Large: the limit is {limit} bytes")
    try:
        if request.content.is_eof():  # it arrived with the headers (the usual case)
            raw = await request.read()
        else:
            async with asyncio.timeout(request.app[TRANSPORT].body_timeout):
                raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(f"Payload Too Large: the limit is {limit} bytes") from None
    except TimeoutError:
        raise RequestTimeout("Request Timeout: the body did not arrive in time") from None
    return parse_json(raw)


def start_request(
    request: web.Request,
    message: Request,
    *,
    era: Era,
    version: str,
    access: AccessInfo,
    abandon: Callable[[asyncio.Task[Reply]], None],
    log_level: str | None,
    **context: Any,
) -> tuple[Exchange, asyncio.Task[Reply]]:
    """Dispatch ``message`` in its own task, wired to a fresh ``Exchange``."""
    app = request.app
    headers = {"MCP-Protocol-Version": version}
    exchange = Exchange(
        request, message.id, headers=headers, keepalive=app[TRANSPORT].keepalive, abandon=abandon
    )
    outbox = Outbox(
        exchange.post, progress_token=progress_token_of(message.params), log_level=log_level
    )
    ctx = make_context(request, era=era, version=version, access=access, outbox=outbox, **context)
    task = asyncio.create_task(app[MCP_SERVER].run(ctx, message), name=f"mcp {message.method}")
    return exchange, task


def make_context(
    request: web.Request,
    *,
    era: Era,
    version: str,
    access: AccessInfo,
    outbox: Outbox,
    **context: Any,
) -> CallContext:
    return CallContext(
        era=era,
        protocol_version=version,
        access=access,
        outbox=outbox,
        upstream=request.app[UPSTREAM],
        clock=utcnow,
        sessions=request.app[SESSIONS],
        forget_token=_forgetter(request),
        **context,
    )


async def hold_open(
    stream: SseStream,
    live: LiveStream,
    keepalive: float,
    still_valid: Callable[[], Awaitable[bool]] | None = None,
) -> None:
    """Send keep-alives until ``live`` is closed, the client leaves, or ``still_valid``
    says the stream lost its reason to exist."""
    try:
        while not live.closing.is_set():
            try:
                await asyncio.wait_for(live.closing.wait(), timeout=keepalive)
            except TimeoutError:
                if still_valid is not None and not await still_valid():
                    live.close("ended")
                    return
                await stream.comment()
    except StreamClosed:
        return

"""The modern era on ``/mcp``: 2026-07-28, stateless (mcp-protocol §5).

Every POST stands alone. Its validation ladder, first failure wins, every error
carrying the request's id:

1. one message, and not a client response (batches and responses → -32600);
2. no routing header sent twice (-32020);
3. ``params._meta`` carries the protocol version and client capabilities (-32602);
4. ``MCP-Protocol-Version`` equals the ``_meta`` version, ``Mcp-Method`` the method,
   ``Mcp-Name`` the ``name``/``uri`` of ``tools/call``, ``prompts/get`` and
   ``resources/read`` (-32020);
5. the version is served (-32022);
6. dispatch: unknown or removed method → 404 -32601; ``Mcp-Param-*`` checks.

Notifications → 202; ``notifications/cancelled`` only ends this user's
``subscriptions/listen`` stream with that id (a request is cancelled by closing its
response stream, which cancels its task). ``Mcp-Session-Id`` and ``Last-Event-ID``
are ignored: no sessions, no resumption.

``subscriptions/listen`` answers with an SSE stream whose first message is
``notifications/subscriptions/acknowledged`` (tagged with the subscription id = the
request id); past the user's stream limit it is 429 (``taskmcp.mcp.limits``). taskmcp
honours none of the notification types (its lists never change), so the acknowledged
set is empty; the stream then carries keep-alives, and on shutdown the final
``{resultType: "complete"}`` response.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from taskmcp.keys import LIMITS, STREAMS, TRANSPORT
from taskmcp.mcp.dispatch import Reply
from taskmcp.mcp.headers import (
    MCP_METHOD,
    MCP_NAME,
    MCP_PROTOCOL_VERSION,
    ROUTING_HEADERS,
    decode_value,
    duplicated_header,
    single_value,
)
from taskmcp.mcp.jsonrpc import (
    HeaderMismatch,
    InvalidParams,
    InvalidRequest,
    JsonObject,
    Notification,
    Request,
    Response,
    parse_message,
    request_id_of,
    result_message,
)
from taskmcp.mcp.sse import SseStream, StreamClosed
from taskmcp.mcp.streams import LiveStream
from taskmcp.mcp.transport import hold_open, start_request
from taskmcp.mcp.versions import (
    CLIENT_CAPABILITIES_META,
    LOG_LEVEL_META,
    MODERN_VERSIONS,
    PROTOCOL_VERSION_META,
    SUBSCRIPTION_ID_META,
    unsupported_version,
)
from taskmcp.resource.access import AccessInfo

__all__ = ["NAME_BEARING_METHODS", "post"]

NAME_BEARING_METHODS = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


def _meta(message: Request) -> JsonObject:
    meta = message.params.get("_meta")
    if not isinstance(meta, dict):
        raise InvalidParams(
            "Invalid params: params._meta must carry the protocol version and client capabilities",
            request_id=message.id,
        )
    missing = [key for key in (PROTOCOL_VERSION_META, CLIENT_CAPABILITIES_META) if key not in meta]
    if missing:
        raise InvalidParams(
            f"Invalid params: params._meta is missing {', '.join(missing)}", request_id=message.id
        )
    return meta


def _check_headers(request: web.Request, message: Request, version: object) -> None:
    headers = request.headers
    mismatch = None
    if single_value(headers, MCP_PROTOCOL_VERSION) != version:
        mismatch = f"{MCP_PROTOCOL_VERSION} header does not match the request's _meta version"
    elif single_value(headers, MCP_METHOD) != message.method:
        mismatch = f"{MCP_METHOD} header does not match the request's method"
    elif (key := NAME_BEARING_METHODS.get(message.method)) is not None:
        value = message.params.get(key)
        if value is not None and decode_value(single_value(headers, MCP_NAME)) != value:
            mismatch = f"{MCP_NAME} header does not match the request's {key}"
    if mismatch is not None:
        raise HeaderMismatch(mismatch, request_id=message.id)


def _validate(request: web.Request, message: Request) -> tuple[str, JsonObject]:
    """Ladder rungs 2 to 5; the served version and the ``_meta`` object."""
    duplicated = duplicated_header(request.headers, ROUTING_HEADERS)
    if duplicated is not None:
        raise HeaderMismatch(f"{duplicated} header appears more than once", request_id=message.id)
    meta = _meta(message)
    version = meta[PROTOCOL_VERSION_META]
    _check_headers(request, message, version)
    if not isinstance(version, str) or version not in MODERN_VERSIONS:
        error = unsupported_version(version)
        error.request_id = message.id
        raise error
    if not isinstance(meta[CLIENT_CAPABILITIES_META], dict):
        raise InvalidParams(
            "Invalid params: client capabilities must be an object", request_id=message.id
        )
    return version, meta


def _cancel_listen(request: web.Request, access: AccessInfo, message: Notification) -> None:
    if message.method == "notifications/cancelled":
        target = request_id_of({"id": message.params.get("requestId")})
        if target is not None:
            request.app[STREAMS].close_listen(access.sub, target)


async def _listen(
    request: web.Request, access: AccessInfo, message: Request, version: str
) -> web.StreamResponse:
    if not isinstance(message.params.get("notifications"), dict):
        raise InvalidParams(
            "Invalid params: notifications must be an object", request_id=message.id
        )
    tag = {SUBSCRIPTION_ID_META: message.id}
    hub = request.app[STREAMS]
    request.app[LIMITS].admit_stream(hub, access.sub, message.id)
    live = LiveStream("listen", owner=access.sub, request_id=message.id)
    hub.add(live)
    try:
        stream = await SseStream.open(request, {MCP_PROTOCOL_VERSION: version})
    except StreamClosed:
        hub.discard(live)
        return web.Response()
    try:
        ack: JsonObject = {"notifications": {}, "_meta": tag}
        await stream.send(
            {"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged", "params": ack}
        )
        await hold_open(stream, live, request.app[TRANSPORT].keepalive)
        if live.reason == "shutdown":
            await stream.send(result_message(message.id, {"resultType": "complete", "_meta": tag}))
    except StreamClosed:
        pass
    finally:
        hub.discard(live)
        await stream.close()
    return stream.response


def _cancel(task: asyncio.Task[Reply]) -> None:
    """Closing the response stream cancels the request (2026-07-28, §5.1)."""
    task.cancel()


async def post(request: web.Request, access: AccessInfo, body: object) -> web.StreamResponse:
    if isinstance(body, list):
        raise InvalidRequest("Invalid Request: batches are not allowed in 2026-07-28")
    message = parse_message(body)
    if isinstance(message, Response):
        raise InvalidRequest("Invalid Request: clients must not send responses in 2026-07-28")
    if isinstance(message, Notification):
        _cancel_listen(request, access, message)
        return web.Response(status=202)
    version, meta = _validate(request, message)
    if message.method == "subscriptions/listen":
        return await _listen(request, access, message, version)
    log_level: Any = meta.get(LOG_LEVEL_META)
    exchange, task = start_request(
        request,
        message,
        era="modern",
        version=version,
        access=access,
        abandon=_cancel,
        log_level=log_level if isinstance(log_level, str) else None,
        client_capabilities=meta[CLIENT_CAPABILITIES_META],
        headers=request.headers,
    )
    return await exchange.respond(task)

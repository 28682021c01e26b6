"""The legacy era on ``/mcp``: 2025-03-26, 2025-06-18, 2025-11-25 (mcp-protocol §4).

* ``initialize`` opens a session bound to the caller and answers with its
  ``Mcp-Session-Id``; every later request needs the id (missing → 400; unknown,
  expired, ended or another user's → 404).
* Notifications and client responses → 202. ``notifications/cancelled`` stops the
  named request of this session (all of them, if the client reused the id).
* JSON-RPC batches only inside a 2025-03-26 session; they are answered with one JSON
  array (their progress and log notifications are not delivered).
* GET opens the session's one standalone SSE stream (409 for a second one; 429 past
  the user's stream limit, ``taskmcp.mcp.limits``): taskmcp sends nothing unprompted,
  so it carries keep-alives until DELETE, expiry or shutdown.
* DELETE ends the session (204) and closes its stream.
* A client that disconnects does not cancel its request (§4.4): it finishes detached.
"""

from __future__ import annotations

import asyncio
import dataclasses

from aiohttp import hdrs, web

from taskmcp.keys import LIMITS, MCP_SERVER, SESSIONS, STREAMS, TASKS, TRANSPORT
from taskmcp.mcp.headers import MCP_PROTOCOL_VERSION, MCP_SESSION_ID, accepts, single_value
from taskmcp.mcp.jsonrpc import (
    InvalidParams,
    InvalidRequest,
    JsonObject,
    Message,
    NotAcceptable,
    Notification,
    Request,
    SessionNotFound,
    SessionRequired,
    StreamConflict,
    error_message,
    parse_message,
    result_message,
)
from taskmcp.mcp.outbox import Outbox
from taskmcp.mcp.server_info import initialize_result
from taskmcp.mcp.sessions import Session
from taskmcp.mcp.sse import SseStream, StreamClosed
from taskmcp.mcp.streams import LiveStream
from taskmcp.mcp.transport import hold_open, make_context, start_request
from taskmcp.mcp.versions import DEFAULT_LEGACY_VERSION, negotiate_legacy
from taskmcp.resource.access import AccessInfo

__all__ = ["delete_session", "open_stream", "post"]


async def _session(request: web.Request, access: AccessInfo) -> Session:
    session_id = single_value(request.headers, MCP_SESSION_ID)
    if not session_id:
        raise SessionRequired("Bad Request: Mcp-Session-Id header is required")
    session = await request.app[SESSIONS].get(session_id, access.sub)
    if session is None:
        raise SessionNotFound("Session not found")
    return session


async def _initialize(request: web.Request, access: AccessInfo, message: Request) -> web.Response:
    params = message.params
    if not isinstance(params.get("protocolVersion"), str):
        raise InvalidParams("Invalid params: protocolVersion is required", request_id=message.id)
    version = negotiate_legacy(params["protocolVersion"])
    capabilities, client_info = params.get("capabilities"), params.get("clientInfo")
    session = await request.app[SESSIONS].create(
        access.sub,
        protocol_version=version,
        client_capabilities=capabilities if isinstance(capabilities, dict) else {},
        client_info=client_info if isinstance(client_info, dict) else {},
    )
    headers = {MCP_SESSION_ID: session.id, MCP_PROTOCOL_VERSION: version}
    body = result_message(message.id, initialize_result(version))
    return web.json_response(body, headers=headers)


async def _accept(request: web.Request, session: Session, message: Message) -> None:
    """Act on a notification (a client response needs nothing: we send no requests)."""
    if not isinstance(message, Notification):
        return
    if message.method == "notifications/initialized" and not session.initialized:
        await request.app[SESSIONS].save(dataclasses.replace(session, initialized=True))
    elif message.method == "notifications/cancelled":
        target = message.params.get("requestId")
        if isinstance(target, str | int) and not isinstance(target, bool):
            request.app[TASKS].cancel((session.id, target))


async def _request(
    request: web.Request, access: AccessInfo, session: Session, message: Request
) -> web.StreamResponse:
    exchange, task = start_request(
        request,
        message,
        era="legacy",
        version=session.protocol_version,
        access=access,
        abandon=request.app[TASKS].detach,
        log_level=session.log_level,
        client_capabilities=session.client_capabilities,
        session=session,
    )
    request.app[TASKS].track((session.id, message.id), task)
    return await exchange.respond(task)


async def _batch_reply(
    request: web.Request, access: AccessInfo, session: Session, item: object
) -> JsonObject | None:
    try:
        message = parse_message(item)
        if isinstance(message, Request) and message.method == "initialize":
            raise InvalidRequest("initialize must not be part of a batch", request_id=message.id)
    except InvalidRequest as error:
        return error_message(error, "legacy")
    if not isinstance(message, Request):
        await _accept(request, session, message)
        return None
    ctx = make_context(
        request,
        era="legacy",
        version=session.protocol_version,
        access=access,
        outbox=Outbox(lambda _: None),
        client_capabilities=session.client_capabilities,
        session=session,
    )
    return (await request.app[MCP_SERVER].run(ctx, message)).message


async def _batch(request: web.Request, access: AccessInfo, items: list[object]) -> web.Response:
    session = await _session(request, access)
    if session.protocol_version != DEFAULT_LEGACY_VERSION or not items:
        raise InvalidRequest(
            f"Invalid Request: batches are not allowed in {session.protocol_version}"
        )
    replies = await asyncio.gather(*(_batch_reply(request, access, session, i) for i in items))
    answered = [reply for reply in replies if reply is not None]
    if not answered:
        return web.Response(status=202)
    return web.json_response(answered)


async def post(request: web.Request, access: AccessInfo, body: object) -> web.StreamResponse:
    if isinstance(body, list):
        return await _batch(request, access, body)
    message = parse_message(body)
    if isinstance(message, Request) and message.method == "initialize":
        return await _initialize(request, access, message)
    session = await _session(request, access)
    if not isinstance(message, Request):
        await _accept(request, session, message)
        return web.Response(status=202)
    return await _request(request, access, session, message)


async def open_stream(request: web.Request, access: AccessInfo) -> web.StreamResponse:
    if not accepts(request.headers.get(hdrs.ACCEPT))[1]:
        raise NotAcceptable("Not Acceptable: Accept must list text/event-stream")
    session = await _session(request, access)
    hub = request.app[STREAMS]
    if hub.session_stream(session.id) is not None:
        raise StreamConflict("Conflict: only one GET stream is allowed per session")
    request.app[LIMITS].admit_stream(hub, access.sub, None)
    live = LiveStream("get", owner=access.sub, session_id=session.id)
    hub.add(live)
    try:
        stream = await SseStream.open(request, {MCP_PROTOCOL_VERSION: session.protocol_version})
    except StreamClosed:
        hub.discard(live)
        return web.Response()
    sessions = request.app[SESSIONS]

    async def still_valid() -> bool:
        return await sessions.get(session.id, access.sub) is not None

    try:
        await hold_open(stream, live, request.app[TRANSPORT].keepalive, still_valid)
    finally:
        hub.discard(live)
        await stream.close()
    return stream.response


async def delete_session(request: web.Request, access: AccessInfo) -> web.Response:
    session = await _session(request, access)
    await request.app[SESSIONS].delete(session.id, access.sub)
    request.app[STREAMS].close_session(session.id)
    return web.Response(status=204)

"""The Streamable HTTP endpoint: POST, GET and DELETE on ``/mcp`` (and ``/mcp/``, with
no redirect between them), serving both eras on one URL (mcp-protocol §2).

Every method authenticates first (§3, §8), then picks the era:

==================================================  ==============================
request                                             outcome
==================================================  ==============================
POST, ``MCP-Protocol-Version: 2026-07-28``          modern (``modern.post``)
POST, a legacy version header, or none              legacy (``legacy.post``)
POST, any other version header                      400 -32022
POST, no header, modern ``_meta`` in the body       400 -32020
GET/DELETE, modern header or no session id          405, ``Allow: POST``
GET/DELETE, other unknown version header            400 -32022
GET/DELETE with a session id                        legacy: stream / end session
==================================================  ==============================

The chosen era is stored in the request (``ERA``) so that the error middleware can
pick the era's HTTP status for an error. Every authenticated request then counts
against its user's limits (``taskmcp.mcp.limits``; 429 beyond).
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.keys import ERA, LIMITS
from taskmcp.mcp import legacy, modern
from taskmcp.mcp.headers import MCP_PROTOCOL_VERSION, MCP_SESSION_ID, single_value
from taskmcp.mcp.jsonrpc import Era, MethodNotAllowed, request_id_of
from taskmcp.mcp.transport import read_json
from taskmcp.mcp.versions import LEGACY_VERSIONS, MODERN_VERSIONS, era_for_post, unsupported_version
from taskmcp.resource.bearer import authenticate

__all__ = ["MCP_PATHS", "handle_delete", "handle_get", "handle_post"]

MCP_PATHS = ("/mcp", "/mcp/")


async def handle_post(request: web.Request) -> web.StreamResponse:
    access = await authenticate(request)
    body = await read_json(request)
    era: Era = era_for_post(single_value(request.headers, MCP_PROTOCOL_VERSION), body)
    request[ERA] = era
    request.app[LIMITS].admit(access.sub, body, request_id_of(body))
    if era == "modern":
        return await modern.post(request, access, body)
    return await legacy.post(request, access, body)


def _stream_era(request: web.Request) -> None:
    """GET/DELETE: only a legacy session has a stream or can be ended."""
    version = single_value(request.headers, MCP_PROTOCOL_VERSION)
    if version in MODERN_VERSIONS or not single_value(request.headers, MCP_SESSION_ID):
        raise MethodNotAllowed("Method Not Allowed: 2026-07-28 servers accept POST only")
    if version is not None and version not in LEGACY_VERSIONS:
        raise unsupported_version(version)
    request[ERA] = "legacy"


async def handle_get(request: web.Request) -> web.StreamResponse:
    access = await authenticate(request)
    _stream_era(request)
    request.app[LIMITS].admit(access.sub, None, None)
    return await legacy.open_stream(request, access)


async def handle_delete(request: web.Request) -> web.StreamResponse:
    access = await authenticate(request)
    _stream_era(request)
    request.app[LIMITS].admit(access.sub, None, None)
    return await legacy.delete_session(request, access)

"""The resource app's one error renderer (style rule 20): handlers raise, this answers.

* ``AuthError`` → its status, ``WWW-Authenticate`` (401/403) or ``Retry-After`` (503),
  and an RFC 6750-style JSON body ``{"error", "error_description"}``.
* ``JsonRpcError`` → a JSON-RPC error object with the status of the request's era
  (``ERA`` once the transport has picked it) and the error's extra headers.
* Anything else → logged with its traceback; 500 with a generic -32603.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from taskmcp.keys import ERA, RESOURCE_SETTINGS
from taskmcp.mcp.jsonrpc import InternalError, JsonRpcError, error_message
from taskmcp.resource.bearer import challenge
from taskmcp.resource.errors import RETRY_AFTER, AuthError

__all__ = ["error_middleware"]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _auth_response(request: web.Request, error: AuthError) -> web.Response:
    headers: dict[str, str] = {"Cache-Control": "no-store"}
    www_authenticate = challenge(error, request.app[RESOURCE_SETTINGS])
    if www_authenticate is not None:
        headers["WWW-Authenticate"] = www_authenticate
    else:
        headers["Retry-After"] = str(RETRY_AFTER)
    body: dict[str, str] = {"error_description": error.description}
    if error.error is not None:
        body = {"error": error.error, **body}
    return web.json_response(body, status=error.status, headers=headers)


def _jsonrpc_response(request: web.Request, error: JsonRpcError) -> web.Response:
    era = request.get(ERA)
    status = error.status_for(era)
    return web.json_response(error_message(error, era), status=status, headers=error.http_headers())


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except AuthError as error:
        return _auth_response(request, error)
    except JsonRpcError as error:
        return _jsonrpc_response(request, error)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        internal = InternalError("Internal error")
        return web.json_response(error_message(internal, None), status=500)

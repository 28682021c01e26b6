"""Per-request observation: the request id, the route label, HTTP metrics, and the
fields of the access log line (``taskmcp.logs.AccessLogger`` writes it).

* **Request id**: an incoming ``X-Request-Id`` is kept when it is a short safe token
  (``REQUEST_ID_RE``), otherwise a new random one is made. It is stored on the request
  (``REQUEST_ID``), set in ``CURRENT_REQUEST_ID`` for every log record written while
  the handler runs, and echoed in the response's ``X-Request-Id`` (``on_response_prepare``,
  so streamed and error responses carry it too).
* **Route**: the matched route *pattern* (``/mcp``, ``/.well-known/…``), or
  ``unmatched``; never the raw path, never the query string.
* **Client id**: handlers that learn the OAuth client record it with ``note_client``
  (the authorization server: the client of the request; the resource server: the
  token's ``client_id``).
* A handler cancelled because its client went away counts as status 499.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from taskmcp.keys import CLIENT_ID, METRICS, REQUEST_ID
from taskmcp.observability.logformat import CURRENT_REQUEST_ID
from taskmcp.observability.metrics import UNMATCHED, method_label

__all__ = [
    "CLIENT_CLOSED",
    "REQUEST_ID_HEADER",
    "access_fields",
    "echo_request_id",
    "note_client",
    "observe",
    "request_id_from",
    "route_label",
]

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
CLIENT_CLOSED = 499
_LOG_SAFE = re.compile(r"[\x21-\x7e]{1,200}")


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a short safe token, else a fresh random one."""
    if header is not None and REQUEST_ID_RE.fullmatch(header):
        return header
    return secrets.token_hex(16)


def route_label(request: web.BaseRequest) -> str:
    if not isinstance(request, web.Request):
        return UNMATCHED
    try:
        resource = request.match_info.route.resource
    except (AssertionError, AttributeError):  # refused by aiohttp before routing (400)
        return UNMATCHED
    return resource.canonical if resource is not None else UNMATCHED


def note_client(request: web.Request, client_id: str) -> None:
    """Record the OAuth client of this request for the access log."""
    if not client_id:
        return
    request[CLIENT_ID] = client_id if _LOG_SAFE.fullmatch(client_id) else "(unprintable)"


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost middleware: request id, then the HTTP metrics of the final status."""
    request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    request[REQUEST_ID] = request_id
    reset = CURRENT_REQUEST_ID.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_CLOSED
        raise
    finally:
        elapsed = time.perf_counter() - started
        request.app[METRICS].observe_request(
            route_label(request), method_label(request.method), status, elapsed
        )
        CURRENT_REQUEST_ID.reset(reset)


async def echo_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: every response names its request."""
    request_id = request.get(REQUEST_ID)
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id


def access_fields(
    request: web.BaseRequest, response: web.StreamResponse, seconds: float
) -> dict[str, str | int | float]:
    """The structured fields of one access log line (never a query string or token)."""
    fields: dict[str, str | int | float] = {
        "method": method_label(request.method),
        "route": route_label(request),
        "status": response.status,
        "duration_ms": round(seconds * 1000, 1),
    }
    for key, name in ((REQUEST_ID, "request_id"), (CLIENT_ID, "client_id")):
        value = request.get(key)
        if value is not None:
            fields[name] = value
    return fields

"""The stand-in's exception tree and the one middleware that renders it (§1.2).

::

    StandinError                 raised by handlers; rendered only by error_middleware
    ├── ApiError                 a §1.2 Problem in the revision's envelope
    ├── DatabaseFailure          500: DEC empty body without headers, JAN SERVER_001
    ├── BareFailure              500 with an empty body on both revisions
    ├── FlatError                the same JSON on both (search, client registration, userinfo)
    ├── PlainTextError           text/plain;charset=UTF-8 (authorize errors, "Server error")
    └── TokenError               RFC 6749 §5.2 ``error``/``error_description`` (token endpoint)

A store ``ConstraintError`` renders as a ``DatabaseFailure``. Unknown routes and
methods get TaskManager's 404 HTML page (§1.2); anything unexpected is logged and
answered with 500 ``Server error``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from aiohttp.typedefs import Handler

from taskmcp.standin.envelopes import JsonObject, Problem, bare_response, json_response
from taskmcp.standin.keys import REVISION
from taskmcp.standin.store import ConstraintError
from taskmcp.standin.templating import render

__all__ = [
    "ApiError",
    "BareFailure",
    "DatabaseFailure",
    "FlatError",
    "PlainTextError",
    "StandinError",
    "TokenError",
    "error_middleware",
    "plain_text",
]

PLAIN_TEXT = "text/plain;charset=UTF-8"
log = logging.getLogger(__name__)


class StandinError(Exception):
    """Base of every failure a stand-in handler raises."""


class ApiError(StandinError):
    def __init__(
        self,
        problem: Problem,
        *,
        details: JsonObject | None = None,
        dec_message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(problem.message)
        self.problem, self.details, self.dec_message = problem, details, dec_message
        self.headers = headers


class DatabaseFailure(StandinError):
    """``message`` is what PostgreSQL (or Node) would have said."""


class BareFailure(StandinError):
    pass


class FlatError(StandinError):
    def __init__(self, status: int, body: JsonObject) -> None:
        super().__init__(str(body))
        self.status, self.body = status, body


class PlainTextError(StandinError):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


class TokenError(StandinError):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description


def plain_text(text: str, *, status: int) -> web.Response:
    return web.Response(body=text.encode(), status=status, headers={"Content-Type": PLAIN_TEXT})


def _render(request: web.Request, exc: StandinError) -> web.Response:
    revision = request.app[REVISION]
    match exc:
        case ApiError():
            return revision.problem(
                exc.problem, details=exc.details, dec_message=exc.dec_message, headers=exc.headers
            )
        case DatabaseFailure():
            return revision.failure(str(exc))
        case FlatError():
            return json_response(exc.body, status=exc.status)
        case PlainTextError():
            return plain_text(exc.text, status=exc.status)
        case TokenError():
            body = {"error": exc.error, "error_description": exc.description}
            return json_response(body, status=exc.status)
    return bare_response()


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return render(request, "not_found.html", status=404)
    except web.HTTPException:
        raise
    except StandinError as exc:
        return _render(request, exc)
    except ConstraintError as exc:
        return request.app[REVISION].failure(str(exc))
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return plain_text("Server error", status=500)

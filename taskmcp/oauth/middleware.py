"""The one place where the authorization server turns errors into responses
(style rule 20, 21; checklist §12, S5, T13).

* ``OAuthError`` → RFC 6749 §5.2 JSON with its status; ``invalid_client`` after Basic
  authentication adds ``WWW-Authenticate: Basic``; 429/503 add ``Retry-After``.
* ``PageError`` → the HTML error page (browser-facing endpoints never redirect on
  these).
* aiohttp's own HTTP exceptions (404, 405, 413, redirects) pass through.
* Anything else is logged with its traceback and answered ``server_error`` (JSON) or
  a generic HTML page, with no detail.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from taskmcp.keys import OAUTH
from taskmcp.oauth.authorize import PageError
from taskmcp.oauth.errors import OAuthError, ServerError

__all__ = ["BROWSER_PATHS", "oauth_errors"]

log = logging.getLogger(__name__)
BROWSER_PATHS = frozenset({"/authorize", "/authorize/consent", "/oauth/callback"})
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _json_error(error: OAuthError) -> web.Response:
    headers = dict(_NO_STORE)
    if error.status == 401 and error.basic_auth_used:
        headers["WWW-Authenticate"] = 'Basic realm="taskmcp"'
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return web.json_response(error.body(), status=error.status, headers=headers)


@web.middleware
async def oauth_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except PageError as exc:
        return request.app[OAUTH].pages.error(exc.title, exc.message, status=exc.status)
    except OAuthError as exc:
        if request.path in BROWSER_PATHS:
            response = request.app[OAUTH].pages.error(
                "Request refused", exc.description or exc.error, status=exc.status
            )
            if exc.retry_after is not None:
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return _json_error(exc)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if request.path in BROWSER_PATHS:
            return request.app[OAUTH].pages.error(
                "Something went wrong", "Please try again later.", status=500
            )
        return _json_error(ServerError())

"""Who may call what (§2.3 to §2.6): the middleware in front of every protected path.

* Public paths (§2.3) pass through; the OAuth authorize endpoints and the consent page
  check the session cookie themselves, and ``/api/oauth/userinfo`` answers 401 on its
  own (§2.5).
* JAN: ``Authorization: Bearer <token>`` (scheme case-sensitive) wins over the cookie
  when the token is a live user token; otherwise the cookie is tried (§2.6). Tokens
  from the client_credentials grant have no user and never authenticate.
* DEC ignores ``Authorization`` entirely.
* Everything else unauthenticated, whatever the method or ``Accept``: 302 to
  ``http://<Host>/login?return_to=<encoded path?query>`` with an empty body and none of
  the security headers (§2.5).
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler

from taskmcp.standin.caller import Caller
from taskmcp.standin.clock import iso_ms
from taskmcp.standin.keys import CALLER, CLOCK, REVISION, STORE
from taskmcp.standin.sessions import session_user
from taskmcp.standin.tokens import digest

__all__ = ["PUBLIC_PATHS", "auth_gate", "bearer_user", "caller", "login_location"]

PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/register",
        "/api/auth/login",
        "/api/auth/register",
        "/api/oauth/token",
        "/api/oauth/authorize",
        "/api/oauth/userinfo",
        "/oauth/authorize",
    }
)
# What JavaScript's encodeURIComponent leaves alone besides letters, digits and "-_.~".
_URI_COMPONENT_SAFE = "!'()*"


def login_location(request: web.Request) -> str:
    """Absolute, on the request's own ``Host``, carrying the raw path and query."""
    return_to = quote(request.raw_path, safe=_URI_COMPONENT_SAFE)
    return f"http://{request.host}/login?return_to={return_to}"


async def bearer_user(request: web.Request) -> int | None:
    """The user of a live ``Authorization: Bearer`` access token, else ``None``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not token:
        return None
    now = iso_ms(request.app[CLOCK]())
    return await request.app[STORE].grants.access_token_user(digest(token), now=now)


async def _identify(request: web.Request) -> Caller | None:
    if request.app[REVISION].accepts_bearer:
        user_id = await bearer_user(request)
        if user_id is not None:
            return Caller(user_id, "bearer")
    user_id = await session_user(request)
    return None if user_id is None else Caller(user_id, "session")


@web.middleware
async def auth_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    who = await _identify(request)
    if who is None:
        return web.Response(status=302, headers={"Location": login_location(request)})
    request[CALLER] = who
    return await handler(request)


def caller(request: web.Request) -> Caller:
    """The authenticated caller of a protected handler (set by ``auth_gate``)."""
    return request[CALLER]

"""``/api/auth/*``: login, logout, registration (§2.1, §2.2).

Login takes JSON only. Bad credentials → 401, a missing field → 400, a body that is
not JSON → 401 (DEC shows Node's parse message). JAN limits failures per bucket
(``taskmcp.standin.ratelimit``): a limited bucket gets 429 ``RATE_001`` with
``Retry-After``, even for the right password. Success sets the session cookie.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.standin import envelopes as e
from taskmcp.standin.bodies import NotJsonError, js_truthy, read_json
from taskmcp.standin.envelopes import json_response
from taskmcp.standin.errors import ApiError
from taskmcp.standin.keys import CLOCK, LIMITER, REVISION, STORE
from taskmcp.standin.passwords import verify_password
from taskmcp.standin.ratelimit import bucket_key
from taskmcp.standin.sessions import clear_session_cookie, end_session, start_session
from taskmcp.standin.store import User

__all__ = ["attempt_login", "check_rate_limit", "login", "logout", "register"]


def check_rate_limit(request: web.Request) -> None:
    """JAN: refuse the attempt while the caller's bucket is limited."""
    if not request.app[REVISION].limits_logins:
        return
    key, now = bucket_key(request.headers), request.app[CLOCK]()
    retry_after = request.app[LIMITER].retry_after(key, now)
    if retry_after is not None:
        raise ApiError(
            e.RATE_LIMITED,
            details={"retryAfter": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


async def attempt_login(request: web.Request, username: str, password: str) -> User:
    """The user for these credentials; a failure counts toward the rate limit."""
    check_rate_limit(request)
    user = await request.app[STORE].users.by_username(username)
    limiter, key = request.app[LIMITER], bucket_key(request.headers)
    verified = await verify_password(user.password_hash if user else None, password)
    if user is None or not verified:
        if request.app[REVISION].limits_logins:
            limiter.record_failure(key, request.app[CLOCK]())
        raise ApiError(e.INVALID_CREDENTIALS)
    limiter.clear(key)
    return user


async def login(request: web.Request) -> web.Response:
    check_rate_limit(request)
    try:
        body = await read_json(request)
    except NotJsonError as exc:
        raise ApiError(e.INVALID_CREDENTIALS, dec_message=str(exc)) from None
    fields = body if isinstance(body, dict) else {}
    username, password = fields.get("username"), fields.get("password")
    if not js_truthy(username):
        raise ApiError(e.USERNAME_REQUIRED)
    if not js_truthy(password):
        raise ApiError(e.PASSWORD_REQUIRED)
    user = await attempt_login(request, str(username), str(password))
    response = json_response(request.app[REVISION].login(user))
    await start_session(request, response, user.id)
    return response


async def logout(request: web.Request) -> web.Response:
    """Ends the cookie's session; a JAN Bearer token used here stays valid (§2.2)."""
    await end_session(request)
    response = json_response({"success": True})
    clear_session_cookie(response)
    return response


async def register(request: web.Request) -> web.Response:
    raise ApiError(e.REGISTRATION_DISABLED)

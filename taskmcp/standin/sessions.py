"""The ``session`` cookie (§2.1, §2.2, §2.4).

The value is a random UUID naming a server-side session that lasts 7 days. The header
is written by hand so it matches upstream byte for byte:
``session=<uuid>; HttpOnly; SameSite=Lax; Path=/; Expires=<IMF-fixdate>`` (no
``Max-Age``). Logout sends the same attributes with an empty value and the epoch.
A garbage, expired or logged-out value behaves exactly like no cookie.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from aiohttp import web

from taskmcp.standin.clock import cookie_date, iso_ms
from taskmcp.standin.keys import CLOCK, STORE

__all__ = [
    "COOKIE",
    "LIFETIME",
    "clear_session_cookie",
    "end_session",
    "session_user",
    "start_session",
]

COOKIE = "session"
LIFETIME = timedelta(days=7)
_ATTRIBUTES = "HttpOnly; SameSite=Lax; Path=/"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def start_session(request: web.Request, response: web.StreamResponse, user_id: int) -> None:
    """Create a session for ``user_id`` and set its cookie on ``response``."""
    session_id, expires = str(uuid.uuid4()), request.app[CLOCK]() + LIFETIME
    await request.app[STORE].sessions.create(session_id, user_id, expires_at=iso_ms(expires))
    response.headers.add(
        "Set-Cookie", f"{COOKIE}={session_id}; {_ATTRIBUTES}; Expires={cookie_date(expires)}"
    )


async def session_user(request: web.Request) -> int | None:
    """The user of the request's live session cookie, else ``None``."""
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    now = iso_ms(request.app[CLOCK]())
    return await request.app[STORE].sessions.user_id(session_id, now=now)


async def end_session(request: web.Request) -> None:
    """Delete the session named by the request's cookie, if any."""
    session_id = request.cookies.get(COOKIE)
    if session_id:
        await request.app[STORE].sessions.delete(session_id)


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.headers.add("Set-Cookie", f"{COOKIE}=; {_ATTRIBUTES}; Expires={cookie_date(_EPOCH)}")

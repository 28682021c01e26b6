"""HTML pages: login, registration notice, home (§2.3). All say "Development stand-in".

TaskManager's login page posts with JavaScript to ``/api/auth/login``; the stand-in's
works without JavaScript: the form posts to ``POST /login``, which uses the same
credential check and rate limit, sets the session cookie and answers 303 to
``return_to`` when that is a local path (``/…`` but not ``//…`` or ``/\\…``), else to
``/``. A refused login re-renders the form with the reason.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.standin.auth_api import attempt_login
from taskmcp.standin.auth_gate import caller
from taskmcp.standin.errors import ApiError
from taskmcp.standin.keys import REVISION, STORE
from taskmcp.standin.sessions import start_session
from taskmcp.standin.templating import render

__all__ = ["home", "login_form", "login_page", "register_page", "safe_return_to"]

LOGIN_ERRORS = {
    "invalid_client": "The application that sent you here is not registered.",
    "invalid_redirect_uri": "The application's redirect URI is not registered.",
    "invalid_request": "The authorization request is incomplete.",
}


def safe_return_to(value: object) -> str:
    """``value`` if it is a path on this server, else ``/`` (no open redirect)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def _login(request: web.Request, return_to: str, error: str | None, status: int) -> web.Response:
    return render(
        request,
        "login.html",
        status=status,
        return_to=return_to,
        error=error,
        revision=request.app[REVISION].name,
    )


async def login_page(request: web.Request) -> web.Response:
    error = LOGIN_ERRORS.get(request.query.get("error", ""))
    return _login(request, request.query.get("return_to", "/"), error, 200)


async def login_form(request: web.Request) -> web.Response:
    form = await request.post()
    username, password = form.get("username"), form.get("password")
    return_to = safe_return_to(form.get("return_to"))
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        return _login(request, return_to, "Enter a username and a password.", 400)
    try:
        user = await attempt_login(request, username, password)
    except ApiError as exc:
        return _login(request, return_to, exc.problem.message, exc.problem.status)
    response = web.Response(status=303, headers={"Location": return_to})
    await start_session(request, response, user.id)
    return response


async def register_page(request: web.Request) -> web.Response:
    return render(request, "register.html")


async def home(request: web.Request) -> web.Response:
    user = await request.app[STORE].users.by_id(caller(request).user_id)
    username = user.username if user else "unknown"
    return render(request, "home.html", username=username, revision=request.app[REVISION].name)

"""The consent page ``GET /oauth/authorize`` (§3.4).

It checks the session cookie itself (none → the login redirect with ``return_to``),
then the parameters: an unknown client → 302 ``/login?error=invalid_client``, an
unregistered redirect → ``/login?error=invalid_redirect_uri`` (relative URLs, as
upstream), missing parameters → ``/login?error=invalid_request``. Otherwise it shows
"Authorize Application", the scopes, and a form that posts to
``/api/oauth/authorize`` with hidden fields and ``action`` allow/deny buttons. Like
upstream there is no CSRF token.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.standin.auth_gate import login_location
from taskmcp.standin.keys import STORE
from taskmcp.standin.oauth_authorize import DEFAULT_SCOPE, check_request
from taskmcp.standin.sessions import session_user
from taskmcp.standin.templating import render

__all__ = ["SCOPE_DESCRIPTIONS", "consent_page"]

SCOPE_DESCRIPTIONS = {
    "read": "Read your todos and projects",
    "write": "Create, update and delete your todos and projects",
}
HIDDEN = ("client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")


def _found(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location})


async def consent_page(request: web.Request) -> web.Response:
    if await session_user(request) is None:
        return _found(login_location(request))
    store, params = request.app[STORE], request.query
    verdict = await check_request(store, params)
    if verdict != "ok":
        return _found(f"/login?error={verdict}")
    client = await store.clients.get(params["client_id"])
    scope = params.get("scope") or DEFAULT_SCOPE
    hidden = {name: params.get(name, "") for name in HIDDEN if params.get(name)}
    scopes = [(name, SCOPE_DESCRIPTIONS.get(name, name)) for name in scope.split()]
    return render(
        request,
        "consent.html",
        client_name=client.name if client else params["client_id"],
        scopes=scopes,
        hidden=hidden | {"scope": scope},
    )

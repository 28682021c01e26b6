"""``/api/oauth/authorize``: the authorization request and the consent decision
(§3.3, §3.5). Both need the session **cookie**; a JAN Bearer token does not count.

GET validates (400 ``text/plain``), then sends the browser to the consent page with
the parameters normalised: ``scope`` defaults to ``read`` and is re-encoded with
``+``; ``state`` and PKCE pass through; anything else (``resource``, ``nonce``) drops.

POST (a form) turns ``action=allow`` into a 10-minute, single-use code and
``action=deny`` into ``error=access_denied``. It does **not** re-check the redirect
URI, the scope or the client's grant types, exactly like upstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Literal
from urllib.parse import urlencode

from aiohttp import web

from taskmcp.standin.auth_gate import login_location
from taskmcp.standin.clock import iso_ms
from taskmcp.standin.errors import BareFailure, PlainTextError
from taskmcp.standin.keys import CLOCK, STORE
from taskmcp.standin.sessions import session_user
from taskmcp.standin.store import AuthCode, StandinStore
from taskmcp.standin.tokens import digest, new_token

__all__ = ["CODE_LIFETIME", "Verdict", "authorize_decision", "authorize_request", "check_request"]

CODE_LIFETIME = timedelta(minutes=10)
DEFAULT_SCOPE = "read"
Verdict = Literal["ok", "invalid_request", "invalid_client", "invalid_redirect_uri"]
_MESSAGES: Mapping[Verdict, str] = {
    "invalid_request": "Invalid request parameters",
    "invalid_client": "Invalid client",
    "invalid_redirect_uri": "Invalid redirect URI",
}
_PASSED_THROUGH = ("state", "code_challenge", "code_challenge_method")


async def check_request(store: StandinStore, params: Mapping[str, str]) -> Verdict:
    """The checks shared by this endpoint and the consent page."""
    client_id, redirect_uri = params.get("client_id"), params.get("redirect_uri")
    if not client_id or not redirect_uri or params.get("response_type") != "code":
        return "invalid_request"
    client = await store.clients.get(client_id)
    if client is None:
        return "invalid_client"
    return "ok" if redirect_uri in client.redirect_uris else "invalid_redirect_uri"


def normalised_query(params: Mapping[str, str]) -> str:
    query = {
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        "response_type": "code",
        "scope": params.get("scope") or DEFAULT_SCOPE,
    }
    query |= {name: params[name] for name in _PASSED_THROUGH if params.get(name)}
    return urlencode(query)


def _found(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location})


async def authorize_request(request: web.Request) -> web.Response:
    if await session_user(request) is None:
        return _found(login_location(request))
    verdict = await check_request(request.app[STORE], request.query)
    if verdict != "ok":
        raise PlainTextError(400, _MESSAGES[verdict])
    return _found(f"http://{request.host}/oauth/authorize?{normalised_query(request.query)}")


def with_params(uri: str, params: Mapping[str, str | None]) -> str:
    """Append form-encoded parameters, with ``&`` when ``uri`` already has a query;
    ``None`` and empty values are left out (so is an absent ``state``)."""
    present = {name: value for name, value in params.items() if value}
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(present)}"


def _field(form: Mapping[str, object], name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


async def _issue_code(
    request: web.Request, form: Mapping[str, object], user_id: int, redirect_uri: str
) -> str:
    code, now = new_token(), request.app[CLOCK]()
    record = AuthCode(
        client_id=_field(form, "client_id") or "",
        user_id=user_id,
        redirect_uri=redirect_uri,
        scope=_field(form, "scope") or DEFAULT_SCOPE,
        code_challenge=_field(form, "code_challenge"),
        code_challenge_method=_field(form, "code_challenge_method"),
    )
    expires_at = iso_ms(now + CODE_LIFETIME)
    await request.app[STORE].grants.save_code(digest(code), record, expires_at=expires_at)
    return code


async def _checked_decision(request: web.Request, form: Mapping[str, object]) -> tuple[str, str]:
    """(action, redirect_uri), or the 400/500 of §3.5."""
    action = _field(form, "action")
    if action not in ("allow", "deny"):
        raise PlainTextError(400, "Invalid action")
    if await request.app[STORE].clients.get(_field(form, "client_id") or "") is None:
        raise PlainTextError(400, "Invalid client")
    redirect_uri = _field(form, "redirect_uri")
    if redirect_uri is None:
        raise PlainTextError(500, "Server error")
    return action, redirect_uri


async def authorize_decision(request: web.Request) -> web.Response:
    if request.content_type == "application/json":
        raise BareFailure
    form = await request.post()
    user_id = await session_user(request)
    if user_id is None:
        return _found("/login")
    action, redirect_uri = await _checked_decision(request, form)
    state = _field(form, "state")
    if action == "deny":
        return _found(with_params(redirect_uri, {"error": "access_denied", "state": state}))
    code = await _issue_code(request, form, user_id, redirect_uri)
    return _found(with_params(redirect_uri, {"code": code, "state": state}))

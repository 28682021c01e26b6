"""``POST /api/oauth/token`` (§3.6, §3.7): a pipeline of small steps.

parse the form → authenticate the client (client_secret_post only) → pick the grant →
run it. A JSON body → 500 ``server_error``; ``Authorization: Basic`` is never read.
DEC answers 500 (not 401) when a confidential client omits its secret. Codes are
consumed *before* the redirect URI and PKCE checks, so both failures burn the code;
another client's credentials do not. Refresh rotates both tokens and omits ``scope``.
JAN adds client_credentials (no refresh token, no user).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from aiohttp import web

from taskmcp.standin.clock import iso_ms
from taskmcp.standin.envelopes import JsonObject, json_response
from taskmcp.standin.errors import TokenError
from taskmcp.standin.keys import CLOCK, REVISION, STORE
from taskmcp.standin.pkce import UnsupportedMethodError, verifier_matches
from taskmcp.standin.store import AuthCode, IssuedTokens, OAuthClient
from taskmcp.standin.token_cors import DEC_CODE_GRANT_HEADERS
from taskmcp.standin.tokens import digest, digest_matches, new_token

__all__ = ["ACCESS_TOKEN_LIFETIME", "token"]

ACCESS_TOKEN_LIFETIME = timedelta(seconds=3600)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
Form = Mapping[str, str]
Grant = Callable[[web.Request, Form, OAuthClient], Awaitable[JsonObject]]


def _error(status: int, error: str, description: str) -> TokenError:
    return TokenError(status, error, description)


INVALID_CLIENT = (401, "invalid_client", "Invalid client credentials")
SERVER_ERROR = (500, "server_error", "Internal server error")


async def _form(request: web.Request) -> Form:
    if request.content_type in FORM_TYPES:
        posted = await request.post()
        return {name: value for name, value in posted.items() if isinstance(value, str)}
    if request.body_exists:
        raise _error(*SERVER_ERROR)
    return {}


async def _client(request: web.Request, form: Form) -> OAuthClient:
    client = await request.app[STORE].clients.get(form.get("client_id", ""))
    if client is None:
        raise _error(*INVALID_CLIENT)
    if client.is_public:
        return client
    secret = form.get("client_secret")
    if not secret:
        raise _error(*(INVALID_CLIENT if request.app[REVISION].is_jan else SERVER_ERROR))
    if not digest_matches(secret, client.secret_hash):
        raise _error(*INVALID_CLIENT)
    return client


async def _issue(request: web.Request, tokens: IssuedTokens) -> None:
    expires_at = iso_ms(request.app[CLOCK]() + ACCESS_TOKEN_LIFETIME)
    await request.app[STORE].grants.issue(tokens, expires_at=expires_at)


def _bearer(access: str, **extra: str) -> JsonObject:
    lifetime = int(ACCESS_TOKEN_LIFETIME.total_seconds())
    return {"access_token": access, "token_type": "Bearer", "expires_in": lifetime} | extra


def _check_pkce(code: AuthCode, verifier: str | None) -> None:
    if code.code_challenge is None:
        return  # a verifier sent for a code without a challenge is ignored (§3.7)
    if not verifier:
        raise _error(400, "invalid_request", "Code verifier required for PKCE")
    try:
        matches = verifier_matches(code.code_challenge, code.code_challenge_method, verifier)
    except UnsupportedMethodError:
        raise _error(400, "invalid_request", "Unsupported code challenge method") from None
    if not matches:
        raise _error(400, "invalid_grant", "Code verifier validation failed")


async def _authorization_code(request: web.Request, form: Form, client: OAuthClient) -> JsonObject:
    code, redirect_uri = form.get("code"), form.get("redirect_uri")
    if not code or not redirect_uri:
        raise _error(400, "invalid_request", "Missing required parameters")
    now = iso_ms(request.app[CLOCK]())
    stored = await request.app[STORE].grants.consume_code(digest(code), client.client_id, now=now)
    if stored is None:
        raise _error(400, "invalid_grant", "Invalid or expired authorization code")
    if stored.redirect_uri != redirect_uri:
        raise _error(400, "invalid_grant", "Redirect URI mismatch")
    _check_pkce(stored, form.get("code_verifier"))
    access, refresh = new_token(), new_token()
    tokens = IssuedTokens(
        digest(access), digest(refresh), client.client_id, stored.user_id, stored.scope
    )
    await _issue(request, tokens)
    return _bearer(access, refresh_token=refresh, scope=stored.scope)


async def _refresh_token(request: web.Request, form: Form, client: OAuthClient) -> JsonObject:
    refresh = form.get("refresh_token")
    if not refresh:
        raise _error(400, "invalid_request", "Missing refresh token")
    new_access, new_refresh = new_token(), new_token()
    expires_at = iso_ms(request.app[CLOCK]() + ACCESS_TOKEN_LIFETIME)
    rotated = await request.app[STORE].grants.rotate(
        digest(refresh),
        client.client_id,
        (digest(new_access), digest(new_refresh)),
        expires_at=expires_at,
    )
    if not rotated:
        raise _error(400, "invalid_grant", "Invalid refresh token")
    return _bearer(new_access, refresh_token=new_refresh)


async def _client_credentials(request: web.Request, form: Form, client: OAuthClient) -> JsonObject:
    if "client_credentials" not in client.grant_types:
        raise _error(400, "unauthorized_client", "Client is not authorized to use this grant type")
    requested = form.get("scope", "").split() or list(client.scopes)
    refused = [scope for scope in requested if scope not in client.scopes]
    if refused:
        # The duplicated prefix is upstream's (§3.6).
        message = f"Invalid scope(s): Invalid scope(s): {', '.join(refused)}"
        raise _error(400, "invalid_scope", message)
    access, scope = new_token(), " ".join(requested)
    await _issue(request, IssuedTokens(digest(access), None, client.client_id, None, scope))
    return _bearer(access, scope=scope)


GRANTS: Mapping[str, Grant] = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    "client_credentials": _client_credentials,
}


def _grant(request: web.Request, grant_type: str | None) -> Grant:
    revision_has = request.app[REVISION].has_client_credentials
    grant = GRANTS.get(grant_type or "")
    if grant is None or (grant is _client_credentials and not revision_has):
        raise _error(400, "unsupported_grant_type", "Grant type not supported")
    return grant


async def token(request: web.Request) -> web.Response:
    form = await _form(request)
    client = await _client(request, form)
    grant_type = form.get("grant_type")
    body = await _grant(request, grant_type)(request, form, client)
    dec_code_grant = grant_type == "authorization_code" and not request.app[REVISION].is_jan
    return json_response(body, headers=DEC_CODE_GRANT_HEADERS if dec_code_grant else None)

"""``POST /introspect`` (RFC 7662; checklist N1-N4, X5).

Only the resource server may call it, authenticated with its own credentials
(``TASKMCP_INTROSPECTION_CLIENT_ID``/``_SECRET``; Basic or form), never public
clients, and without CORS. Failed authentications are limited per client and address
(``secret_attempts``), like client secrets at ``/token``. Unknown, expired, revoked,
or foreign-audience tokens get exactly ``{"active": false}``. For an active access
token the answer carries what the resource server needs and nothing more, plus the
user's current TaskManager access token (refreshed when near expiry) under
``taskmanager_access_token``: it goes to the authenticated resource server only,
never to an MCP client.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from aiohttp import web

from taskmcp.keys import OAUTH
from taskmcp.oauth.client_auth import read_credentials
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.errors import InvalidClient
from taskmcp.oauth.resources import normalize_resource
from taskmcp.oauth.scopes import format_scopes
from taskmcp.oauth.secret_attempts import record_failure, refuse_if_blocked
from taskmcp.oauth.token import NO_STORE, form_params
from taskmcp.observability.requests import note_client
from taskmcp.storage import AccessToken, RefreshToken

__all__ = ["introspect"]

INACTIVE = {"active": False}


def _authenticate(
    ctx: OAuthContext, request: web.Request, client_id: str, secret: str | None
) -> None:
    expected = ctx.settings.introspection_client_secret
    error = InvalidClient("resource server authentication failed")
    error.basic_auth_used = "Authorization" in request.headers
    if expected is None or secret is None:
        raise error
    id_ok = hmac.compare_digest(client_id.encode(), ctx.settings.introspection_client_id.encode())
    secret_ok = hmac.compare_digest(secret.encode(), expected.get_secret_value().encode())
    if not (id_ok and secret_ok):
        raise error


async def introspect(request: web.Request) -> web.Response:
    ctx = request.app[OAUTH]
    params = await form_params(request)
    credentials = read_credentials(request.headers.get("Authorization"), params)
    refuse_if_blocked(ctx, request, credentials.client_id)  # T3/V4: no brute force
    try:
        _authenticate(ctx, request, credentials.client_id, credentials.secret)
    except InvalidClient:
        record_failure(ctx, request, credentials.client_id)
        raise
    note_client(request, credentials.client_id)
    rule = ctx.policy.introspect_limit
    ctx.limiter.check("introspect", credentials.client_id, limit=rule.limit, window=rule.window,
                      now=ctx.now().timestamp())  # fmt: skip
    token_hash = ctx.hasher.hash(params.require("token"))
    now = ctx.now()
    kinds = (
        ["refresh", "access"]
        if params.get("token_type_hint") == "refresh_token"
        else ["access", "refresh"]
    )
    for kind in kinds:
        if kind == "access":
            access = await ctx.storage.find_access_token(token_hash, now=now)
            if access is not None and _our_audience(ctx, access):
                return web.json_response(await _access_body(ctx, access), headers=NO_STORE)
        else:
            refresh = await ctx.storage.find_refresh_token(token_hash, now=now)
            if refresh is not None and refresh.rotated_at is None and _our_audience(ctx, refresh):
                return web.json_response(_claims(ctx, refresh, "refresh_token"), headers=NO_STORE)
    return web.json_response(INACTIVE, headers=NO_STORE)


def _our_audience(ctx: OAuthContext, token: AccessToken | RefreshToken) -> bool:
    return normalize_resource(token.resource) == normalize_resource(ctx.resource)


def _claims(
    ctx: OAuthContext, token: AccessToken | RefreshToken, token_type: str
) -> dict[str, object]:
    return {
        "active": True,
        "scope": format_scopes(token.scopes),
        "client_id": token.client_id,
        "sub": token.user_id,
        "aud": ctx.resource,
        "iss": ctx.issuer_url,
        "exp": _epoch(token.expires_at),
        "iat": _epoch(token.created_at),
        "token_type": token_type,
    }


async def _access_body(ctx: OAuthContext, token: AccessToken) -> dict[str, object]:
    body = _claims(ctx, token, "Bearer")
    grant = await ctx.storage.get_grant(token.grant_id, now=ctx.now())
    upstream = await ctx.grants.access_token(grant) if grant is not None else None
    if upstream is not None:
        body["taskmanager_access_token"] = upstream
    return body


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())

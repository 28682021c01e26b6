"""``POST /token`` (OAuth 2.1 §3.2, §4.1.3, §4.3; RFC 7636 §4.6; RFC 8707 §2.2;
RFC 9700 §4.14.2; checklist T1-T13, C3-C5, P4, P5, R7, X4).

Pipeline: rate limit → form body → authenticate the client → grant type.

``authorization_code``: find the code → client binding, ``redirect_uri`` and PKCE are
checked **before** the consumed flag, so an invalid replay revokes nothing (C3) → a
valid replay revokes the whole grant (C4) → otherwise redeem atomically; losing that
race is a replay too (C5).

``refresh_token``: find the token → client binding, scope may narrow but never widen,
``resource`` cannot change → rotate atomically with the grace window; reuse outside
it revokes the grant (T7-T9).

Metrics (``ctx.metrics``): token pairs issued by grant type, refresh rotation outcomes,
revocations for code replay and refresh reuse, and refusals by OAuth error code.
"""

from __future__ import annotations

import logging

from aiohttp import web

from taskmcp.keys import OAUTH
from taskmcp.oauth.client_auth import read_credentials, verify_client
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.errors import (
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    InvalidTarget,
    OAuthError,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from taskmcp.oauth.params import Params
from taskmcp.oauth.pkce import verify_s256
from taskmcp.oauth.resources import resolve_resource
from taskmcp.oauth.scopes import parse_scopes
from taskmcp.oauth.secret_attempts import record_failure, refuse_if_blocked
from taskmcp.observability.metrics import GrantType, grant_type_label
from taskmcp.observability.requests import note_client
from taskmcp.storage import Client

__all__ = ["NO_STORE", "form_params", "token"]

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def form_params(request: web.Request) -> Params:
    if request.content_type != "application/x-www-form-urlencoded":
        raise InvalidRequest("the body must be application/x-www-form-urlencoded")
    return Params(await request.post())


async def authenticated_client(ctx: OAuthContext, request: web.Request, params: Params) -> Client:
    credentials = read_credentials(request.headers.get("Authorization"), params)
    if credentials.secret is not None:  # T3: brute force protection per client and IP
        refuse_if_blocked(ctx, request, credentials.client_id)
    try:
        client = await ctx.clients.get(credentials.client_id)
    except OAuthError:
        client = None
    try:
        verified = verify_client(client, credentials, ctx.hasher, ctx.now())
    except OAuthError:
        if credentials.secret is not None:
            record_failure(ctx, request, credentials.client_id)
        raise
    note_client(request, verified.client_id)
    return verified


async def token(request: web.Request) -> web.Response:
    ctx = request.app[OAUTH]
    label: GrantType = "other"
    try:
        ctx.limit(request, "token", ctx.policy.token_limit)
        params = await form_params(request)
        label = grant_type_label(next(iter(params.all_values("grant_type")), None))
        body = await _grant(ctx, request, params)
    except OAuthError as exc:
        ctx.metrics.token_error(label, exc.error)
        raise
    ctx.metrics.issued(label)
    return web.json_response(body, headers=NO_STORE)


async def _grant(ctx: OAuthContext, request: web.Request, params: Params) -> dict[str, object]:
    client = await authenticated_client(ctx, request, params)
    grant_type = params.require("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise UnsupportedGrantType("supported: authorization_code, refresh_token")
    if grant_type not in client.grant_types:
        raise UnauthorizedClient(f"the client did not register the {grant_type} grant")
    if grant_type == "authorization_code":
        body = await _authorization_code(ctx, client, params)
    else:
        body = await _refresh_token(ctx, client, params)
    if client.source == "dynamic":
        now = ctx.now()
        await ctx.storage.touch_client(
            client.client_id, now=now, expires_at=now + ctx.policy.client_idle_ttl
        )
    return body


async def _authorization_code(
    ctx: OAuthContext, client: Client, params: Params
) -> dict[str, object]:
    code_hash = ctx.hasher.hash(params.require("code"))
    code = await ctx.storage.find_code(code_hash, now=ctx.now())
    if code is None or code.client_id != client.client_id:
        raise InvalidGrant("unknown, expired or foreign authorization code")
    verifier = params.get("code_verifier")
    if code.code_challenge is None:
        if verifier is not None:
            raise InvalidRequest("code_verifier sent for a code issued without PKCE")
        raise InvalidGrant("the code was issued without PKCE")
    if verifier is None:
        raise InvalidRequest("code_verifier is required")
    redirect_uri = params.get("redirect_uri")
    if (
        code.redirect_uri_explicit or redirect_uri is not None
    ) and redirect_uri != code.redirect_uri:
        raise InvalidGrant("redirect_uri does not match the authorization request")
    if not verify_s256(verifier, code.code_challenge):
        raise InvalidGrant("PKCE verification failed")
    if resolve_resource(params.all_values("resource"), ctx.resource) != code.resource:
        raise InvalidTarget("the code was issued for another resource")
    if code.consumed_at is not None:
        await _revoke_for_replay(ctx, code.grant_id, "code replay")
    grant = await ctx.storage.get_grant(code.grant_id, now=ctx.now())
    if grant is None:
        raise InvalidGrant("the authorization is no longer valid")
    pair = ctx.issuer.pair(grant, access_scopes=code.scopes, refresh_scopes=code.scopes)
    if not await ctx.storage.redeem_code(
        code_hash, now=ctx.now(), access=pair.access, refresh=pair.refresh
    ):
        await _revoke_for_replay(ctx, code.grant_id, "concurrent code redemption")
    log.info("tokens issued to client %s (grant %s)", client.client_id, grant.grant_id)
    return pair.response(pair.access.created_at)


async def _revoke_for_replay(ctx: OAuthContext, grant_id: str, reason: str) -> None:
    log.warning("%s: revoking grant %s", reason, grant_id)
    await ctx.storage.revoke_grant(grant_id, now=ctx.now())
    ctx.metrics.revoked("code_replay")
    raise InvalidGrant("authorization code already used")


async def _refresh_token(ctx: OAuthContext, client: Client, params: Params) -> dict[str, object]:
    old = await ctx.storage.find_refresh_token(
        ctx.hasher.hash(params.require("refresh_token")), now=ctx.now()
    )
    if old is None or old.client_id != client.client_id:
        raise InvalidGrant("unknown, expired or foreign refresh token")
    scopes = parse_scopes(params.get("scope"), default=old.scopes)
    if not set(scopes) <= set(old.scopes):
        raise InvalidScope("a refresh cannot widen the scope")
    if resolve_resource(params.all_values("resource"), ctx.resource) != old.resource:
        raise InvalidTarget("a refresh cannot change the resource")
    grant = await ctx.storage.get_grant(old.grant_id, now=ctx.now())
    if grant is None:
        raise InvalidGrant("the authorization is no longer valid")
    pair = ctx.issuer.pair(grant, access_scopes=scopes, refresh_scopes=old.scopes,
                           parent_hash=old.token_hash)  # fmt: skip
    outcome = await ctx.storage.rotate_refresh_token(
        old.token_hash, now=ctx.now(), grace=ctx.policy.refresh_grace,
        access=pair.access, refresh=pair.refresh,
    )  # fmt: skip
    ctx.metrics.refreshed(outcome)
    if outcome == "reused":
        ctx.metrics.revoked("refresh_reuse")
        log.warning("refresh token reuse: revoked grant %s", grant.grant_id)
    if outcome not in ("rotated", "grace"):
        raise InvalidGrant("refresh token already used")
    log.info(
        "tokens refreshed for client %s (grant %s, %s)", client.client_id, grant.grant_id, outcome
    )
    return pair.response(pair.access.created_at)

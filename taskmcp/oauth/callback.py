"""``GET /oauth/callback``: TaskManager sends the browser back here (checklist U9,
U10, C1, C2, I1).

Pipeline: take the pending authorization by the upstream ``state`` (unknown, reused or
expired → error page) → require the browser that consented (binding cookie) → on an
upstream error, tell the client ``access_denied`` → exchange the upstream code with
our PKCE verifier → learn the user id → replace this user's grant for this client →
record the consent → mint our authorization code → 302 to the client with ``code``,
``state`` and ``iss`` (RFC 9207). This handler takes no ``next``/``return_to``
parameter: it redirects only to the stored, validated ``redirect_uri`` (O3).
"""

from __future__ import annotations

import hmac
import logging
import secrets

from aiohttp import web

from taskmcp.crypto import new_token
from taskmcp.keys import OAUTH
from taskmcp.oauth.authorize import PageError, error_redirect
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.errors import (
    AccessDenied,
    InvalidRequest,
    OAuthError,
    ServerError,
    TemporarilyUnavailable,
)
from taskmcp.oauth.params import Params
from taskmcp.oauth.redirects import add_query
from taskmcp.observability.requests import note_client
from taskmcp.storage import AuthorizationCode, Consent, Grant, PendingAuthorization
from taskmcp.taskmanager import (
    TaskManagerClient,
    UpstreamOAuthError,
    UpstreamTokens,
    UpstreamUnavailableError,
    UserToken,
)
from taskmcp.taskmanager.identity import discover_user_id

__all__ = ["callback"]

log = logging.getLogger(__name__)

_UNKNOWN_STATE = PageError(
    "This sign-in link is no longer valid",
    "It was already used or has expired. Start again from the application.",
)


async def _pending(ctx: OAuthContext, request: web.Request, params: Params) -> PendingAuthorization:
    try:
        state = params.get("state")
    except InvalidRequest:
        raise _UNKNOWN_STATE from None
    if state is None:
        raise _UNKNOWN_STATE
    pending = await ctx.storage.take_pending(ctx.hasher.hash(state), now=ctx.now())
    if pending is None:
        raise _UNKNOWN_STATE
    browser = ctx.browser.read(request)
    if browser is None or not hmac.compare_digest(
        ctx.hasher.hash(browser), pending.browser_binding_hash
    ):
        raise PageError(
            "This sign-in cannot be completed here",
            "It was started in another browser. Start again from the application.",
            status=403,
        )
    return pending


async def callback(request: web.Request) -> web.Response:
    ctx = request.app[OAUTH]
    params = Params(request.query)
    pending = await _pending(ctx, request, params)
    note_client(request, pending.client_id)
    try:
        code = await _complete(ctx, pending, params)
    except OAuthError as exc:
        log.info("authorization for client %s failed: %s", pending.client_id, exc.error)
        target = error_redirect(ctx, pending.redirect_uri, exc, pending.client_state)
        raise web.HTTPFound(target) from None
    query = {"code": code}
    if pending.client_state is not None:
        query["state"] = pending.client_state
    query["iss"] = ctx.issuer_url
    log.info("authorization code issued to client %s", pending.client_id)
    raise web.HTTPFound(add_query(pending.redirect_uri, query))


async def _complete(ctx: OAuthContext, pending: PendingAuthorization, params: Params) -> str:
    if params.all_values("error") or not params.all_values("code"):
        raise AccessDenied("TaskManager did not authorize the request")
    tokens = await _exchange(ctx, pending, params.all_values("code")[0])
    user_id = await _identify(ctx, tokens)
    grant = await _replace_grant(ctx, pending, user_id, tokens)
    consent = Consent(
        user_id=grant.user_id, client_id=pending.client_id, redirect_uri=pending.redirect_uri,
        scopes=pending.scopes, resource=pending.resource, granted_at=ctx.now(),
        expires_at=ctx.now() + ctx.policy.consent_ttl,
    )  # fmt: skip
    await ctx.storage.save_consent(consent)
    return await _mint_code(ctx, pending, grant)


async def _exchange(ctx: OAuthContext, pending: PendingAuthorization, code: str) -> UpstreamTokens:
    verifier = ctx.sealer.unseal(pending.sealed_upstream_verifier, context=pending.state_hash)
    try:
        return await ctx.upstream.exchange_code(code, code_verifier=verifier.decode())
    except UpstreamOAuthError as exc:
        log.warning("TaskManager refused the code exchange: %s", exc.error)
        raise ServerError() from exc
    except UpstreamUnavailableError as exc:
        raise TemporarilyUnavailable("TaskManager is unavailable") from exc


async def _identify(ctx: OAuthContext, tokens: UpstreamTokens) -> str | None:
    client = TaskManagerClient(
        ctx.upstream_http, ctx.settings.taskmanager_internal_url,
        UserToken(tokens.access_token.get_secret_value()),
    )  # fmt: skip
    try:
        user_id = await discover_user_id(client)
    except UpstreamUnavailableError as exc:
        raise TemporarilyUnavailable("TaskManager is unavailable") from exc
    return str(user_id) if user_id is not None else None


async def _replace_grant(
    ctx: OAuthContext, pending: PendingAuthorization, user_id: str | None, tokens: UpstreamTokens
) -> Grant:
    """One live grant per user, client and resource: a new authorization replaces the
    previous grant and ends its tokens. A user TaskManager cannot name gets a
    pseudonymous subject of their own."""
    now = ctx.now()
    grant_id = secrets.token_urlsafe(18)
    subject = user_id or f"anon:{grant_id}"
    if user_id is not None:
        previous = await ctx.storage.find_grant(
            user_id=user_id, client_id=pending.client_id, resource=pending.resource, now=now
        )
        if previous is not None:
            await ctx.storage.revoke_grant(previous.grant_id, now=now)
            ctx.metrics.revoked("replaced")
    grant = Grant(
        grant_id=grant_id, user_id=subject, client_id=pending.client_id,
        resource=pending.resource, scopes=pending.scopes,
        sealed_upstream=ctx.grants.seal(grant_id, tokens), upstream_expires_at=tokens.expires_at,
        created_at=now, expires_at=now + ctx.policy.grant_max_age,
    )  # fmt: skip
    await ctx.storage.save_grant(grant)
    return grant


async def _mint_code(ctx: OAuthContext, pending: PendingAuthorization, grant: Grant) -> str:
    value = new_token()
    now = ctx.now()
    await ctx.storage.save_code(
        AuthorizationCode(
            code_hash=ctx.hasher.hash(value),
            grant_id=grant.grant_id,
            client_id=grant.client_id,
            user_id=grant.user_id,
            redirect_uri=pending.redirect_uri,
            redirect_uri_explicit=pending.redirect_uri_explicit,
            code_challenge=pending.code_challenge,
            scopes=grant.scopes,
            resource=grant.resource,
            created_at=now,
            expires_at=now + ctx.policy.code_ttl,
        )
    )
    ctx.metrics.code_issued()
    return value

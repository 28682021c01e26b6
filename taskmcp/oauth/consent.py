"""``POST /authorize/consent``: the user's decision on our consent page (checklist
U1, U4, U6, U9, U11; MCP "Confused Deputy").

Pipeline: rate limit → open the sealed transaction (the CSRF token: forged, stale or
foreign ones get an error page) → check the browser cookie it is bound to → the
decision. *Deny* goes back to the client with ``access_denied``, ``state`` and
``iss``. *Allow* (or *allow read-only*) stores the pending authorization under a
fresh upstream ``state`` and sends the browser to TaskManager with our own PKCE.
Every answer to this POST is a **303** (never 307, which would re-post the form).
"""

from __future__ import annotations

import hmac

from aiohttp import web

from taskmcp.keys import OAUTH
from taskmcp.oauth.authorize import PageError, error_redirect
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.errors import AccessDenied, InvalidRequest
from taskmcp.oauth.params import Params
from taskmcp.oauth.pkce import new_verifier, s256_challenge
from taskmcp.oauth.transaction import ConsentTransaction, is_fresh, open_transaction
from taskmcp.observability.requests import note_client
from taskmcp.storage import ConflictError, PendingAuthorization

__all__ = ["consent", "upstream_state"]

_EXPIRED = PageError(
    "This page has expired",
    "Please start again from the application you were connecting.",
)


def upstream_state(ctx: OAuthContext, txn_id: str) -> str:
    """Unpredictable without the server key, and the same for one transaction, so a
    second submission of the same form collides in storage (single use)."""
    return ctx.hasher.hash(f"upstream-state:{txn_id}")


async def _transaction(
    ctx: OAuthContext, request: web.Request, params: Params
) -> ConsentTransaction:
    txn = open_transaction(ctx.sealer, params.get("transaction") or "")
    if txn is None or not is_fresh(txn, ctx.now(), ctx.policy.pending_ttl.total_seconds()):
        raise _EXPIRED
    browser = ctx.browser.read(request)
    if browser is None or not hmac.compare_digest(ctx.hasher.hash(browser), txn.browser_hash):
        raise PageError(
            "This request could not be verified",
            "The consent form was not submitted from the browser that opened it.",
            status=403,
        )
    return txn


async def consent(request: web.Request) -> web.Response:
    ctx = request.app[OAUTH]
    ctx.limit(request, "authorize", ctx.policy.authorize_limit)
    if request.content_type != "application/x-www-form-urlencoded":
        raise PageError("Invalid request", "The consent form was not submitted correctly.")
    try:
        params = Params(await request.post())
        txn = await _transaction(ctx, request, params)
        decision = params.get("decision")
    except InvalidRequest as exc:
        raise PageError("Invalid request", exc.description or "Malformed form.") from exc
    note_client(request, txn.client_id)
    if await ctx.clients.get(txn.client_id) is None:
        raise PageError("Unknown application", "This application is no longer registered.")
    if decision == "deny":
        denied = AccessDenied("the user denied the request")
        raise web.HTTPSeeOther(error_redirect(ctx, txn.redirect_uri, denied, txn.state))
    if decision not in ("allow", "allow_read_only"):
        raise PageError("Invalid request", "Choose Allow or Deny.")
    scopes = txn.scopes if decision == "allow" else ("tasks:read",)
    raise web.HTTPSeeOther(await _start_upstream(ctx, txn, scopes))


async def _start_upstream(
    ctx: OAuthContext, txn: ConsentTransaction, scopes: tuple[str, ...]
) -> str:
    state = upstream_state(ctx, txn.txn_id)
    state_hash = ctx.hasher.hash(state)
    verifier = new_verifier()
    pending = PendingAuthorization(
        state_hash=state_hash, client_id=txn.client_id, redirect_uri=txn.redirect_uri,
        redirect_uri_explicit=txn.redirect_uri_explicit, scopes=scopes, resource=txn.resource,
        code_challenge=txn.code_challenge, client_state=txn.state,
        sealed_upstream_verifier=ctx.sealer.seal(verifier.encode(), context=state_hash),
        browser_binding_hash=txn.browser_hash, created_at=ctx.now(),
        expires_at=txn.issued_at + ctx.policy.pending_ttl,
    )  # fmt: skip
    try:
        await ctx.storage.save_pending(pending)
    except ConflictError:
        raise PageError(
            "Already submitted", "This consent was already given. Start again from the application."
        ) from None
    return ctx.upstream.authorize_url(state=state, code_challenge=s256_challenge(verifier))

"""``POST /revoke`` (RFC 7009; checklist V1-V4).

The client authenticates as at ``/token`` (public clients with ``client_id``). The
hint is optional and every token type is searched. A refresh token's revocation ends
its whole grant (every access and refresh token of it); an access token's revocation
ends that token. Tokens of other clients, and unknown tokens, are left alone and the
answer is the same 200, so the endpoint tells nothing about tokens that are not the
caller's.
"""

from __future__ import annotations

import logging

from aiohttp import web

from taskmcp.keys import OAUTH
from taskmcp.oauth.token import NO_STORE, authenticated_client, form_params

__all__ = ["revoke"]

log = logging.getLogger(__name__)


async def revoke(request: web.Request) -> web.Response:
    ctx = request.app[OAUTH]
    ctx.limit(request, "revoke", ctx.policy.revoke_limit)
    params = await form_params(request)
    client = await authenticated_client(ctx, request, params)
    token_hash = ctx.hasher.hash(params.require("token"))
    params.get("token_type_hint")  # optional; rejects duplicates, values are only a hint
    now = ctx.now()
    refresh = await ctx.storage.find_refresh_token(token_hash, now=now)
    if refresh is not None and refresh.client_id == client.client_id:
        await ctx.storage.revoke_grant(refresh.grant_id, now=now)
        ctx.metrics.revoked("revoked_refresh_token")
        log.info("grant %s revoked by client %s", refresh.grant_id, client.client_id)
    access = await ctx.storage.find_access_token(token_hash, now=now)
    owned = access is not None and access.client_id == client.client_id
    if owned and await ctx.storage.revoke_access_token(token_hash, now=now):
        ctx.metrics.revoked("revoked_access_token")
    return web.Response(status=200, headers=NO_STORE)

"""Brute-force protection for secret authentication at ``/token``, ``/revoke`` and
``/introspect`` (checklist T3, V4, L1; OAuth 2.1 §2.4.1; RFC 7009 §5).

Failed secret authentications are counted per *(client_id, client address)* in the
``secret`` bucket of the shared limiter, under ``policy.secret_failure_limit`` (10 per
15 minutes by default). Once a pair is over its limit, every further attempt of that
pair is refused with 429 **before** the secret is compared, so a correct guess made
after the limit is refused like a wrong one. Successful authentications are never
counted, and keying on the address too means that an attacker elsewhere cannot lock a
legitimate client, or the resource server at ``/introspect``, out. Addresses are taken
as for every other limit (``ratelimit.client_ip``: ``X-Forwarded-For`` only from
trusted proxies; IPv6 grouped by /64).
"""

from __future__ import annotations

import contextlib

from aiohttp import web

from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.errors import RateLimited

__all__ = ["record_failure", "refuse_if_blocked"]

BUCKET = "secret"


def _key(ctx: OAuthContext, request: web.Request, client_id: str) -> str:
    return f"{ctx.address(request)} {client_id}"


def refuse_if_blocked(ctx: OAuthContext, request: web.Request, client_id: str) -> None:
    """Raise ``RateLimited`` when this client and address used up their failures."""
    rule = ctx.policy.secret_failure_limit
    wait = ctx.limiter.retry_after(
        BUCKET, _key(ctx, request, client_id), limit=rule.limit, window=rule.window,
        now=ctx.now().timestamp(),
    )  # fmt: skip
    if wait is not None:
        raise RateLimited(wait)


def record_failure(ctx: OAuthContext, request: web.Request, client_id: str) -> None:
    """Count one failed secret; the caller still answers this attempt with its 401."""
    rule = ctx.policy.secret_failure_limit
    with contextlib.suppress(RateLimited):
        ctx.limiter.check(
            BUCKET, _key(ctx, request, client_id), limit=rule.limit, window=rule.window,
            now=ctx.now().timestamp(),
        )  # fmt: skip

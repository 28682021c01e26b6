"""Token verification inside the authorization server's process (``taskmcp serve``).

It gives the resource server the answer ``POST /introspect`` would give (RFC 7662
§2.2; ``taskmcp.oauth.introspect``), without an HTTP round trip to itself and without
introspection credentials: the access token is looked up by its HMAC in the
authorization server's storage. Unknown, expired and revoked tokens, refresh tokens,
and tokens for another resource (RFC 8707) are not active. An active token carries the
user's current TaskManager access token, refreshed when near expiry, exactly as the
introspection response's ``taskmanager_access_token``.

A storage failure raises ``VerifierUnavailableError`` (503 with ``Retry-After``), as an
unreachable authorization server does for the two-process deployment: the token may
well be good.
"""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import SecretStr

from taskmcp.keys import OAUTH
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.resources import normalize_resource
from taskmcp.resource.access import AccessInfo, VerifierUnavailableError
from taskmcp.storage import AccessToken, StorageUnavailableError

__all__ = ["LocalVerifier"]

log = logging.getLogger(__name__)


class LocalVerifier:
    """A ``TokenVerifier`` reading the storage of the authorization server ``auth_app``.

    The app's ``OAuthContext`` exists only once the app has started, so it is looked
    up on every call, never at construction."""

    def __init__(self, auth_app: web.Application) -> None:
        self._app = auth_app

    async def verify(self, token: str) -> AccessInfo | None:
        ctx = self._app[OAUTH]
        try:
            return await _active_access(ctx, token)
        except StorageUnavailableError as exc:
            log.warning("token verification failed: the storage is unavailable")
            raise VerifierUnavailableError("storage unavailable") from exc


async def _active_access(ctx: OAuthContext, token: str) -> AccessInfo | None:
    now = ctx.now()
    access = await ctx.storage.find_access_token(ctx.hasher.hash(token), now=now)
    if access is None or not _our_audience(ctx, access):
        return None
    grant = await ctx.storage.get_grant(access.grant_id, now=now)
    upstream = await ctx.grants.access_token(grant) if grant is not None else None
    return AccessInfo(
        sub=access.user_id,
        client_id=access.client_id,
        scopes=frozenset(access.scopes),
        aud=(ctx.resource,),
        exp=int(access.expires_at.timestamp()),
        upstream_token=SecretStr(upstream) if upstream else None,
    )


def _our_audience(ctx: OAuthContext, token: AccessToken) -> bool:
    """The token was issued for this MCP endpoint (RFC 8707 §2, compared normalised)."""
    return normalize_resource(token.resource) == normalize_resource(ctx.resource)

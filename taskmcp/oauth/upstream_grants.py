"""The user's TaskManager tokens inside a grant: sealing, and keeping them fresh
(checklist S3, U10, T12).

Upstream tokens are sealed with AES-GCM bound to the grant id. When the upstream
access token is within ``upstream_refresh_margin`` of expiry, the next caller
refreshes it: one refresh per grant at a time (an ``asyncio.Lock`` per grant, then a
re-read of storage), and the rotated tokens are persisted with a compare-and-set on
the grant's version *before* they are used, so a concurrent replica cannot lose them.

If TaskManager refuses the refresh (its refresh token is dead), the grant can never
call TaskManager again: it is revoked, so the client's next refresh fails and it
re-authorizes. If TaskManager is unreachable, the current token is returned as is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import Callable
from datetime import datetime

from pydantic import SecretStr

from taskmcp.crypto import Sealer, SealError
from taskmcp.oauth.policy import OAuthPolicy
from taskmcp.storage import Grant, Storage
from taskmcp.taskmanager import (
    UpstreamOAuthClient,
    UpstreamOAuthError,
    UpstreamTokens,
    UpstreamUnavailableError,
)

__all__ = ["UpstreamGrants"]

log = logging.getLogger(__name__)


class UpstreamGrants:
    def __init__(
        self,
        storage: Storage,
        sealer: Sealer,
        upstream: UpstreamOAuthClient,
        policy: OAuthPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self._storage = storage
        self._sealer = sealer
        self._upstream = upstream
        self._policy = policy
        self._clock = clock
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def seal(self, grant_id: str, tokens: UpstreamTokens) -> str:
        payload = {
            "access_token": tokens.access_token.get_secret_value(),
            "refresh_token": tokens.refresh_token.get_secret_value()
            if tokens.refresh_token
            else None,
            "scope": tokens.scope,
        }
        return self._sealer.seal(json.dumps(payload).encode(), context=grant_id)

    def unseal(self, grant: Grant) -> UpstreamTokens | None:
        if grant.sealed_upstream is None:
            return None
        try:
            payload = json.loads(self._sealer.unseal(grant.sealed_upstream, context=grant.grant_id))
        except (SealError, ValueError):
            log.error("grant %s: sealed upstream tokens cannot be opened", grant.grant_id)
            return None
        refresh = payload.get("refresh_token")
        return UpstreamTokens(
            access_token=SecretStr(payload["access_token"]),
            refresh_token=SecretStr(refresh) if refresh else None,
            expires_at=grant.upstream_expires_at,
            scope=payload.get("scope"),
        )

    async def access_token(self, grant: Grant) -> str | None:
        """The grant's current upstream access token, refreshed when near expiry."""
        tokens = self.unseal(grant)
        if tokens is None or self._fresh(tokens):
            return tokens.access_token.get_secret_value() if tokens else None
        lock = self._locks.setdefault(grant.grant_id, asyncio.Lock())
        async with lock:
            return await self._refresh_locked(grant.grant_id)

    def _fresh(self, tokens: UpstreamTokens) -> bool:
        expires = tokens.expires_at
        return expires is None or expires - self._clock() > self._policy.upstream_refresh_margin

    async def _refresh_locked(self, grant_id: str) -> str | None:
        grant = await self._storage.get_grant(grant_id, now=self._clock())
        tokens = self.unseal(grant) if grant else None
        if grant is None or tokens is None:
            return None
        if self._fresh(tokens) or tokens.refresh_token is None:
            return tokens.access_token.get_secret_value()
        try:
            new = await self._upstream.refresh(
                tokens.refresh_token.get_secret_value(), previous_scope=tokens.scope
            )
        except UpstreamOAuthError as exc:
            log.warning(
                "grant %s: TaskManager refused the refresh (%s); revoking", grant_id, exc.error
            )
            await self._storage.revoke_grant(grant_id, now=self._clock())
            return None
        except UpstreamUnavailableError:
            log.warning("grant %s: TaskManager unavailable for refresh", grant_id)
            return tokens.access_token.get_secret_value()
        updated = await self._storage.update_upstream(
            grant_id, sealed_upstream=self.seal(grant_id, new),
            upstream_expires_at=new.expires_at, expected_version=grant.version, now=self._clock(),
        )  # fmt: skip
        if updated is None:  # another replica refreshed first, or the grant died
            latest = await self._storage.get_grant(grant_id, now=self._clock())
            current = self.unseal(latest) if latest else None
            return current.access_token.get_secret_value() if current else None
        return new.access_token.get_secret_value()

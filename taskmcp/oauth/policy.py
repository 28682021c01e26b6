"""Lifetimes, limits and scopes of the authorization server, in one place.

Defaults follow oauth-checklist C1 (codes 60 s-5 min), T5 (access tokens 1 h), T9
(grace 30-60 s), T10 (refresh tokens always, sliding idle TTL plus an absolute cap),
G5/G6 (registration limits and TTLs) and L1 (rate limits). Tests shorten them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taskmcp.config import AuthSettings

__all__ = ["SCOPES", "OAuthPolicy", "RateLimit"]

SCOPES: tuple[str, ...] = ("tasks:read", "tasks:write")


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window: float  # seconds


@dataclass(frozen=True)
class OAuthPolicy:
    code_ttl: timedelta = timedelta(minutes=2)
    access_token_ttl: timedelta = timedelta(hours=1)
    refresh_token_ttl: timedelta = timedelta(days=30)  # sliding: renewed on every refresh
    grant_max_age: timedelta = timedelta(days=365)  # absolute cap of a grant
    refresh_grace: timedelta = timedelta(seconds=30)
    pending_ttl: timedelta = timedelta(minutes=10)  # consent form and upstream round trip
    unused_client_ttl: timedelta = timedelta(hours=24)
    client_idle_ttl: timedelta = timedelta(days=90)
    consent_ttl: timedelta = timedelta(days=365)
    upstream_refresh_margin: timedelta = timedelta(minutes=5)
    max_dynamic_clients: int = 10_000
    max_redirect_uris: int = 10
    register_limit: RateLimit = RateLimit(60, 3600)
    authorize_limit: RateLimit = RateLimit(120, 60)
    token_limit: RateLimit = RateLimit(600, 60)
    revoke_limit: RateLimit = RateLimit(600, 60)
    introspect_limit: RateLimit = RateLimit(20_000, 60)
    secret_failure_limit: RateLimit = RateLimit(10, 900)

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> OAuthPolicy:
        """The defaults, with what the operator configured (issue #4: configurable
        token lifetimes and per-IP limits)."""
        return replace(
            cls(),
            access_token_ttl=timedelta(seconds=settings.access_token_ttl),
            refresh_token_ttl=timedelta(seconds=settings.refresh_token_ttl),
            register_limit=RateLimit(settings.register_rate_limit, 3600),
            token_limit=RateLimit(settings.token_rate_limit, 60),
            authorize_limit=RateLimit(settings.authorize_rate_limit, 60),
        )

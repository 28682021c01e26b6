"""Minting codes and tokens (checklist S1, S2, C1, C2, T4-T7, T10).

Every value is 256 bits from ``secrets`` and is stored only as its keyed hash. Access
tokens live ``access_token_ttl``; refresh tokens slide by ``refresh_token_ttl`` on each
rotation but never outlive their grant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from taskmcp.crypto import TokenHasher, new_token
from taskmcp.oauth.policy import OAuthPolicy
from taskmcp.oauth.scopes import format_scopes
from taskmcp.storage import AccessToken, Grant, RefreshToken

__all__ = ["IssuedPair", "TokenIssuer"]


@dataclass(frozen=True)
class IssuedPair:
    """Clear values for the response, and the records to store."""

    access_value: str
    refresh_value: str
    access: AccessToken
    refresh: RefreshToken

    def response(self, issued_at: datetime) -> dict[str, object]:
        return {
            "access_token": self.access_value,
            "token_type": "Bearer",
            "expires_in": int((self.access.expires_at - issued_at).total_seconds()),
            "refresh_token": self.refresh_value,
            "scope": format_scopes(self.access.scopes),
        }


class TokenIssuer:
    def __init__(self, hasher: TokenHasher, policy: OAuthPolicy, clock: Callable[[], datetime]):
        self._hasher = hasher
        self._policy = policy
        self._clock = clock

    def pair(
        self,
        grant: Grant,
        *,
        access_scopes: tuple[str, ...],
        refresh_scopes: tuple[str, ...],
        parent_hash: str | None = None,
    ) -> IssuedPair:
        now = self._clock()
        access_value, refresh_value = new_token(), new_token()
        common = {
            "grant_id": grant.grant_id, "client_id": grant.client_id, "user_id": grant.user_id,
            "resource": grant.resource, "created_at": now,
        }  # fmt: skip
        access = AccessToken(
            token_hash=self._hasher.hash(access_value),
            scopes=access_scopes,
            expires_at=min(now + self._policy.access_token_ttl, grant.expires_at),
            **common,
        )
        refresh = RefreshToken(
            token_hash=self._hasher.hash(refresh_value),
            scopes=refresh_scopes,
            parent_hash=parent_hash,
            expires_at=min(now + self._policy.refresh_token_ttl, grant.expires_at),
            **common,
        )
        return IssuedPair(access_value, refresh_value, access, refresh)

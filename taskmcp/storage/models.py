"""Records the authorization server persists.

Every record is an immutable pydantic model. Secret values (tokens, codes, client
secrets, upstream credentials) never appear here in clear: lookups go by a keyed
hash computed by the caller (``taskmcp.crypto.TokenHasher``), and the user's
upstream TaskManager tokens travel as an opaque sealed string
(``taskmcp.crypto.Sealer``) that only the authorization server can open.

Times are timezone-aware UTC datetimes. Every record that can expire carries its
own ``expires_at``; backends compare it with the ``now`` they are given and never
read a clock themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

__all__ = [
    "AccessToken",
    "AuthorizationCode",
    "Client",
    "ClientSource",
    "Consent",
    "Grant",
    "PendingAuthorization",
    "RefreshToken",
    "RotationOutcome",
    "Scopes",
    "TokenEndpointAuthMethod",
]

Scopes = tuple[str, ...]
ClientSource = Literal["dynamic", "cimd", "static"]
TokenEndpointAuthMethod = Literal["none", "client_secret_post", "client_secret_basic"]
RotationOutcome = Literal["rotated", "grace", "reused", "invalid"]
"""Result of ``TokenStore.rotate_refresh_token``.

* ``rotated``: the token was current; it is now marked rotated and the new pair is stored.
* ``grace``: the token was rotated moments ago and its successor is still unused
  (oauth-checklist T9); a fresh pair was stored in the same grant.
* ``reused``: the token was rotated earlier (outside the grace window, or its successor
  has been used): the whole grant is now revoked (RFC 9700 §4.14.2).
* ``invalid``: unknown, expired, revoked, or belonging to a dead grant; nothing changed.
"""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Client(_Record):
    """An OAuth client: dynamically registered (RFC 7591), a cached Client ID Metadata
    Document, or configured statically.

    ``metadata`` holds the client metadata as registered or fetched (RFC 7591 §2), which
    the registration response echoes back; the typed fields are the ones the server
    decides on. ``expires_at`` is the registration's idle TTL (renewed on use) or, for a
    CIMD client, the end of the cache lifetime.
    """

    client_id: str = Field(min_length=1, max_length=2048)
    source: ClientSource
    secret_hash: str | None = None
    secret_expires_at: AwareDatetime | None = None
    token_endpoint_auth_method: TokenEndpointAuthMethod
    redirect_uris: tuple[str, ...] = Field(min_length=1)
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")
    response_types: tuple[str, ...] = ("code",)
    application_type: Literal["web", "native"] = "native"
    client_name: str | None = None
    scope: str | None = None
    metadata: dict[str, JsonValue] = Field(default_factory=dict)
    created_at: AwareDatetime
    last_used_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None


class PendingAuthorization(_Record):
    """An ``/authorize`` request the user approved, waiting for TaskManager's callback.

    Found by the hash of the upstream ``state``; taken exactly once. A taken record
    stays as a tombstone (``consumed_at`` set) until it expires, so the same state can
    never be stored, or taken, twice. ``sealed_upstream_verifier`` is our PKCE verifier
    toward TaskManager, sealed. ``browser_binding_hash`` ties the transaction to the
    browser that consented.
    """

    state_hash: str
    client_id: str
    redirect_uri: str
    redirect_uri_explicit: bool
    scopes: Scopes
    resource: str
    code_challenge: str
    code_challenge_method: Literal["S256"] = "S256"
    client_state: str | None = None
    sealed_upstream_verifier: str
    browser_binding_hash: str
    created_at: AwareDatetime
    expires_at: AwareDatetime
    consumed_at: AwareDatetime | None = None


class Grant(_Record):
    """What one user allowed one client for one resource, with the user's upstream
    TaskManager tokens sealed.

    ``version`` increases on every upstream-token update so that concurrent refreshers
    (several replicas) can detect a lost race (``GrantStore.update_upstream``).
    """

    grant_id: str
    user_id: str
    client_id: str
    resource: str
    scopes: Scopes
    sealed_upstream: str | None = None
    upstream_expires_at: AwareDatetime | None = None
    version: int = 0
    created_at: AwareDatetime
    expires_at: AwareDatetime
    revoked_at: AwareDatetime | None = None


class AuthorizationCode(_Record):
    """Our authorization code, bound to everything it was issued for (checklist C2).

    After redemption the row stays as a tombstone (``consumed_at`` set) until
    ``expires_at`` so that a replay can be recognised (checklist C6).
    """

    code_hash: str
    grant_id: str
    client_id: str
    user_id: str
    redirect_uri: str
    redirect_uri_explicit: bool
    code_challenge: str | None
    code_challenge_method: Literal["S256"] | None = "S256"
    scopes: Scopes
    resource: str
    created_at: AwareDatetime
    expires_at: AwareDatetime
    consumed_at: AwareDatetime | None = None


class AccessToken(_Record):
    token_hash: str
    grant_id: str
    client_id: str
    user_id: str
    scopes: Scopes
    resource: str
    created_at: AwareDatetime
    expires_at: AwareDatetime
    revoked_at: AwareDatetime | None = None


class RefreshToken(_Record):
    """A refresh token. ``parent_hash`` names the token it was rotated from; when a token
    is rotated, its parent's grace window closes (its successor has been used)."""

    token_hash: str
    grant_id: str
    client_id: str
    user_id: str
    scopes: Scopes
    resource: str
    parent_hash: str | None = None
    created_at: AwareDatetime
    expires_at: AwareDatetime
    rotated_at: AwareDatetime | None = None
    grace_closed: bool = False
    revoked_at: AwareDatetime | None = None


class Consent(_Record):
    """A user's recorded approval of a client (audit, and "remember this client")."""

    user_id: str
    client_id: str
    redirect_uri: str
    scopes: Scopes
    resource: str
    granted_at: AwareDatetime
    expires_at: AwareDatetime


def is_live(expires_at: datetime, now: datetime) -> bool:
    """Whether a record with this expiry is still valid at ``now`` (expiry is exclusive)."""
    return now < expires_at

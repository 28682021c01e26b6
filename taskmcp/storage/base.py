"""The storage contract: small async Protocols, one per kind of record.

Shape follows node-oidc-provider's adapter (``upsert``/``find``/``consume``/
``revokeByGrantId``) and the MCP SDK's provider protocols: loaders return a model or
``None``; mutators raise ``taskmcp.storage.errors`` types; expiry travels inside the
records and the current time is passed in as ``now``, so that backends never read a
clock and tests can move time.

Nothing here knows about SQL, HTTP, OAuth parameters or MCP. Keys that identify
secrets (``*_hash``) are keyed hashes computed by the caller; see ``taskmcp.crypto``.

Atomic operations are first-class because a backend cannot offer them by composition:

* ``CodeStore.redeem_code``: mark a code consumed **and** store the tokens issued for
  it, all or nothing, exactly once (oauth-checklist C4, C5, §15).
* ``TokenStore.rotate_refresh_token``: rotate with a grace window and reuse detection
  (T7-T9), storing the new pair in the same transaction.
* ``GrantStore.revoke_grant``: end a grant and every token issued from it (V3, C4).
* ``PendingStore.take_pending``: single-use upstream ``state`` (U9).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from taskmcp.storage.models import (
    AccessToken,
    AuthorizationCode,
    Client,
    ClientSource,
    Consent,
    Grant,
    PendingAuthorization,
    RefreshToken,
    RotationOutcome,
)

__all__ = [
    "ClientStore",
    "CodeStore",
    "ConsentStore",
    "GrantStore",
    "PendingStore",
    "Storage",
    "TokenStore",
]


class ClientStore(Protocol):
    async def save_client(self, client: Client) -> None:
        """Insert or replace a client (replacement refreshes a cached CIMD document)."""

    async def get_client(self, client_id: str, *, now: datetime) -> Client | None:
        """The client, or ``None`` when unknown or past its ``expires_at``."""

    async def touch_client(self, client_id: str, *, now: datetime, expires_at: datetime) -> bool:
        """Record a use: set ``last_used_at`` and move ``expires_at``. False if unknown."""

    async def delete_client(self, client_id: str) -> bool: ...

    async def count_clients(self, source: ClientSource, *, now: datetime) -> int:
        """How many unexpired clients of this source exist (registration caps)."""


class PendingStore(Protocol):
    async def save_pending(self, pending: PendingAuthorization) -> None:
        """Store a transaction. Raises ``ConflictError`` if the state hash exists."""

    async def take_pending(self, state_hash: str, *, now: datetime) -> PendingAuthorization | None:
        """Mark the transaction taken and return it: exactly one caller gets it, a
        second call gets ``None``, and so does an expired one. The tombstone stays until
        expiry, so ``save_pending`` with the same hash keeps raising ``ConflictError``."""


class GrantStore(Protocol):
    async def save_grant(self, grant: Grant) -> None:
        """Insert a grant. Raises ``ConflictError`` if the id exists."""

    async def get_grant(self, grant_id: str, *, now: datetime) -> Grant | None:
        """The grant if it is neither revoked nor expired."""

    async def find_grant(
        self, *, user_id: str, client_id: str, resource: str, now: datetime
    ) -> Grant | None:
        """The newest live grant of this user to this client for this resource."""

    async def update_upstream(
        self,
        grant_id: str,
        *,
        sealed_upstream: str,
        upstream_expires_at: datetime | None,
        expected_version: int,
        now: datetime,
    ) -> Grant | None:
        """Replace the sealed upstream tokens if the grant is live and still at
        ``expected_version``; return the updated grant, or ``None`` when another writer
        got there first or the grant is dead (re-read and decide again)."""

    async def revoke_grant(self, grant_id: str, *, now: datetime) -> bool:
        """Revoke the grant and every access and refresh token issued from it.
        True if the grant was live before the call."""


class CodeStore(Protocol):
    async def save_code(self, code: AuthorizationCode) -> None:
        """Insert a code. Raises ``ConflictError`` if the hash exists."""

    async def find_code(self, code_hash: str, *, now: datetime) -> AuthorizationCode | None:
        """The code, consumed or not (a consumed one is a replay tombstone); ``None``
        when unknown or expired."""

    async def redeem_code(
        self,
        code_hash: str,
        *,
        now: datetime,
        access: AccessToken,
        refresh: RefreshToken | None,
    ) -> bool:
        """Atomically consume the code and store the tokens issued for it.

        True for exactly one caller: the code existed, was unconsumed and unexpired, and
        its grant was live. Otherwise False and nothing was written."""


class TokenStore(Protocol):
    async def find_access_token(self, token_hash: str, *, now: datetime) -> AccessToken | None:
        """The token if it, and its grant, are live."""

    async def find_refresh_token(self, token_hash: str, *, now: datetime) -> RefreshToken | None:
        """The token if it is unexpired, unrevoked and its grant live. A rotated token
        is still returned (``rotated_at`` set) so that callers can see reuse."""

    async def rotate_refresh_token(
        self,
        token_hash: str,
        *,
        now: datetime,
        grace: timedelta,
        access: AccessToken,
        refresh: RefreshToken,
    ) -> RotationOutcome:
        """Rotate ``token_hash`` into the given pair; see ``RotationOutcome``.

        The grace window is open while ``now < rotated_at + grace`` and the successor
        has not itself been rotated. ``refresh.parent_hash`` must be ``token_hash``."""

    async def revoke_access_token(self, token_hash: str, *, now: datetime) -> bool: ...


class ConsentStore(Protocol):
    async def save_consent(self, consent: Consent) -> None:
        """Insert or replace the consent of this user for this client."""

    async def find_consent(
        self, user_id: str, client_id: str, *, now: datetime
    ) -> Consent | None: ...

    async def delete_consent(self, user_id: str, client_id: str) -> bool: ...


class Storage(ClientStore, PendingStore, GrantStore, CodeStore, TokenStore, ConsentStore, Protocol):
    """Everything the authorization server persists, behind one object."""

    async def ping(self) -> None:
        """Raise ``StorageUnavailableError`` unless the backend answers."""

    async def sweep(self, *, now: datetime) -> int:
        """Delete what can no longer matter at ``now``; return the number of rows removed.

        Expired pending authorizations, codes (tombstones included), tokens and
        consents; revoked or expired grants with everything issued from them; expired
        CIMD cache entries; expired dynamic clients that have no live grant (checklist
        G6: a client with live grants is never collected)."""

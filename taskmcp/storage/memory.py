"""In-process storage (``memory://``): dictionaries of immutable records.

Every method runs to completion without awaiting anything in between, so on one event
loop each operation is atomic. State is lost when the process stops: clients must
register again and every token stops working (it fails closed). Use it for tests and
throwaway runs; use SQLite for anything a user relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from taskmcp.storage.errors import ConflictError
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
    is_live,
)

__all__ = ["MemoryStorage"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T", AccessToken, RefreshToken)


class MemoryStorage:
    """The reference implementation of ``taskmcp.storage.Storage``."""

    def __init__(self) -> None:
        self._clients: dict[str, Client] = {}
        self._pending: dict[str, PendingAuthorization] = {}
        self._grants: dict[str, Grant] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._consents: dict[tuple[str, str], Consent] = {}

    # -- lifecycle -------------------------------------------------------------------

    async def ping(self) -> None:
        return None

    async def sweep(self, *, now: datetime) -> int:
        dead_grants = {g for g, grant in self._grants.items() if not self._grant_live(grant, now)}
        removed = _drop(self._grants, lambda g: g.grant_id in dead_grants)
        removed += _drop(self._pending, lambda p: not is_live(p.expires_at, now))
        removed += _drop(
            self._codes, lambda c: c.grant_id in dead_grants or not is_live(c.expires_at, now)
        )
        removed += _drop(
            self._access, lambda t: t.grant_id in dead_grants or not is_live(t.expires_at, now)
        )
        removed += _drop(
            self._refresh, lambda t: t.grant_id in dead_grants or not is_live(t.expires_at, now)
        )
        removed += _drop(self._consents, lambda c: not is_live(c.expires_at, now))
        removed += _drop(self._clients, lambda c: self._collectable(c, now))
        return removed

    def _collectable(self, client: Client, now: datetime) -> bool:
        if client.expires_at is None or is_live(client.expires_at, now):
            return False
        if client.source != "dynamic":
            return True
        return not any(g.client_id == client.client_id for g in self._grants.values())

    # -- clients ---------------------------------------------------------------------

    async def save_client(self, client: Client) -> None:
        self._clients[client.client_id] = client

    async def get_client(self, client_id: str, *, now: datetime) -> Client | None:
        client = self._clients.get(client_id)
        if client is None or (
            client.expires_at is not None and not is_live(client.expires_at, now)
        ):
            return None
        return client

    async def touch_client(self, client_id: str, *, now: datetime, expires_at: datetime) -> bool:
        client = self._clients.get(client_id)
        if client is None:
            return False
        self._clients[client_id] = client.model_copy(
            update={"last_used_at": now, "expires_at": expires_at}
        )
        return True

    async def delete_client(self, client_id: str) -> bool:
        return self._clients.pop(client_id, None) is not None

    async def count_clients(self, source: ClientSource, *, now: datetime) -> int:
        return sum(
            1
            for c in self._clients.values()
            if c.source == source and (c.expires_at is None or is_live(c.expires_at, now))
        )

    # -- pending authorizations ------------------------------------------------------

    async def save_pending(self, pending: PendingAuthorization) -> None:
        _insert(self._pending, pending.state_hash, pending)

    async def take_pending(self, state_hash: str, *, now: datetime) -> PendingAuthorization | None:
        pending = self._pending.get(state_hash)
        if pending is None or pending.consumed_at is not None:
            return None
        if not is_live(pending.expires_at, now):
            return None
        taken = pending.model_copy(update={"consumed_at": now})
        self._pending[state_hash] = taken
        return taken

    # -- grants ----------------------------------------------------------------------

    @staticmethod
    def _grant_live(grant: Grant, now: datetime) -> bool:
        return grant.revoked_at is None and is_live(grant.expires_at, now)

    def _live_grant(self, grant_id: str, now: datetime) -> Grant | None:
        grant = self._grants.get(grant_id)
        return grant if grant is not None and self._grant_live(grant, now) else None

    async def save_grant(self, grant: Grant) -> None:
        _insert(self._grants, grant.grant_id, grant)

    async def get_grant(self, grant_id: str, *, now: datetime) -> Grant | None:
        return self._live_grant(grant_id, now)

    async def find_grant(
        self, *, user_id: str, client_id: str, resource: str, now: datetime
    ) -> Grant | None:
        matches = [
            g
            for g in self._grants.values()
            if (g.user_id, g.client_id, g.resource) == (user_id, client_id, resource)
            and self._grant_live(g, now)
        ]
        return max(matches, key=lambda g: g.created_at, default=None)

    async def update_upstream(
        self,
        grant_id: str,
        *,
        sealed_upstream: str,
        upstream_expires_at: datetime | None,
        expected_version: int,
        now: datetime,
    ) -> Grant | None:
        grant = self._live_grant(grant_id, now)
        if grant is None or grant.version != expected_version:
            return None
        updated = grant.model_copy(
            update={
                "sealed_upstream": sealed_upstream,
                "upstream_expires_at": upstream_expires_at,
                "version": grant.version + 1,
            }
        )
        self._grants[grant_id] = updated
        return updated

    async def revoke_grant(self, grant_id: str, *, now: datetime) -> bool:
        grant = self._grants.get(grant_id)
        if grant is None:
            return False
        was_live = self._grant_live(grant, now)
        if grant.revoked_at is None:
            self._grants[grant_id] = grant.model_copy(update={"revoked_at": now})
        _revoke_where(self._access, grant_id, now)
        _revoke_where(self._refresh, grant_id, now)
        return was_live

    # -- codes -----------------------------------------------------------------------

    async def save_code(self, code: AuthorizationCode) -> None:
        _insert(self._codes, code.code_hash, code)

    async def find_code(self, code_hash: str, *, now: datetime) -> AuthorizationCode | None:
        code = self._codes.get(code_hash)
        return code if code is not None and is_live(code.expires_at, now) else None

    async def redeem_code(
        self,
        code_hash: str,
        *,
        now: datetime,
        access: AccessToken,
        refresh: RefreshToken | None,
    ) -> bool:
        code = self._codes.get(code_hash)
        if (
            code is None
            or code.consumed_at is not None
            or not is_live(code.expires_at, now)
            or self._live_grant(code.grant_id, now) is None
        ):
            return False
        self._check_new_tokens(access, refresh)
        self._codes[code_hash] = code.model_copy(update={"consumed_at": now})
        self._store_pair(access, refresh)
        return True

    # -- tokens ----------------------------------------------------------------------

    def _check_new_tokens(self, access: AccessToken, refresh: RefreshToken | None) -> None:
        if access.token_hash in self._access:
            raise ConflictError("access token hash already exists")
        if refresh is not None and refresh.token_hash in self._refresh:
            raise ConflictError("refresh token hash already exists")

    def _store_pair(self, access: AccessToken, refresh: RefreshToken | None) -> None:
        self._access[access.token_hash] = access
        if refresh is not None:
            self._refresh[refresh.token_hash] = refresh

    async def find_access_token(self, token_hash: str, *, now: datetime) -> AccessToken | None:
        token = self._access.get(token_hash)
        if token is None or token.revoked_at is not None or not is_live(token.expires_at, now):
            return None
        return token if self._live_grant(token.grant_id, now) is not None else None

    async def find_refresh_token(self, token_hash: str, *, now: datetime) -> RefreshToken | None:
        token = self._refresh.get(token_hash)
        if token is None or token.revoked_at is not None or not is_live(token.expires_at, now):
            return None
        return token if self._live_grant(token.grant_id, now) is not None else None

    async def rotate_refresh_token(
        self,
        token_hash: str,
        *,
        now: datetime,
        grace: timedelta,
        access: AccessToken,
        refresh: RefreshToken,
    ) -> RotationOutcome:
        current = await self.find_refresh_token(token_hash, now=now)
        if current is None:
            return "invalid"
        if current.rotated_at is not None:
            if current.grace_closed or now >= current.rotated_at + grace:
                await self.revoke_grant(current.grant_id, now=now)
                return "reused"
            self._check_new_tokens(access, refresh)
            self._store_pair(access, refresh)
            return "grace"
        self._check_new_tokens(access, refresh)
        self._refresh[token_hash] = current.model_copy(update={"rotated_at": now})
        parent = self._refresh.get(current.parent_hash or "")
        if parent is not None:
            self._refresh[parent.token_hash] = parent.model_copy(update={"grace_closed": True})
        self._store_pair(access, refresh)
        return "rotated"

    async def revoke_access_token(self, token_hash: str, *, now: datetime) -> bool:
        token = self._access.get(token_hash)
        if token is None or token.revoked_at is not None:
            return False
        self._access[token_hash] = token.model_copy(update={"revoked_at": now})
        return True

    # -- consents --------------------------------------------------------------------

    async def save_consent(self, consent: Consent) -> None:
        self._consents[(consent.user_id, consent.client_id)] = consent

    async def find_consent(self, user_id: str, client_id: str, *, now: datetime) -> Consent | None:
        consent = self._consents.get((user_id, client_id))
        return consent if consent is not None and is_live(consent.expires_at, now) else None

    async def delete_consent(self, user_id: str, client_id: str) -> bool:
        return self._consents.pop((user_id, client_id), None) is not None


def _insert(table: dict[K, V], key: K, value: V) -> None:
    if key in table:
        raise ConflictError("a record with this key already exists")
    table[key] = value


def _drop(table: dict[K, V], doomed: Callable[[V], bool]) -> int:
    keys = [k for k, v in table.items() if doomed(v)]
    for key in keys:
        del table[key]
    return len(keys)


def _revoke_where(table: dict[str, T], grant_id: str, now: datetime) -> None:
    for key, token in list(table.items()):
        if token.grant_id == grant_id and token.revoked_at is None:
            table[key] = token.model_copy(update={"revoked_at": now})

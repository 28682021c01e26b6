"""Registered OAuth clients (§3.2, §5.4).

List columns are stored as the JSON arrays TaskManager echoes back. Deleting a client
that has issued a code or token fails on the foreign keys (``ConstraintError``), as
upstream does.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from taskmcp.standin.jsontext import dumps
from taskmcp.standin.store.db import Database, fetch_one
from taskmcp.standin.store.models import OAuthClient

__all__ = ["ClientRepo", "ClientSpec"]

_INSERT = """INSERT INTO oauth_clients (client_id, secret_hash, name, redirect_uris,
        grant_types, scopes, is_public, created_at, user_id)
    VALUES (:client_id, :secret_hash, :name, :redirect_uris, :grant_types, :scopes,
        :is_public, :now, :user_id)"""
_SEED = (
    _INSERT
    + """ ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash,
        name = excluded.name, redirect_uris = excluded.redirect_uris,
        grant_types = excluded.grant_types, scopes = excluded.scopes,
        is_public = 0, is_active = 1, user_id = excluded.user_id"""
)
_UPDATE = """UPDATE oauth_clients SET name = :name, redirect_uris = :redirect_uris,
        grant_types = coalesce(:grant_types, grant_types), scopes = coalesce(:scopes, scopes)
    WHERE client_id = :client_id AND user_id = :user_id RETURNING *"""


class ClientSpec(BaseModel):
    """What a registration or an update sets; ``None`` lists keep their stored value."""

    model_config = ConfigDict(frozen=True)

    name: str
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...] | None = None
    scopes: tuple[str, ...] | None = None


def _columns(spec: ClientSpec) -> dict[str, object]:
    lists = {"grant_types": spec.grant_types, "scopes": spec.scopes}
    encoded = {key: None if value is None else dumps(list(value)) for key, value in lists.items()}
    return {"name": spec.name, "redirect_uris": dumps(list(spec.redirect_uris)), **encoded}


class ClientRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, spec: ClientSpec, *, client_id: str, secret_hash: str | None, user_id: int, now: str
    ) -> OAuthClient:
        return await self._insert(_INSERT, spec, client_id, secret_hash, user_id, now)

    async def seed(
        self, spec: ClientSpec, *, client_id: str, secret_hash: str, user_id: int, now: str
    ) -> OAuthClient:
        """Insert, or reset an existing client with the same id to ``spec`` (idempotent)."""
        return await self._insert(_SEED, spec, client_id, secret_hash, user_id, now)

    async def _insert(
        self, sql: str, spec: ClientSpec, client_id: str, secret: str | None, user: int, now: str
    ) -> OAuthClient:
        params = {**_columns(spec), "client_id": client_id, "secret_hash": secret}
        params |= {"is_public": secret is None, "user_id": user, "now": now}
        async with self._db.write() as conn:
            row = await fetch_one(conn, sql + " RETURNING *", params)
        assert row is not None
        return OAuthClient.from_row(row)

    async def get(self, client_id: str) -> OAuthClient | None:
        sql = "SELECT * FROM oauth_clients WHERE client_id = :id AND is_active = 1"
        row = await self._db.one(sql, {"id": client_id})
        return None if row is None else OAuthClient.from_row(row)

    async def owned_by(self, user_id: int) -> list[OAuthClient]:
        """The user's clients, newest first."""
        sql = "SELECT * FROM oauth_clients WHERE user_id = :u ORDER BY created_at DESC, id DESC"
        return [OAuthClient.from_row(row) for row in await self._db.all(sql, {"u": user_id})]

    async def update(self, client_id: str, user_id: int, spec: ClientSpec) -> OAuthClient | None:
        params = {**_columns(spec), "client_id": client_id, "user_id": user_id}
        async with self._db.write() as conn:
            row = await fetch_one(conn, _UPDATE, params)
        return None if row is None else OAuthClient.from_row(row)

    async def delete(self, client_id: str, user_id: int) -> bool:
        """``False`` when not the user's; ``ConstraintError`` once it issued anything."""
        sql = "DELETE FROM oauth_clients WHERE client_id = :id AND user_id = :u RETURNING id"
        async with self._db.write() as conn:
            row = await fetch_one(conn, sql, {"id": client_id, "u": user_id})
        return row is not None

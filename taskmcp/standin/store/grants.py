"""Authorization codes, access tokens and refresh tokens (§3.1, §3.6).

Everything is looked up by the SHA-256 digest of the secret value. Consuming a code is
one conditional ``UPDATE … RETURNING`` that also checks the client, so a code is
single use, and presenting it with another client's credentials leaves it unburnt.
Refresh rotation revokes the old refresh token **and** its access token (§3.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from taskmcp.standin.store.db import Database, fetch_one
from taskmcp.standin.store.models import AuthCode

__all__ = ["GrantRepo", "IssuedTokens"]

_SAVE_CODE = """INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri,
        scope, code_challenge, code_challenge_method, expires_at)
    VALUES (:code_hash, :client_id, :user_id, :redirect_uri, :scope, :code_challenge,
        :code_challenge_method, :expires_at)"""
_CONSUME_CODE = """UPDATE authorization_codes SET used = 1
    WHERE code_hash = :h AND client_id = :client AND used = 0 AND expires_at > :now
    RETURNING *"""
_ACCESS = """INSERT INTO access_tokens (token_hash, client_id, user_id, scope, expires_at)
    VALUES (:access, :client, :user, :scope, :expires_at)"""
_REFRESH = """INSERT INTO refresh_tokens (token_hash, access_token_hash, client_id, user_id,
        scope) VALUES (:refresh, :access, :client, :user, :scope)"""
_REVOKE_REFRESH = """UPDATE refresh_tokens SET revoked = 1
    WHERE token_hash = :h AND client_id = :client AND revoked = 0 RETURNING *"""
_ACCESS_USER = """SELECT user_id FROM access_tokens
    WHERE token_hash = :h AND revoked = 0 AND expires_at > :now AND user_id IS NOT NULL"""


@dataclass(frozen=True)
class IssuedTokens:
    """Digests of a new token pair (no refresh token for client_credentials), and what
    the tokens grant (no user for client_credentials)."""

    access: str
    refresh: str | None
    client_id: str
    user_id: int | None
    scope: str

    def params(self, expires_at: str) -> dict[str, object]:
        return {
            "access": self.access,
            "refresh": self.refresh,
            "client": self.client_id,
            "user": self.user_id,
            "scope": self.scope,
            "expires_at": expires_at,
        }


async def _insert(conn: aiosqlite.Connection, tokens: IssuedTokens, expires_at: str) -> None:
    await conn.execute(_ACCESS, tokens.params(expires_at))
    if tokens.refresh is not None:
        await conn.execute(_REFRESH, tokens.params(expires_at))


class GrantRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save_code(self, code_hash: str, code: AuthCode, *, expires_at: str) -> None:
        params = {**code.model_dump(), "code_hash": code_hash, "expires_at": expires_at}
        async with self._db.write() as conn:
            await conn.execute(_SAVE_CODE, params)

    async def consume_code(self, code_hash: str, client_id: str, *, now: str) -> AuthCode | None:
        """Mark the client's live, unused code used and return it; else ``None``."""
        async with self._db.write() as conn:
            row = await fetch_one(
                conn, _CONSUME_CODE, {"h": code_hash, "client": client_id, "now": now}
            )
        return None if row is None else AuthCode.from_row(row)

    async def issue(self, tokens: IssuedTokens, *, expires_at: str) -> None:
        async with self._db.write() as conn:
            await _insert(conn, tokens, expires_at)

    async def rotate(
        self, refresh_hash: str, client_id: str, new: tuple[str, str], *, expires_at: str
    ) -> bool:
        """Revoke a live refresh token of ``client_id`` and its access token, then store
        the ``new`` (access, refresh) digests with the same user and scope."""
        async with self._db.write() as conn:
            old = await fetch_one(conn, _REVOKE_REFRESH, {"h": refresh_hash, "client": client_id})
            if old is None:
                return False
            sql = "UPDATE access_tokens SET revoked = 1 WHERE token_hash = :h"
            await conn.execute(sql, {"h": old["access_token_hash"]})
            tokens = IssuedTokens(*new, client_id, old["user_id"], old["scope"])
            await _insert(conn, tokens, expires_at)
        return True

    async def access_token_user(self, token_hash: str, *, now: str) -> int | None:
        """The user of a live, unrevoked access token; ``None`` also for client tokens."""
        row = await self._db.one(_ACCESS_USER, {"h": token_hash, "now": now})
        return None if row is None else int(row["user_id"])

"""Users and login sessions (§2.1, §2.2, §5.3).

A session is a random UUID (the cookie value) with an owner and an expiry; an expired
or deleted session is indistinguishable from none (§2.4).
"""

from __future__ import annotations

from taskmcp.standin.store.db import Database, fetch_one
from taskmcp.standin.store.models import User

__all__ = ["SessionRepo", "UserRepo"]

_UPSERT_USER = """INSERT INTO users (username, email, password_hash, created_at)
    VALUES (:username, :email, :password_hash, :now)
    ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash
    RETURNING *"""


class UserRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def upsert(self, username: str, email: str, password_hash: str, *, now: str) -> User:
        """Create the user, or update the password of the existing one (seeding)."""
        params = {"username": username, "email": email, "password_hash": password_hash}
        async with self._db.write() as conn:
            row = await fetch_one(conn, _UPSERT_USER, {**params, "now": now})
        assert row is not None
        return User.from_row(row)

    async def by_username(self, username: str) -> User | None:
        row = await self._db.one("SELECT * FROM users WHERE username = :u", {"u": username})
        return None if row is None else User.from_row(row)

    async def by_id(self, user_id: int) -> User | None:
        row = await self._db.one("SELECT * FROM users WHERE id = :id", {"id": user_id})
        return None if row is None else User.from_row(row)


class SessionRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, session_id: str, user_id: int, *, expires_at: str) -> None:
        sql = "INSERT INTO sessions (id, user_id, expires_at) VALUES (:id, :user, :exp)"
        async with self._db.write() as conn:
            await conn.execute(sql, {"id": session_id, "user": user_id, "exp": expires_at})

    async def user_id(self, session_id: str, *, now: str) -> int | None:
        """The owner of a live session, else ``None``."""
        sql = "SELECT user_id FROM sessions WHERE id = :id AND expires_at > :now"
        row = await self._db.one(sql, {"id": session_id, "now": now})
        return None if row is None else int(row["user_id"])

    async def delete(self, session_id: str) -> None:
        async with self._db.write() as conn:
            await conn.execute("DELETE FROM sessions WHERE id = :id", {"id": session_id})

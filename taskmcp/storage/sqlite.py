"""SQLite storage (``sqlite:///path/to/file.db``) on aiosqlite.

Durability and atomicity follow oauth-checklist §15:

* WAL journal, ``synchronous=FULL`` (a power loss must not resurrect a consumed code
  or a revoked grant), ``busy_timeout=5000``, ``foreign_keys=ON``.
* Connections run in autocommit mode (``isolation_level=None``); every write is an
  explicit ``BEGIN IMMEDIATE … COMMIT`` so that a read-modify-write never upgrades a
  deferred transaction (which fails with SQLITE_BUSY at once).
* **One writer connection**, serialised by an ``asyncio.Lock`` (aiosqlite interleaves
  the statements of tasks sharing a connection), and a small pool of read-only reader
  connections; WAL lets readers proceed while the writer commits.
* Check-and-set steps are single conditional statements with ``RETURNING``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import NoReturn

import aiosqlite

from taskmcp.storage.codec import Codec, to_micros
from taskmcp.storage.errors import ConflictError, StorageUnavailableError
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
from taskmcp.storage.schema import MIGRATIONS

__all__ = ["SqliteStorage", "open_sqlite"]

_CLIENTS = Codec(Client, "clients")
_PENDING = Codec(PendingAuthorization, "pending_authorizations")
_GRANTS = Codec(Grant, "grants")
_CODES = Codec(AuthorizationCode, "authorization_codes")
_ACCESS = Codec(AccessToken, "access_tokens")
_REFRESH = Codec(RefreshToken, "refresh_tokens")
_CONSENTS = Codec(Consent, "consents")

_LIVE_GRANT = (
    "SELECT 1 FROM grants g WHERE g.grant_id = {t}.grant_id"
    " AND g.revoked_at IS NULL AND g.expires_at > :now"
)
_DEAD_GRANTS = "SELECT grant_id FROM grants WHERE revoked_at IS NOT NULL OR expires_at <= :now"
_REDEEM_SQL = """UPDATE authorization_codes SET consumed_at = :now
    WHERE code_hash = :h AND consumed_at IS NULL AND expires_at > :now
      AND EXISTS (SELECT 1 FROM grants g WHERE g.grant_id = authorization_codes.grant_id
                  AND g.revoked_at IS NULL AND g.expires_at > :now)
    RETURNING code_hash"""
_READERS = 2


@contextlib.asynccontextmanager
async def open_sqlite(path: Path) -> AsyncIterator[SqliteStorage]:
    """Open (creating and migrating if needed) the database at ``path``."""
    try:
        await asyncio.to_thread(_prepare_file, path)
    except OSError as exc:
        raise StorageUnavailableError(f"cannot create SQLite database: {exc.strerror}") from exc
    async with contextlib.AsyncExitStack() as stack:
        try:
            writer = await stack.enter_async_context(_connect(path, read_only=False))
            await _migrate(writer)
            readers = [
                await stack.enter_async_context(_connect(path, read_only=True))
                for _ in range(_READERS)
            ]
        except sqlite3.Error as exc:
            raise StorageUnavailableError(f"cannot open SQLite database: {exc}") from exc
        yield SqliteStorage(writer, readers)


def _prepare_file(path: Path) -> None:
    """Create the directory and an owner-only database file (it holds hashed tokens and
    sealed upstream credentials)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)


@contextlib.asynccontextmanager
async def _connect(path: Path, *, read_only: bool) -> AsyncIterator[aiosqlite.Connection]:
    conn = await aiosqlite.connect(os.fspath(path), isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 5000")
        if not read_only:
            await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            await conn.execute("PRAGMA query_only = ON")
        yield conn
    finally:
        await conn.close()


async def _migrate(conn: aiosqlite.Connection) -> None:
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    for target, statements in enumerate(MIGRATIONS, start=1):
        await conn.execute("BEGIN IMMEDIATE")
        try:
            async with conn.execute("SELECT max(version) FROM schema_version") as cur:
                row = await cur.fetchone()
            if row is not None and (row[0] or 0) >= target:
                await conn.execute("COMMIT")
                continue
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("INSERT INTO schema_version (version) VALUES (?)", (target,))
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise


class SqliteStorage:
    """``taskmcp.storage.Storage`` on one SQLite file. Build it with ``open_sqlite``."""

    def __init__(self, writer: aiosqlite.Connection, readers: Iterable[aiosqlite.Connection]):
        self._writer = writer
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._readers.put_nowait(reader)

    # -- connection discipline -------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction on the writer: all of it or none of it."""
        async with self._write_lock:
            conn = self._writer
            try:
                await conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageUnavailableError(f"SQLite write failed: {exc}") from exc
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException as exc:
                await _rollback(conn)
                _reraise(exc)

    @contextlib.asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        conn = await self._readers.get()
        try:
            yield conn
        except sqlite3.Error as exc:
            raise StorageUnavailableError(f"SQLite read failed: {exc}") from exc
        finally:
            self._readers.put_nowait(conn)

    async def _fetch_one(self, sql: str, params: dict[str, object]) -> sqlite3.Row | None:
        """The first row of a lookup (by key: at most one row). One round trip to the
        connection's thread (execute, fetch and finalise together), not three."""
        async with self._read() as conn:
            rows = list(await conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    # -- lifecycle -------------------------------------------------------------------

    async def ping(self) -> None:
        await self._fetch_one("SELECT 1", {})

    async def sweep(self, *, now: datetime) -> int:
        p = {"now": to_micros(now)}
        statements = [
            "DELETE FROM pending_authorizations WHERE expires_at <= :now",
            *(
                f"DELETE FROM {table} WHERE expires_at <= :now OR grant_id IN ({_DEAD_GRANTS})"  # noqa: S608
                for table in ("authorization_codes", "access_tokens", "refresh_tokens")
            ),
            "DELETE FROM grants WHERE revoked_at IS NOT NULL OR expires_at <= :now",
            "DELETE FROM consents WHERE expires_at <= :now",
            """DELETE FROM clients WHERE expires_at IS NOT NULL AND expires_at <= :now
               AND (source != 'dynamic' OR NOT EXISTS
                    (SELECT 1 FROM grants g WHERE g.client_id = clients.client_id))""",
        ]
        removed = 0
        async with self._write() as conn:
            for sql in statements:
                async with conn.execute(sql, p) as cur:
                    removed += max(cur.rowcount, 0)
        return removed

    # -- clients ---------------------------------------------------------------------

    async def save_client(self, client: Client) -> None:
        async with self._write() as conn:
            await conn.execute(_CLIENTS.replace_sql, _CLIENTS.to_row(client))

    async def get_client(self, client_id: str, *, now: datetime) -> Client | None:
        row = await self._fetch_one(
            "SELECT * FROM clients WHERE client_id = :id"
            " AND (expires_at IS NULL OR expires_at > :now)",
            {"id": client_id, "now": to_micros(now)},
        )
        return _CLIENTS.from_row(row) if row is not None else None

    async def touch_client(self, client_id: str, *, now: datetime, expires_at: datetime) -> bool:
        async with self._write() as conn:
            cur = await conn.execute(
                "UPDATE clients SET last_used_at = :now, expires_at = :exp WHERE client_id = :id",
                {"id": client_id, "now": to_micros(now), "exp": to_micros(expires_at)},
            )
            return cur.rowcount == 1

    async def delete_client(self, client_id: str) -> bool:
        async with self._write() as conn:
            cur = await conn.execute("DELETE FROM clients WHERE client_id = ?", (client_id,))
            return cur.rowcount == 1

    async def count_clients(self, source: ClientSource, *, now: datetime) -> int:
        row = await self._fetch_one(
            "SELECT count(*) FROM clients WHERE source = :source"
            " AND (expires_at IS NULL OR expires_at > :now)",
            {"source": source, "now": to_micros(now)},
        )
        return int(row[0]) if row is not None else 0

    # -- pending authorizations ------------------------------------------------------

    async def save_pending(self, pending: PendingAuthorization) -> None:
        async with self._write() as conn:
            await conn.execute(_PENDING.insert_sql, _PENDING.to_row(pending))

    async def take_pending(self, state_hash: str, *, now: datetime) -> PendingAuthorization | None:
        async with self._write() as conn:
            cur = await conn.execute(
                "UPDATE pending_authorizations SET consumed_at = :now WHERE state_hash = :h"
                " AND consumed_at IS NULL AND expires_at > :now RETURNING *",
                {"h": state_hash, "now": to_micros(now)},
            )
            row = await cur.fetchone()
            await cur.close()
        return _PENDING.from_row(row) if row is not None else None

    # -- grants ----------------------------------------------------------------------

    async def save_grant(self, grant: Grant) -> None:
        async with self._write() as conn:
            await conn.execute(_GRANTS.insert_sql, _GRANTS.to_row(grant))

    async def get_grant(self, grant_id: str, *, now: datetime) -> Grant | None:
        row = await self._fetch_one(
            "SELECT * FROM grants WHERE grant_id = :id"
            " AND revoked_at IS NULL AND expires_at > :now",
            {"id": grant_id, "now": to_micros(now)},
        )
        return _GRANTS.from_row(row) if row is not None else None

    async def find_grant(
        self, *, user_id: str, client_id: str, resource: str, now: datetime
    ) -> Grant | None:
        row = await self._fetch_one(
            "SELECT * FROM grants WHERE user_id = :user AND client_id = :client"
            " AND resource = :resource AND revoked_at IS NULL AND expires_at > :now"
            " ORDER BY created_at DESC LIMIT 1",
            {"user": user_id, "client": client_id, "resource": resource, "now": to_micros(now)},
        )
        return _GRANTS.from_row(row) if row is not None else None

    async def update_upstream(
        self,
        grant_id: str,
        *,
        sealed_upstream: str,
        upstream_expires_at: datetime | None,
        expected_version: int,
        now: datetime,
    ) -> Grant | None:
        params = {
            "id": grant_id,
            "sealed": sealed_upstream,
            "uexp": to_micros(upstream_expires_at) if upstream_expires_at else None,
            "version": expected_version,
            "now": to_micros(now),
        }
        async with self._write() as conn:
            cur = await conn.execute(
                "UPDATE grants SET sealed_upstream = :sealed, upstream_expires_at = :uexp,"
                " version = version + 1 WHERE grant_id = :id AND version = :version"
                " AND revoked_at IS NULL AND expires_at > :now RETURNING *",
                params,
            )
            row = await cur.fetchone()
            await cur.close()
        return _GRANTS.from_row(row) if row is not None else None

    async def revoke_grant(self, grant_id: str, *, now: datetime) -> bool:
        async with self._write() as conn:
            return await _revoke_grant(conn, grant_id, to_micros(now))

    # -- codes -----------------------------------------------------------------------

    async def save_code(self, code: AuthorizationCode) -> None:
        async with self._write() as conn:
            await conn.execute(_CODES.insert_sql, _CODES.to_row(code))

    async def find_code(self, code_hash: str, *, now: datetime) -> AuthorizationCode | None:
        row = await self._fetch_one(
            "SELECT * FROM authorization_codes WHERE code_hash = :h AND expires_at > :now",
            {"h": code_hash, "now": to_micros(now)},
        )
        return _CODES.from_row(row) if row is not None else None

    async def redeem_code(
        self,
        code_hash: str,
        *,
        now: datetime,
        access: AccessToken,
        refresh: RefreshToken | None,
    ) -> bool:
        async with self._write() as conn:
            cur = await conn.execute(
                _REDEEM_SQL,
                {"h": code_hash, "now": to_micros(now)},
            )
            won = await cur.fetchone() is not None
            await cur.close()
            if won:
                await _insert_pair(conn, access, refresh)
        return won

    # -- tokens ----------------------------------------------------------------------

    async def find_access_token(self, token_hash: str, *, now: datetime) -> AccessToken | None:
        row = await self._fetch_one(
            _live_token_sql("access_tokens"), _token_params(token_hash, now)
        )
        return _ACCESS.from_row(row) if row is not None else None

    async def find_refresh_token(self, token_hash: str, *, now: datetime) -> RefreshToken | None:
        row = await self._fetch_one(
            _live_token_sql("refresh_tokens"), _token_params(token_hash, now)
        )
        return _REFRESH.from_row(row) if row is not None else None

    async def rotate_refresh_token(
        self,
        token_hash: str,
        *,
        now: datetime,
        grace: timedelta,
        access: AccessToken,
        refresh: RefreshToken,
    ) -> RotationOutcome:
        async with self._write() as conn:
            cur = await conn.execute(
                _live_token_sql("refresh_tokens"), _token_params(token_hash, now)
            )
            row = await cur.fetchone()
            await cur.close()
            if row is None:
                return "invalid"
            current = _REFRESH.from_row(row)
            if current.rotated_at is not None:
                if current.grace_closed or now >= current.rotated_at + grace:
                    await _revoke_grant(conn, current.grant_id, to_micros(now))
                    return "reused"
                await _insert_pair(conn, access, refresh)
                return "grace"
            await conn.execute(
                "UPDATE refresh_tokens SET rotated_at = :now WHERE token_hash = :h",
                {"h": token_hash, "now": to_micros(now)},
            )
            if current.parent_hash is not None:
                await conn.execute(
                    "UPDATE refresh_tokens SET grace_closed = 1 WHERE token_hash = ?",
                    (current.parent_hash,),
                )
            await _insert_pair(conn, access, refresh)
            return "rotated"

    async def revoke_access_token(self, token_hash: str, *, now: datetime) -> bool:
        async with self._write() as conn:
            cur = await conn.execute(
                "UPDATE access_tokens SET revoked_at = :now"
                " WHERE token_hash = :h AND revoked_at IS NULL",
                {"h": token_hash, "now": to_micros(now)},
            )
            return cur.rowcount == 1

    # -- consents --------------------------------------------------------------------

    async def save_consent(self, consent: Consent) -> None:
        async with self._write() as conn:
            await conn.execute(_CONSENTS.replace_sql, _CONSENTS.to_row(consent))

    async def find_consent(self, user_id: str, client_id: str, *, now: datetime) -> Consent | None:
        row = await self._fetch_one(
            "SELECT * FROM consents WHERE user_id = :user AND client_id = :client"
            " AND expires_at > :now",
            {"user": user_id, "client": client_id, "now": to_micros(now)},
        )
        return _CONSENTS.from_row(row) if row is not None else None

    async def delete_consent(self, user_id: str, client_id: str) -> bool:
        async with self._write() as conn:
            cur = await conn.execute(
                "DELETE FROM consents WHERE user_id = ? AND client_id = ?", (user_id, client_id)
            )
            return cur.rowcount == 1


def _live_token_sql(table: str) -> str:
    return (
        f"SELECT * FROM {table} WHERE token_hash = :h"  # noqa: S608
        f" AND revoked_at IS NULL AND expires_at > :now AND EXISTS ({_LIVE_GRANT.format(t=table)})"
    )


def _token_params(token_hash: str, now: datetime) -> dict[str, object]:
    return {"h": token_hash, "now": to_micros(now)}


async def _insert_pair(
    conn: aiosqlite.Connection, access: AccessToken, refresh: RefreshToken | None
) -> None:
    await conn.execute(_ACCESS.insert_sql, _ACCESS.to_row(access))
    if refresh is not None:
        await conn.execute(_REFRESH.insert_sql, _REFRESH.to_row(refresh))


async def _revoke_grant(conn: aiosqlite.Connection, grant_id: str, now: int) -> bool:
    p = {"id": grant_id, "now": now}
    cur = await conn.execute(
        "UPDATE grants SET revoked_at = :now WHERE grant_id = :id AND revoked_at IS NULL"
        " RETURNING expires_at",
        p,
    )
    row = await cur.fetchone()
    await cur.close()
    for table in ("access_tokens", "refresh_tokens"):
        await conn.execute(
            f"UPDATE {table} SET revoked_at = :now WHERE grant_id = :id AND revoked_at IS NULL",  # noqa: S608
            p,
        )
    return row is not None and int(row[0]) > now


async def _rollback(conn: aiosqlite.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        await conn.execute("ROLLBACK")


def _reraise(exc: BaseException) -> NoReturn:
    if isinstance(exc, sqlite3.IntegrityError):
        raise ConflictError("a record with this key already exists") from exc
    if isinstance(exc, sqlite3.Error):
        raise StorageUnavailableError(f"SQLite write failed: {exc}") from exc
    raise exc

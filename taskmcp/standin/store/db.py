"""One aiosqlite connection for the stand-in, every statement under one lock.

``memory://`` is an in-memory database that lives as long as its single connection;
``sqlite:///path`` is a file in WAL mode. The connection runs in autocommit mode and
multi-statement writes are explicit ``BEGIN IMMEDIATE … COMMIT`` blocks. aiosqlite
interleaves the statements of tasks that share a connection, so an ``asyncio.Lock``
serialises every use of it; a stand-in needs correctness, not throughput.

SQLite constraint failures become ``ConstraintError`` with the PostgreSQL wording that
TaskManager shows in its JAN ``SERVER_001`` bodies (§1.2).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path

import aiosqlite

from taskmcp.storage.errors import StorageUnavailableError

__all__ = ["ConstraintError", "Database", "Params", "connect", "fetch_all", "fetch_one"]

Params = Mapping[str, object]

_PG_MESSAGES = {
    "UNIQUE constraint failed: projects.name": (
        'duplicate key value violates unique constraint "projects_name_key"'
    ),
}


class ConstraintError(Exception):
    """A write broke a database rule; the message mimics PostgreSQL's."""


def _translate(exc: sqlite3.IntegrityError) -> ConstraintError:
    message = str(exc)
    return ConstraintError(_PG_MESSAGES.get(message, f"constraint violation: {message}"))


async def fetch_one(conn: aiosqlite.Connection, sql: str, params: Params) -> sqlite3.Row | None:
    async with conn.execute(sql, params) as cursor:
        row: sqlite3.Row | None = await cursor.fetchone()
        return row


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Params) -> list[sqlite3.Row]:
    async with conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


class Database:
    """The connection and its lock. Use ``read`` for one query, ``write`` for a unit."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    async def one(self, sql: str, params: Params) -> sqlite3.Row | None:
        async with self._lock:
            return await fetch_one(self._conn, sql, params)

    async def all(self, sql: str, params: Params) -> list[sqlite3.Row]:
        async with self._lock:
            return await fetch_all(self._conn, sql, params)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: all of it or none of it."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException as exc:
                await self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.IntegrityError):
                    raise _translate(exc) from exc
                raise
            await self._conn.execute("COMMIT")


@contextlib.asynccontextmanager
async def connect(path: Path | None, schema: Iterable[str]) -> AsyncIterator[Database]:
    """Open the file at ``path`` (``None`` = in memory) and create missing tables."""
    try:
        if path is not None:
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        target = ":memory:" if path is None else os.fspath(path)
        conn = await aiosqlite.connect(target, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StorageUnavailableError(f"cannot open the stand-in database: {exc}") from exc
    try:
        await _prepare(conn, schema, in_memory=path is None)
        yield Database(conn)
    finally:
        await conn.close()


async def _prepare(conn: aiosqlite.Connection, schema: Iterable[str], *, in_memory: bool) -> None:
    conn.row_factory = sqlite3.Row
    try:
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        if not in_memory:
            await conn.execute("PRAGMA journal_mode = WAL")
        for statement in schema:
            await conn.execute(statement)
    except sqlite3.Error as exc:
        raise StorageUnavailableError(f"cannot open the stand-in database: {exc}") from exc

"""Persistence of the TaskManager stand-in: one SQLite database, one repository per table
group. Not the authorization server's storage (``taskmcp.storage``); this is the
*upstream's* data, kept only so the stand-in can behave like TaskManager.

    async with open_standin_store("memory://") as store:
        user = await store.users.upsert(...)

URLs follow ``taskmcp.storage``: ``memory://`` (one in-memory database held open by its
connection) or ``sqlite:///relative.db`` / ``sqlite:////absolute.db``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from taskmcp.standin.store.accounts import SessionRepo, UserRepo
from taskmcp.standin.store.clients import ClientRepo, ClientSpec
from taskmcp.standin.store.db import ConstraintError, Database, connect
from taskmcp.standin.store.grants import GrantRepo, IssuedTokens
from taskmcp.standin.store.models import AuthCode, OAuthClient, Project, Task, User
from taskmcp.standin.store.projects import PROJECT_COLUMNS, ProjectRepo
from taskmcp.standin.store.schema import SCHEMA
from taskmcp.standin.store.tasks import TASK_COLUMNS, TaskQuery, TaskRepo
from taskmcp.storage import parse_storage_url

__all__ = [
    "PROJECT_COLUMNS",
    "TASK_COLUMNS",
    "AuthCode",
    "ClientSpec",
    "ConstraintError",
    "IssuedTokens",
    "OAuthClient",
    "Project",
    "StandinStore",
    "Task",
    "TaskQuery",
    "User",
    "open_standin_store",
]


class StandinStore:
    """The repositories over one database. Build it with ``open_standin_store``."""

    def __init__(self, db: Database) -> None:
        self.users = UserRepo(db)
        self.sessions = SessionRepo(db)
        self.clients = ClientRepo(db)
        self.grants = GrantRepo(db)
        self.projects = ProjectRepo(db)
        self.tasks = TaskRepo(db)


@contextlib.asynccontextmanager
async def open_standin_store(url: str) -> AsyncIterator[StandinStore]:
    """Open (creating tables if needed) the database named by ``url``.

    Raises ``StorageConfigError`` for a bad URL, ``StorageUnavailableError`` when the
    file cannot be opened."""
    async with connect(parse_storage_url(url), SCHEMA) as db:
        yield StandinStore(db)

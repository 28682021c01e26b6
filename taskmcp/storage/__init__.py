"""Persistence for the authorization server: one interface, backends chosen by URL.

    async with open_storage("sqlite:///.taskmcp/auth.db") as storage:
        await storage.save_client(client)

URLs: ``memory://`` (in-process, lost on restart) and ``sqlite:///relative/path.db`` or
``sqlite:////absolute/path.db`` (the path is everything after ``sqlite:///``, as in
SQLAlchemy). A PostgreSQL backend can be added behind the same ``Storage`` Protocol.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

from taskmcp.storage.base import (
    ClientStore,
    CodeStore,
    ConsentStore,
    GrantStore,
    PendingStore,
    Storage,
    TokenStore,
)
from taskmcp.storage.errors import (
    ConflictError,
    StorageConfigError,
    StorageError,
    StorageUnavailableError,
)
from taskmcp.storage.memory import MemoryStorage
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
    Scopes,
    TokenEndpointAuthMethod,
)
from taskmcp.storage.sqlite import SqliteStorage, open_sqlite

__all__ = [
    "AccessToken",
    "AuthorizationCode",
    "Client",
    "ClientSource",
    "ClientStore",
    "CodeStore",
    "ConflictError",
    "Consent",
    "ConsentStore",
    "Grant",
    "GrantStore",
    "MemoryStorage",
    "PendingAuthorization",
    "PendingStore",
    "RefreshToken",
    "RotationOutcome",
    "Scopes",
    "SqliteStorage",
    "Storage",
    "StorageConfigError",
    "StorageError",
    "StorageUnavailableError",
    "TokenEndpointAuthMethod",
    "TokenStore",
    "open_storage",
    "parse_storage_url",
]

_SCHEMES = "use memory:// or sqlite:///path/to/file.db"


def parse_storage_url(url: str) -> Path | None:
    """Validate a storage URL: ``None`` for ``memory://``, else the SQLite file path.

    Raises ``StorageConfigError`` with a one-line message; the message never repeats the
    URL itself, which for future backends may carry a password."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise StorageConfigError(f"not a storage URL ({_SCHEMES})")
    if scheme == "memory":
        if rest:
            raise StorageConfigError("memory:// takes no path")
        return None
    if scheme == "sqlite":
        parts = urlsplit(url)
        if parts.netloc or not rest.startswith("/") or len(rest) < 2 or parts.query:
            raise StorageConfigError(f"malformed sqlite URL ({_SCHEMES})")
        return Path(rest[1:])
    raise StorageConfigError(f"unsupported storage scheme {scheme!r} ({_SCHEMES})")


@contextlib.asynccontextmanager
async def open_storage(url: str) -> AsyncIterator[Storage]:
    """Open the backend named by ``url`` for the duration of the context."""
    path = parse_storage_url(url)
    if path is None:
        yield MemoryStorage()
        return
    async with open_sqlite(path) as storage:
        yield storage

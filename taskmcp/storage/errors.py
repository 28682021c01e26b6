"""Storage errors.

::

    StorageError
    ├── StorageConfigError       unknown scheme or malformed storage URL
    ├── ConflictError            an insert collided with an existing key
    └── StorageUnavailableError  the backend failed (disk, locking, connection)
"""

from __future__ import annotations

__all__ = ["ConflictError", "StorageConfigError", "StorageError", "StorageUnavailableError"]


class StorageError(Exception):
    """Base of every storage failure."""


class StorageConfigError(StorageError):
    """The storage URL cannot be used. The message is one line, safe to print."""


class ConflictError(StorageError):
    """A record with the same key already exists."""


class StorageUnavailableError(StorageError):
    """The backend did not complete the operation; nothing was written."""

"""The authorization server's secret key (hashes token lookups, encrypts upstream tokens).

``TASKMCP_SECRET_KEY`` wins when set (at least 32 characters; validated in
``taskmcp.config``). In production it is required. In development a random key is
generated once into ``<data_dir>/secret.key`` (mode 0600) and reused on every start, so
tokens survive restarts. The key itself is never logged.

``stored_secret`` is the same read-or-create for the other development secrets that
``taskmcp dev`` keeps in the data directory.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from taskmcp.config import AuthSettings, ConfigError
from taskmcp.settings_types import MIN_SECRET_LENGTH

__all__ = ["KEY_FILE", "resolve_secret_key", "stored_secret"]

KEY_FILE = "secret.key"

log = logging.getLogger(__name__)


def resolve_secret_key(settings: AuthSettings) -> bytes:
    """The configured key, or the development key file (created on first use)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    if settings.env == "production":
        raise ConfigError("TASKMCP_SECRET_KEY: required when TASKMCP_ENV=production")
    key = stored_secret(settings.data_dir / KEY_FILE)
    log.info("using the development secret key in %s", settings.data_dir / KEY_FILE)
    return key


def stored_secret(path: Path) -> bytes:
    """The random secret kept in ``path``, created (mode 0600) on first use."""
    try:
        return _read_key(path) if path.exists() else _create_key(path)
    except OSError as exc:
        raise ConfigError(f"TASKMCP_DATA_DIR: cannot use {path}: {exc.strerror}") from None


def _read_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"TASKMCP_DATA_DIR: {path} must hold at least {MIN_SECRET_LENGTH} bytes")
    return key


def _create_key(path: Path) -> bytes:
    """Write a new key atomically: a 0600 temp file hard-linked into place.

    ``os.link`` fails if the file appeared meanwhile, so two processes starting at
    once end up sharing whichever key was linked first.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_urlsafe(48).encode())
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return _read_key(path)

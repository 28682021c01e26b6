"""Opaque credentials in TaskManager's formats (§3.1) and their stored digests.

Codes, access and refresh tokens and generated client secrets are 64 lowercase hex
characters; ``client_id`` is 32. The store keeps only SHA-256 digests; comparisons of
digests use ``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["digest", "digest_matches", "new_client_id", "new_token"]


def new_token() -> str:
    return secrets.token_hex(32)


def new_client_id() -> str:
    return secrets.token_hex(16)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def digest_matches(value: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(digest(value), stored)

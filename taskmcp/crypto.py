"""Secrets at rest: random tokens, keyed lookup hashes, sealed upstream credentials.

One secret key (``TASKMCP_SECRET_KEY``) yields two independent sub-keys through
HKDF-SHA256 (RFC 5869):

* the **hash key**: ``TokenHasher`` stores ``HMAC-SHA256(hash key, token)`` instead of a
  token, code or secret (oauth-checklist S2). Inputs carry ≥ 256 bits of entropy, so a
  fast MAC is the right tool; the key means a stolen database cannot even be used to
  test guesses offline.
* the **seal key**: ``Sealer`` encrypts the user's upstream TaskManager tokens with
  AES-256-GCM (S3), optionally bound to a context (e.g. the grant id) as associated
  data, so a sealed value moved to another row does not open.

Sealed values look like ``v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``; the key id
names the key that sealed them, so a future key rotation can tell old from new.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["MIN_SECRET_KEY_LENGTH", "SealError", "Sealer", "TokenHasher", "new_token"]

MIN_SECRET_KEY_LENGTH = 32
_NONCE_BYTES = 12
_VERSION = "v1"


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token; 32 bytes = 256 bits (oauth-checklist S1)."""
    return secrets.token_urlsafe(nbytes)


def _derive(secret_key: bytes, label: str) -> bytes:
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(f"secret key must be at least {MIN_SECRET_KEY_LENGTH} bytes")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode())
    return hkdf.derive(secret_key)


class TokenHasher:
    """Keyed hashes for looking secrets up without storing them."""

    def __init__(self, secret_key: bytes) -> None:
        self._key = _derive(secret_key, "taskmcp/token-hash/v1")

    def hash(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()

    def verify(self, value: str, expected_hash: str) -> bool:
        """Constant-time comparison of ``value``'s hash with a stored one."""
        return hmac.compare_digest(self.hash(value), expected_hash)


class SealError(Exception):
    """A sealed value is malformed, was sealed under another key, or was tampered with."""


class Sealer:
    """Authenticated encryption of small secrets (AES-256-GCM, random 96-bit nonces)."""

    def __init__(self, secret_key: bytes) -> None:
        key = _derive(secret_key, "taskmcp/seal/v1")
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(key).hexdigest()[:8]

    def seal(self, plaintext: bytes, *, context: str = "") -> str:
        nonce = os.urandom(_NONCE_BYTES)
        blob = nonce + self._aead.encrypt(nonce, plaintext, context.encode())
        encoded = base64.urlsafe_b64encode(blob).decode().rstrip("=")
        return f"{_VERSION}.{self.key_id}.{encoded}"

    def unseal(self, sealed: str, *, context: str = "") -> bytes:
        version, _, rest = sealed.partition(".")
        key_id, _, encoded = rest.partition(".")
        if version != _VERSION or not encoded:
            raise SealError("not a sealed value")
        if key_id != self.key_id:
            raise SealError("sealed under a different key")
        try:
            blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise SealError("not a sealed value") from exc
        if len(blob) <= _NONCE_BYTES:
            raise SealError("not a sealed value")
        try:
            return self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], context.encode())
        except InvalidTag as exc:
            raise SealError("sealed value failed authentication") from exc

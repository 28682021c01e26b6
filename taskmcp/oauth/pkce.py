"""PKCE (RFC 7636) with S256 only.

Grammar (§4.1): a verifier is 43-128 characters of ``[A-Za-z0-9-._~]``; an S256
challenge is BASE64URL(SHA256(ASCII(verifier))) without padding (§4.2), 43 characters.
``plain`` is never accepted (RFC 9700 §2.1.1). Comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

__all__ = ["CHALLENGE_RE", "VERIFIER_RE", "new_verifier", "s256_challenge", "verify_s256"]

VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
CHALLENGE_RE = VERIFIER_RE


def new_verifier() -> str:
    """A fresh verifier: 64 random bytes, 86 characters of the unreserved alphabet."""
    return secrets.token_urlsafe(64)


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def verify_s256(verifier: str, challenge: str) -> bool:
    """True when ``verifier`` is well-formed and hashes to ``challenge`` (RFC 7636 §4.6)."""
    if not VERIFIER_RE.fullmatch(verifier):
        return False
    return hmac.compare_digest(s256_challenge(verifier), challenge)

"""PKCE at the token step, as TaskManager does it (§3.7; RFC 7636 §4.6).

``S256`` compares BASE64URL(SHA256(verifier)) without padding; ``plain`` compares the
verifier itself, and is the method when none was given. The authorize step accepted
any challenge and method, so an unsupported method only fails here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["METHODS", "UnsupportedMethodError", "verifier_matches"]

METHODS = ("S256", "plain")


class UnsupportedMethodError(Exception):
    pass


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verifier_matches(challenge: str, method: str | None, verifier: str) -> bool:
    """Raises ``UnsupportedMethodError`` for a method other than S256 or plain."""
    method = method or "plain"
    if method not in METHODS:
        raise UnsupportedMethodError(method)
    expected = s256(verifier) if method == "S256" else verifier
    return hmac.compare_digest(expected.encode(), challenge.encode())

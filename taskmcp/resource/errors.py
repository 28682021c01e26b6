"""The resource server's authorization errors (RFC 6750 §3, mcp-protocol §8.1).

::

    AuthError                      status; rendered with ``WWW-Authenticate`` by the
    │                              resource app's error middleware
    ├── MissingToken               401  no credentials: challenge without ``error``
    ├── InvalidToken               401  ``error="invalid_token"``: unknown, expired,
    │                                   revoked, wrong audience, dead upstream grant
    ├── InsufficientScope          403  ``error="insufficient_scope"``, ``scope`` = what
    │                                   this operation needs (step-up)
    └── AuthUnavailable            503  ``Retry-After``: the token could not be checked

Descriptions are fixed sentences (RFC 6750 §3 limits their characters); they never
contain the token.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "RETRY_AFTER",
    "AuthError",
    "AuthUnavailable",
    "InsufficientScope",
    "InvalidToken",
    "MissingToken",
]

RETRY_AFTER = 5


class AuthError(Exception):
    status: ClassVar[int] = 401
    error: ClassVar[str | None] = None

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class MissingToken(AuthError):
    pass


class InvalidToken(AuthError):
    error = "invalid_token"


class InsufficientScope(AuthError):
    status = 403
    error = "insufficient_scope"

    def __init__(self, description: str, *, scope: str) -> None:
        super().__init__(description)
        self.scope = scope


class AuthUnavailable(AuthError):
    status = 503
    error = "temporarily_unavailable"

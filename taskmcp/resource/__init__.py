"""The resource-server side of authorization: bearer tokens, introspection with a
cache, protected-resource metadata, and the TaskManager credential per caller."""

from __future__ import annotations

from taskmcp.resource.access import (
    LOCAL_ACCESS,
    SCOPES,
    AccessInfo,
    TokenVerifier,
    Upstream,
    VerifierUnavailableError,
)
from taskmcp.resource.cache import CachingVerifier
from taskmcp.resource.errors import (
    AuthError,
    AuthUnavailable,
    InsufficientScope,
    InvalidToken,
    MissingToken,
)

__all__ = [
    "LOCAL_ACCESS",
    "SCOPES",
    "AccessInfo",
    "AuthError",
    "AuthUnavailable",
    "CachingVerifier",
    "InsufficientScope",
    "InvalidToken",
    "MissingToken",
    "TokenVerifier",
    "Upstream",
    "VerifierUnavailableError",
]

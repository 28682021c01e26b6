"""Scopes (RFC 6749 §3.3): ``tasks:read`` and ``tasks:write``.

A missing or empty ``scope`` means both (issue #4). ``offline_access`` is accepted and
ignored: refresh tokens are always issued (checklist T10), and ChatGPT expects the AS
to advertise it. Unknown scopes are ``invalid_scope``.
"""

from __future__ import annotations

import re

from taskmcp.oauth.errors import InvalidScope
from taskmcp.oauth.policy import SCOPES

__all__ = ["IGNORED_SCOPES", "format_scopes", "parse_scopes"]

IGNORED_SCOPES = frozenset({"offline_access"})
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")  # RFC 6749 §3.3 scope-token


def parse_scopes(value: str | None, *, default: tuple[str, ...] = SCOPES) -> tuple[str, ...]:
    """The granted scopes in canonical order, or ``InvalidScope``."""
    words = (value or "").split(" ")
    requested = {word for word in words if word}
    if not requested:
        return default
    for word in requested:
        if not _SCOPE_TOKEN.fullmatch(word) or (word not in SCOPES and word not in IGNORED_SCOPES):
            raise InvalidScope("unknown scope requested")
    granted = tuple(scope for scope in SCOPES if scope in requested)
    if not granted:
        raise InvalidScope("request tasks:read and/or tasks:write")
    return granted


def format_scopes(scopes: tuple[str, ...]) -> str:
    return " ".join(scopes)

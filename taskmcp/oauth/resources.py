"""Resource indicators (RFC 8707 §2; checklist X1-X5).

Each grant is bound to exactly one resource: the MCP endpoint. A missing ``resource``
defaults to it (some Claude Code versions omit it); values are compared after
normalising (lowercase scheme and host, default port removed, trailing slash stripped).
"""

from __future__ import annotations

from collections.abc import Sequence

from taskmcp.oauth.errors import InvalidTarget
from taskmcp.urls import normalize_resource

__all__ = ["normalize_resource", "resolve_resource"]


def resolve_resource(values: Sequence[str], canonical: str) -> str:
    """The grant's resource for the ``resource`` parameters of a request."""
    if not values:
        return canonical
    if len(values) > 1:
        raise InvalidTarget("exactly one resource may be requested")
    if normalize_resource(values[0]) != normalize_resource(canonical):
        raise InvalidTarget("unknown resource")
    return canonical

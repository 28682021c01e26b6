"""URL comparison helpers for resource identifiers and origins.

RFC 8707 §2 / mcp-protocol §8.1: the audience of a token is compared in a normalised
form, because clients add or drop trailing slashes: lowercase scheme and host, the
default port removed, no fragment, no trailing ``/``. An origin (RFC 6454 §6.2) is
``scheme://host[:port]`` with the same normalisation and no path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["DEFAULT_PORTS", "normalize_origin", "normalize_resource", "origin_of"]

DEFAULT_PORTS = {"http": 80, "https": 443}


def _netloc(scheme: str, host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    if port is None or DEFAULT_PORTS.get(scheme) == port:
        return shown
    return f"{shown}:{port}"


def normalize_resource(url: str) -> str | None:
    """The comparable form of a resource URL, or ``None`` if it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.fragment or "@" in parts.netloc:  # RFC 8707 §2: no fragment; no user info
        return None
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{_netloc(scheme, parts.hostname.lower(), port)}{path}{query}"


def normalize_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` in lowercase without the default port, or ``None`` if
    ``origin`` is not an http(s) origin (a path other than ``/`` is not an origin)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or "@" in parts.netloc:
        return None
    return f"{scheme}://{_netloc(scheme, parts.hostname.lower(), port)}"


def origin_of(url: str) -> str | None:
    """The origin of an absolute http(s) URL (its path is dropped)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return normalize_origin(f"{parts.scheme}://{parts.netloc}")

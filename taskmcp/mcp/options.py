"""Tunable limits of the MCP transport, with production defaults (tests shrink them)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_BODY", "TransportOptions"]

MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class TransportOptions:
    max_body: int = MAX_BODY
    """Largest accepted POST body in bytes; larger → 413 with a JSON-RPC error."""
    keepalive: float = 15.0
    """Seconds between SSE keep-alive comments; also how long a request may run
    silently before its response commits to SSE."""
    session_idle_ttl: float = 30 * 60.0
    """A legacy session ends after this many seconds without a request."""
    max_sessions_per_user: int = 32
    """Opening one more evicts that user's least recently used session."""
    sweep_interval: float = 60.0
    """Seconds between sweeps of expired sessions."""
    body_timeout: float = 30.0
    """Seconds a POST body may take to arrive once its headers have; slower → 408, so
    that a client trickling its body cannot hold a request open forever."""

"""The MCP Streamable HTTP transport for both protocol eras (mcp-protocol §2 to §6):
JSON-RPC, era selection, legacy sessions, SSE, dispatch to the tools."""

from __future__ import annotations

from taskmcp.mcp.dispatch import McpServer
from taskmcp.mcp.options import TransportOptions
from taskmcp.mcp.sessions import MemorySessionStore, Session, SessionStore
from taskmcp.mcp.versions import LEGACY_VERSIONS, MODERN_VERSIONS

__all__ = [
    "LEGACY_VERSIONS",
    "MODERN_VERSIONS",
    "McpServer",
    "MemorySessionStore",
    "Session",
    "SessionStore",
    "TransportOptions",
]

"""Every typed ``web.AppKey`` of both applications (never string keys).

Concrete classes use ``web.AppKey(name, Class)``; Protocols use ``web.AppKey[P](name)``
because a Protocol is not a runtime type.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.config import AuthSettings, ResourceSettings
from taskmcp.mcp.dispatch import McpServer
from taskmcp.mcp.jsonrpc import Era
from taskmcp.mcp.options import TransportOptions
from taskmcp.mcp.sessions import SessionStore
from taskmcp.mcp.streams import StreamHub, TaskRegistry
from taskmcp.oauth.context import OAuthContext
from taskmcp.resource.access import Upstream
from taskmcp.resource.cache import CachingVerifier
from taskmcp.storage import Storage

__all__ = [
    "AUTH_SETTINGS",
    "BEARER_TOKEN",
    "ERA",
    "MCP_SERVER",
    "OAUTH",
    "RESOURCE_SETTINGS",
    "SESSIONS",
    "STORAGE",
    "STREAMS",
    "TASKS",
    "TRANSPORT",
    "UPSTREAM",
    "VERIFIER",
]

AUTH_SETTINGS = web.AppKey("auth_settings", AuthSettings)
RESOURCE_SETTINGS = web.AppKey("resource_settings", ResourceSettings)
STORAGE = web.AppKey[Storage]("storage")
OAUTH = web.AppKey("oauth", OAuthContext)

# the resource server (MCP transport)
MCP_SERVER = web.AppKey("mcp_server", McpServer)
TRANSPORT = web.AppKey("transport", TransportOptions)
SESSIONS = web.AppKey[SessionStore]("sessions")
STREAMS = web.AppKey("streams", StreamHub)
TASKS = web.AppKey("tasks", TaskRegistry)
VERIFIER = web.AppKey("verifier", CachingVerifier)
UPSTREAM = web.AppKey[Upstream]("upstream")
ERA = web.RequestKey[Era]("mcp_era")
BEARER_TOKEN = web.RequestKey("bearer_token", str)

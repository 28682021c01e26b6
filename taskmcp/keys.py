"""Every typed ``web.AppKey`` of both applications (never string keys).

Concrete classes use ``web.AppKey(name, Class)``; Protocols use ``web.AppKey[P](name)``
because a Protocol is not a runtime type.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.config import AuthSettings, ResourceSettings
from taskmcp.mcp.dispatch import McpServer
from taskmcp.mcp.jsonrpc import Era
from taskmcp.mcp.limits import UserLimits
from taskmcp.mcp.options import TransportOptions
from taskmcp.mcp.sessions import SessionStore
from taskmcp.mcp.streams import StreamHub, TaskRegistry
from taskmcp.oauth.context import OAuthContext
from taskmcp.observability.metrics import ResourceMetrics, ServiceMetrics
from taskmcp.observability.readiness import Readiness
from taskmcp.resource.access import Upstream
from taskmcp.resource.cache import CachingVerifier
from taskmcp.storage import Storage

__all__ = [
    "AUTH_SETTINGS",
    "BEARER_TOKEN",
    "CLIENT_ID",
    "ERA",
    "LIMITS",
    "MCP_SERVER",
    "METRICS",
    "OAUTH",
    "READINESS",
    "REQUEST_ID",
    "RESOURCE_METRICS",
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

# operations (both services; taskmcp.observability)
METRICS = web.AppKey("metrics", ServiceMetrics)
READINESS = web.AppKey("readiness", Readiness)
REQUEST_ID = web.RequestKey("request_id", str)
CLIENT_ID = web.RequestKey("client_id", str)

# the resource server (MCP transport)
MCP_SERVER = web.AppKey("mcp_server", McpServer)
TRANSPORT = web.AppKey("transport", TransportOptions)
SESSIONS = web.AppKey[SessionStore]("sessions")
STREAMS = web.AppKey("streams", StreamHub)
TASKS = web.AppKey("tasks", TaskRegistry)
LIMITS = web.AppKey("mcp_limits", UserLimits)
VERIFIER = web.AppKey("verifier", CachingVerifier)
RESOURCE_METRICS = web.AppKey("resource_metrics", ResourceMetrics)
UPSTREAM = web.AppKey[Upstream]("upstream")
ERA = web.RequestKey[Era]("mcp_era")
BEARER_TOKEN = web.RequestKey("bearer_token", str)

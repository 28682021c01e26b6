"""The MCP resource server application: wiring only, handlers live in their modules.

Routes: ``/mcp`` and ``/mcp/`` (POST, GET, DELETE; both paths served directly, never a
redirect), the protected-resource metadata (``taskmcp.resource.metadata``) and
``/healthz``. CORS (aiohttp-cors) is on for ``/mcp`` and the metadata, for every
response including errors and preflights. Middlewares, outermost first: the one error
renderer, then the Origin/Host guard.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp import health
from taskmcp.config import ResourceSettings
from taskmcp.cors import Cors
from taskmcp.keys import (
    MCP_SERVER,
    RESOURCE_SETTINGS,
    SESSIONS,
    STREAMS,
    TASKS,
    TRANSPORT,
    VERIFIER,
)
from taskmcp.mcp.dispatch import McpServer
from taskmcp.mcp.guards import GuardPolicy, guard_middleware
from taskmcp.mcp.headers import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS
from taskmcp.mcp.lifecycle import close_streams, session_sweeper
from taskmcp.mcp.options import TransportOptions
from taskmcp.mcp.sessions import MemorySessionStore
from taskmcp.mcp.streamable_http import MCP_PATHS, handle_delete, handle_get, handle_post
from taskmcp.mcp.streams import StreamHub, TaskRegistry
from taskmcp.resource.access import TokenVerifier
from taskmcp.resource.cache import CachingVerifier
from taskmcp.resource.introspection import introspection_context
from taskmcp.resource.metadata import PRM_PATHS, serve_metadata
from taskmcp.resource.middleware import error_middleware
from taskmcp.resource.upstream import upstream_context
from taskmcp.tools.base import ToolRegistry

__all__ = ["create_resource_app"]


def _routes(app: web.Application) -> None:
    cors = Cors(app, allow_headers=CORS_ALLOW_HEADERS, expose_headers=CORS_EXPOSE_HEADERS)
    app.router.add_get("/healthz", health.healthz)
    for path in PRM_PATHS:
        cors.add(app.router.add_get(path, serve_metadata, allow_head=False))
    for path in MCP_PATHS:
        cors.add(app.router.add_post(path, handle_post))
        cors.add(app.router.add_get(path, handle_get, allow_head=False))
        cors.add(app.router.add_delete(path, handle_delete))


def create_resource_app(
    settings: ResourceSettings,
    *,
    tools: ToolRegistry,
    verifier: TokenVerifier | None = None,
    transport: TransportOptions | None = None,
) -> web.Application:
    """Build the resource server. ``verifier`` None: introspect at ``MCP_AUTH_SERVER``
    (built in a cleanup context); either way results are cached."""
    options = transport or TransportOptions()
    guard = guard_middleware(GuardPolicy.from_settings(settings, frozenset(MCP_PATHS)))
    app = web.Application(middlewares=[error_middleware, guard], client_max_size=options.max_body)
    app[RESOURCE_SETTINGS] = settings
    app[TRANSPORT] = options
    app[MCP_SERVER] = McpServer(tools)
    app[SESSIONS] = MemorySessionStore(
        idle_ttl=options.session_idle_ttl, max_per_user=options.max_sessions_per_user
    )
    app[STREAMS] = StreamHub()
    app[TASKS] = TaskRegistry()
    if verifier is not None:
        app[VERIFIER] = CachingVerifier(verifier)
    elif not settings.no_auth:
        app.cleanup_ctx.append(introspection_context)
    app.cleanup_ctx.append(upstream_context)
    app.cleanup_ctx.append(session_sweeper)
    app.on_shutdown.append(close_streams)
    _routes(app)
    return app

"""The MCP resource server application: wiring only, handlers live in their modules.

Routes: ``/mcp`` and ``/mcp/`` (POST, GET, DELETE; both paths served directly, never a
redirect), the protected-resource metadata (``taskmcp.resource.metadata``),
``/healthz``, ``/readyz`` (the authorization server's introspection endpoint and
TaskManager answer HTTP) and ``/metrics`` (``taskmcp.observability``). CORS
(aiohttp-cors) is on for ``/mcp`` and the metadata, for every response including
errors and preflights. Middlewares, outermost first: request observation (request id,
HTTP metrics), the one error renderer, then the Origin/Host guard.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.config import ResourceSettings
from taskmcp.cors import Cors
from taskmcp.keys import (
    LIMITS,
    MCP_SERVER,
    RESOURCE_METRICS,
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
from taskmcp.mcp.limits import UserLimits
from taskmcp.mcp.options import TransportOptions
from taskmcp.mcp.sessions import MemorySessionStore
from taskmcp.mcp.streamable_http import MCP_PATHS, handle_delete, handle_get, handle_post
from taskmcp.mcp.streams import StreamHub, TaskRegistry
from taskmcp.observability.metrics import ResourceMetrics
from taskmcp.observability.readiness import TASKMANAGER_PROBE_PATH, Readiness
from taskmcp.observability.requests import observe
from taskmcp.observability.wiring import install
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
    (built in a cleanup context); either way results are cached. ``transport`` (tests)
    replaces the transport options built from ``settings``."""
    options = transport or TransportOptions(max_sessions_per_user=settings.mcp_max_sessions)
    guard = guard_middleware(GuardPolicy.from_settings(settings, frozenset(MCP_PATHS)))
    app = web.Application(
        middlewares=[observe, error_middleware, guard], client_max_size=options.max_body
    )
    app[RESOURCE_SETTINGS] = settings
    app[TRANSPORT] = options
    app[MCP_SERVER] = McpServer(tools)
    sessions = MemorySessionStore(
        idle_ttl=options.session_idle_ttl, max_per_user=options.max_sessions_per_user
    )
    app[SESSIONS] = sessions
    app[STREAMS] = streams = StreamHub()
    app[TASKS] = TaskRegistry()
    app[LIMITS] = UserLimits.from_settings(settings)
    metrics = ResourceMetrics(scrape_token=settings.metrics_token)
    metrics.watch(sessions=lambda: len(sessions), streams=lambda: len(streams))
    app[RESOURCE_METRICS] = metrics
    introspects = verifier is None and not settings.no_auth
    install(app, metrics=metrics, readiness=_readiness(settings, introspects=introspects))
    if verifier is not None:
        app[VERIFIER] = CachingVerifier(
            verifier, observer=metrics, positive_ttl=settings.introspection_cache_ttl
        )
    elif introspects:
        app.cleanup_ctx.append(introspection_context)
    app.cleanup_ctx.append(upstream_context)
    app.cleanup_ctx.append(session_sweeper)
    app.on_shutdown.append(close_streams)
    _routes(app)
    return app


def _readiness(settings: ResourceSettings, *, introspects: bool) -> Readiness:
    readiness = Readiness()
    if introspects:
        readiness.add_http("introspection", f"{settings.auth_server}/introspect")
    readiness.add_http("taskmanager", settings.taskmanager_internal_url + TASKMANAGER_PROBE_PATH)
    return readiness

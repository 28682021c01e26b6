"""The MCP resource server application: wiring only, handlers live in their modules."""

from __future__ import annotations

from aiohttp import web

from taskmcp import health
from taskmcp.config import ResourceSettings
from taskmcp.keys import RESOURCE_SETTINGS

__all__ = ["create_resource_app"]


def create_resource_app(settings: ResourceSettings) -> web.Application:
    """Build the resource server app (for now: liveness only)."""
    app = web.Application()
    app[RESOURCE_SETTINGS] = settings
    app.router.add_get("/healthz", health.healthz)
    return app

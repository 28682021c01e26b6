"""The authorization server application: wiring only, handlers live in their modules."""

from __future__ import annotations

from aiohttp import web

from taskmcp import health
from taskmcp.background import storage_sweeper
from taskmcp.config import AuthSettings
from taskmcp.keys import AUTH_SETTINGS, STORAGE
from taskmcp.storage import Storage

__all__ = ["create_auth_app"]


def create_auth_app(settings: AuthSettings, *, storage: Storage) -> web.Application:
    """Build the AS app around an already-open ``storage`` (the caller closes it)."""
    app = web.Application()
    app[AUTH_SETTINGS] = settings
    app[STORAGE] = storage
    app.cleanup_ctx.append(storage_sweeper)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)
    return app

"""Liveness and readiness probes (``/healthz``, ``/readyz``).

``/healthz`` says the process serves HTTP. ``/readyz`` says its dependencies answer:
a load balancer should route traffic only while it returns 200. The checks, their
timeouts and their cache are in ``taskmcp.observability.readiness``.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.keys import READINESS
from taskmcp.observability.readiness import CHECK_TIMEOUT

__all__ = ["READY_TIMEOUT", "healthz", "readyz"]

READY_TIMEOUT = CHECK_TIMEOUT
_NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"}, headers=_NO_STORE)


async def readyz(request: web.Request) -> web.Response:
    """200 ``{"status": "ready"}`` when every check passes, else 503 naming each failed
    check: ``{"status": "not ready", "checks": {"storage": "unreachable"}}``."""
    failed = await request.app[READINESS].failures()
    if failed:
        body = {"status": "not ready", "checks": failed}
        return web.json_response(body, status=503, headers=_NO_STORE)
    return web.json_response({"status": "ready"}, headers=_NO_STORE)

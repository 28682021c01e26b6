"""Liveness and readiness probes (``/healthz``, ``/readyz``).

``/healthz`` says the process serves HTTP. ``/readyz`` says its dependencies answer:
a load balancer should route traffic only while it returns 200.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from taskmcp.keys import STORAGE

__all__ = ["READY_TIMEOUT", "healthz", "readyz"]

READY_TIMEOUT = 2.0

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 when storage answers a ping within ``READY_TIMEOUT`` seconds, else 503."""
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            await request.app[STORAGE].ping()
    except Exception:
        log.warning("readiness check failed: storage unreachable", exc_info=True)
        body = {"status": "not ready", "checks": {"storage": "unreachable"}}
        return web.json_response(body, status=503)
    return web.json_response({"status": "ready"})

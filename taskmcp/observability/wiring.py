"""Add the operations surface to an application (called by both app factories).

``install`` stores the metrics and the readiness checks under their app keys, routes
``/healthz``, ``/readyz`` and ``/metrics`` (no CORS, no authentication except the
metrics rule in ``endpoint``), echoes ``X-Request-Id`` on every response, and opens
the readiness probes' HTTP session in a cleanup context. The ``observe`` middleware
is not added here: the factory lists it first, so that it is the outermost one.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp import health
from taskmcp.keys import METRICS, READINESS
from taskmcp.observability import endpoint
from taskmcp.observability.metrics import ServiceMetrics
from taskmcp.observability.readiness import Readiness
from taskmcp.observability.requests import echo_request_id

__all__ = ["install"]


def install(app: web.Application, *, metrics: ServiceMetrics, readiness: Readiness) -> None:
    app[METRICS] = metrics
    app[READINESS] = readiness
    app.on_response_prepare.append(echo_request_id)
    app.cleanup_ctx.append(readiness.context)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)
    app.router.add_get(endpoint.METRICS_PATH, endpoint.metrics)

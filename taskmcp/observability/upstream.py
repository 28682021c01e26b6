"""TaskManager call metrics, through an ``aiohttp.TraceConfig`` on the pooled upstream
session, so every request (REST calls, the upstream token exchange and refresh, the
service account login) is counted without touching the call sites.

* ``operation``: the method and the URL path with every segment that contains a digit
  replaced by ``{id}`` (``GET /api/todos/{id}``): bounded by the client's own routes,
  never a query string.
* ``outcome``: the status class (``2xx``, ``3xx``: TaskManager's login redirect,
  ``4xx``, ``5xx``), or ``timeout`` / ``error`` when no response arrived.
* Latency runs until the response headers arrived (or the request failed).
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import aiohttp
from yarl import URL

from taskmcp.observability.metrics import ServiceMetrics, method_label

__all__ = ["operation_label", "upstream_trace"]


def operation_label(method: str, url: URL) -> str:
    segments = ["{id}" if any(c.isdigit() for c in s) else s for s in url.path.split("/")]
    return f"{method_label(method)} {'/'.join(segments) or '/'}"


class _Tracer:
    def __init__(self, metrics: ServiceMetrics) -> None:
        self._metrics = metrics

    async def start(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        context.started = asyncio.get_running_loop().time()

    async def end(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        outcome = f"{params.response.status // 100}xx"
        self._observe(context, params.method, params.url, outcome)

    async def failed(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestExceptionParams,
    ) -> None:
        outcome = "timeout" if isinstance(params.exception, TimeoutError) else "error"
        self._observe(context, params.method, params.url, outcome)

    def _observe(self, context: SimpleNamespace, method: str, url: URL, outcome: str) -> None:
        started = getattr(context, "started", None)
        elapsed = asyncio.get_running_loop().time() - started if started is not None else 0.0
        self._metrics.observe_upstream(operation_label(method, url), outcome, elapsed)


def upstream_trace(metrics: ServiceMetrics) -> aiohttp.TraceConfig:
    """A trace config that records every request of a session in ``metrics``."""
    tracer = _Tracer(metrics)
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(tracer.start)
    trace.on_request_end.append(tracer.end)
    trace.on_request_exception.append(tracer.failed)
    return trace

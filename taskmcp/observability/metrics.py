"""Prometheus metrics, on one ``CollectorRegistry`` per application (never the global
one), so tests and several apps in one process (``taskmcp serve``) never collide.

Every label takes values from a bounded set: route *patterns*, HTTP methods (others
become ``OTHER``), status codes, grant types, outcomes and OAuth error codes. Client
ids, user ids, raw paths and query strings are never labels.

===========================================================  ==========================
Both services                                                Labels
===========================================================  ==========================
``taskmcp_http_requests_total``                              route, method, status
``taskmcp_http_request_duration_seconds`` (histogram)        route, method
``taskmcp_upstream_requests_total`` (TaskManager calls)      operation, outcome
``taskmcp_upstream_request_duration_seconds`` (histogram)    operation
**Authorization server**
``taskmcp_tokens_issued_total`` (token pairs)                grant_type
``taskmcp_token_refreshes_total``                            outcome
``taskmcp_token_revocations_total``                          reason
``taskmcp_token_errors_total`` (``/token`` refusals)         grant_type, error
``taskmcp_authorization_codes_issued_total``
**Resource server**
``taskmcp_introspection_cache_requests_total``               result (hit, miss)
``taskmcp_introspections_total`` (calls to ``/introspect``)  outcome
``taskmcp_mcp_sessions_active`` (gauge, legacy sessions)
``taskmcp_mcp_streams_active`` (gauge, open SSE streams)
===========================================================  ==========================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from pydantic import SecretStr

__all__ = [
    "CONTENT_TYPE",
    "UNMATCHED",
    "AuthMetrics",
    "CacheResult",
    "GrantType",
    "RefreshOutcome",
    "ResourceMetrics",
    "RevocationReason",
    "ServiceMetrics",
    "VerifyOutcome",
    "grant_type_label",
    "method_label",
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

GrantType = Literal["authorization_code", "refresh_token", "other"]
RefreshOutcome = Literal["rotated", "grace", "reused", "invalid"]
RevocationReason = Literal[
    "revoked_refresh_token", "revoked_access_token", "code_replay", "refresh_reuse", "replaced"
]
CacheResult = Literal["hit", "miss"]
VerifyOutcome = Literal["active", "inactive", "unavailable"]


def method_label(method: str) -> str:
    return method if method in HTTP_METHODS else "OTHER"


def grant_type_label(value: str | None) -> GrantType:
    if value == "authorization_code":
        return "authorization_code"
    return "refresh_token" if value == "refresh_token" else "other"


class ServiceMetrics:
    """HTTP and TaskManager metrics, which both services export."""

    def __init__(self, *, scrape_token: SecretStr | None = None) -> None:
        self.registry = CollectorRegistry()
        self.scrape_token = scrape_token
        self._requests = self._counter(
            "taskmcp_http_requests", "HTTP requests answered.", ("route", "method", "status")
        )
        self._latency = Histogram(
            "taskmcp_http_request_duration_seconds", "Time to answer an HTTP request.",
            ("route", "method"), registry=self.registry, buckets=LATENCY_BUCKETS,
        )  # fmt: skip
        self._upstream = self._counter(
            "taskmcp_upstream_requests", "Requests to TaskManager.", ("operation", "outcome")
        )
        self._upstream_latency = Histogram(
            "taskmcp_upstream_request_duration_seconds",
            "Time until TaskManager's response headers arrived (or the request failed).",
            ("operation",), registry=self.registry, buckets=LATENCY_BUCKETS,
        )  # fmt: skip
        self._request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def _counter(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> Counter:
        return Counter(name, documentation, labels, registry=self.registry)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        # ``labels()`` validates and locks on every call: the children of each (bounded)
        # label combination are looked up once, then kept (this runs on every request)
        series = self._request_series.get((route, method, status))
        if series is None:
            series = (
                self._requests.labels(route, method, str(status)),
                self._latency.labels(route, method),
            )
            self._request_series[(route, method, status)] = series
        series[0].inc()
        series[1].observe(seconds)

    def observe_upstream(self, operation: str, outcome: str, seconds: float) -> None:
        self._upstream.labels(operation, outcome).inc()
        self._upstream_latency.labels(operation).observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text format (``CONTENT_TYPE``)."""
        return generate_latest(self.registry)


class AuthMetrics(ServiceMetrics):
    """The authorization server: tokens issued, refreshed and revoked."""

    def __init__(self, *, scrape_token: SecretStr | None = None) -> None:
        super().__init__(scrape_token=scrape_token)
        self._issued = self._counter(
            "taskmcp_tokens_issued", "Access/refresh token pairs issued.", ("grant_type",)
        )
        self._refreshes = self._counter(
            "taskmcp_token_refreshes", "Refresh token redemptions by outcome.", ("outcome",)
        )
        self._revocations = self._counter(
            "taskmcp_token_revocations", "Grants or tokens revoked, by reason.", ("reason",)
        )
        self._errors = self._counter(
            "taskmcp_token_errors", "Refused token requests.", ("grant_type", "error")
        )
        self._codes = self._counter(
            "taskmcp_authorization_codes_issued", "Authorization codes issued."
        )
        _zero(self._issued, get_args(GrantType)[:2])
        _zero(self._refreshes, get_args(RefreshOutcome))
        _zero(self._revocations, get_args(RevocationReason))

    def issued(self, grant_type: GrantType) -> None:
        self._issued.labels(grant_type).inc()

    def refreshed(self, outcome: RefreshOutcome) -> None:
        self._refreshes.labels(outcome).inc()

    def revoked(self, reason: RevocationReason) -> None:
        self._revocations.labels(reason).inc()

    def token_error(self, grant_type: GrantType, error: str) -> None:
        self._errors.labels(grant_type, error).inc()

    def code_issued(self) -> None:
        self._codes.inc()


class ResourceMetrics(ServiceMetrics):
    """The resource server: the introspection cache, sessions and streams."""

    def __init__(self, *, scrape_token: SecretStr | None = None) -> None:
        super().__init__(scrape_token=scrape_token)
        self._cache = self._counter(
            "taskmcp_introspection_cache_requests",
            "Token validations answered from the cache (hit) or not (miss).",
            ("result",),
        )
        self._verified = self._counter(
            "taskmcp_introspections", "Calls to the authorization server.", ("outcome",)
        )
        self._sessions = Gauge(
            "taskmcp_mcp_sessions_active", "Live legacy MCP sessions.", registry=self.registry
        )
        self._streams = Gauge(
            "taskmcp_mcp_streams_active", "Open SSE streams (GET and listen).",
            registry=self.registry,
        )  # fmt: skip
        _zero(self._cache, get_args(CacheResult))
        _zero(self._verified, get_args(VerifyOutcome))
        self._cache_series = {value: self._cache.labels(value) for value in get_args(CacheResult)}

    def watch(self, *, sessions: Callable[[], int], streams: Callable[[], int]) -> None:
        """Read both gauges from these functions at every scrape."""
        self._sessions.set_function(lambda: float(sessions()))
        self._streams.set_function(lambda: float(streams()))

    def cache_lookup(self, result: CacheResult) -> None:
        self._cache_series[result].inc()  # on every request: no ``labels()`` lookup

    def verified(self, outcome: VerifyOutcome) -> None:
        self._verified.labels(outcome).inc()


def _zero(counter: Counter, values: tuple[str, ...]) -> None:
    """Export every known label value from the start, at 0."""
    for value in values:
        counter.labels(value)

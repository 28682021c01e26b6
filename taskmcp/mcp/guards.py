"""Origin and Host validation (mcp-protocol §3; DNS rebinding, GHSA-w48q-cv73-mx4w).

* ``Origin`` on ``/mcp``: "Servers MUST validate the Origin header on all incoming
  connections". A present Origin must be allowlisted, else 403 with an id-less JSON-RPC
  error. A missing Origin is allowed: server-side clients (claude.ai's backend) and
  CLIs send none, and a browser always sends one on cross-origin requests. Allowed
  are ``TASKMCP_ALLOWED_ORIGINS``, the origin of ``MCP_SERVER_URL``, and, when the
  server listens on loopback, any loopback origin (the Inspector UI on
  ``http://localhost:6274``).
* ``Host`` on every path, only when the server listens on loopback: a DNS-rebinding
  page reaches 127.0.0.1 with its own host name in ``Host``. Allowed are loopback names
  (any port), the host of ``MCP_SERVER_URL`` and the hosts of the allowed origins (a
  reverse proxy on the same machine keeps the public ``Host``). Else 421.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from taskmcp.config import ResourceSettings
from taskmcp.mcp.jsonrpc import ForbiddenOrigin, MisdirectedHost
from taskmcp.settings_types import is_loopback
from taskmcp.urls import normalize_origin, origin_of

__all__ = ["GuardPolicy", "guard_middleware", "host_allowed", "origin_allowed"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_REMEMBERED_HOSTS = 256


@dataclass(frozen=True)
class GuardPolicy:
    origins: frozenset[str]
    loopback: bool  # the server listens on a loopback address
    hosts: frozenset[str]
    paths: frozenset[str]

    @classmethod
    def from_settings(cls, settings: ResourceSettings, paths: frozenset[str]) -> GuardPolicy:
        own = origin_of(settings.mcp_server_url)
        origins = frozenset({*settings.allowed_origins, *([own] if own else [])})
        hosts = frozenset(filter(None, (urlsplit(origin).hostname for origin in origins)))
        return cls(origins=origins, loopback=is_loopback(settings.host), hosts=hosts, paths=paths)


def _hostname(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return urlsplit(f"//{value}").hostname
    except ValueError:
        return None


def host_allowed(policy: GuardPolicy, host: str | None) -> bool:
    if not policy.loopback:
        return True
    name = _hostname(host)
    return name is not None and (is_loopback(name) or name in policy.hosts)


def origin_allowed(policy: GuardPolicy, origin: str) -> bool:
    normalized = normalize_origin(origin)
    if normalized is None:
        return False
    if normalized in policy.origins:
        return True
    name = urlsplit(normalized).hostname
    return policy.loopback and name is not None and is_loopback(name)


def guard_middleware(policy: GuardPolicy) -> Middleware:
    # Host decisions are remembered per header value (the same few values arrive on
    # every request); the memo is emptied when full, so odd Host values cannot grow it.
    decided: dict[str | None, bool] = {}

    def host_ok(host: str | None) -> bool:
        allowed = decided.get(host)
        if allowed is None:
            allowed = host_allowed(policy, host)
            if len(decided) >= MAX_REMEMBERED_HOSTS:
                decided.clear()
            decided[host] = allowed
        return allowed

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not host_ok(request.headers.get("Host")):
            raise MisdirectedHost("Invalid Host header")
        origin = request.headers.get("Origin")
        if (
            origin is not None
            and request.path in policy.paths
            and not origin_allowed(policy, origin)
        ):
            raise ForbiddenOrigin("Origin not allowed")
        return await handler(request)

    return guard

"""Everything the authorization server's handlers share, in one typed object built by
``taskmcp.auth_app`` (app key ``OAUTH``)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from aiohttp import web

from taskmcp.config import AuthSettings
from taskmcp.crypto import Sealer, TokenHasher
from taskmcp.oauth.clients import ClientDirectory
from taskmcp.oauth.issuance import TokenIssuer
from taskmcp.oauth.pages import Pages
from taskmcp.oauth.policy import OAuthPolicy, RateLimit
from taskmcp.oauth.ratelimit import RateLimiter, client_ip, rate_key
from taskmcp.oauth.transaction import BrowserCookie
from taskmcp.oauth.upstream_grants import UpstreamGrants
from taskmcp.observability.metrics import AuthMetrics
from taskmcp.storage import Storage
from taskmcp.taskmanager import UpstreamOAuthClient

__all__ = ["OAuthContext"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class OAuthContext:
    settings: AuthSettings
    policy: OAuthPolicy
    storage: Storage
    clock: Callable[[], datetime]
    hasher: TokenHasher
    sealer: Sealer
    issuer: TokenIssuer
    limiter: RateLimiter
    clients: ClientDirectory
    upstream: UpstreamOAuthClient
    upstream_http: aiohttp.ClientSession
    grants: UpstreamGrants
    pages: Pages
    browser: BrowserCookie
    metrics: AuthMetrics
    trusted_proxies: Sequence[Network] = ()

    @property
    def issuer_url(self) -> str:
        """The issuer, one exact string everywhere (RFC 8414 §3.3, RFC 9207)."""
        return self.settings.public_url

    @property
    def resource(self) -> str:
        return self.settings.mcp_resource

    def endpoint(self, path: str) -> str:
        return f"{self.issuer_url}{path}"

    def now(self) -> datetime:
        return self.clock()

    def address(self, request: web.Request) -> str:
        """The client's address as rate limits key it (checklist A9: ``X-Forwarded-For``
        only from trusted proxies; IPv6 grouped by /64)."""
        forwarded = ",".join(request.headers.getall("X-Forwarded-For", [])) or None
        return rate_key(client_ip(request.remote, forwarded, self.trusted_proxies))

    def limit(self, request: web.Request, bucket: str, rule: RateLimit) -> None:
        """Per-IP rate limit (checklist L1); raises ``RateLimited``."""
        now = self.clock().timestamp()
        self.limiter.check(
            bucket, self.address(request), limit=rule.limit, window=rule.window, now=now
        )

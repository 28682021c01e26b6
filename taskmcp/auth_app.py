"""The authorization server application: wiring only, handlers live in their modules.

CORS (aiohttp-cors) is open on the metadata, ``/token``, ``/register`` and ``/revoke``
for browser-based clients, and deliberately absent on ``/authorize``, the consent and
callback pages and ``/introspect`` (checklist A5, N1; style rule 16).

Operations (``taskmcp.observability``): ``/healthz``, ``/readyz`` (storage answers a
ping; TaskManager's internal URL answers HTTP), ``/metrics``, the request id and the
HTTP metrics (the ``observe`` middleware, outermost), and TaskManager call metrics on
the upstream session.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import aiohttp
from aiohttp import web

from taskmcp.background import storage_sweeper
from taskmcp.config import AuthSettings
from taskmcp.cors import Cors
from taskmcp.crypto import Sealer, TokenHasher
from taskmcp.deadline import body_deadline
from taskmcp.keys import AUTH_SETTINGS, OAUTH, STORAGE
from taskmcp.oauth import authorize, callback, consent, introspect, metadata, register, revoke
from taskmcp.oauth import token as token_endpoint
from taskmcp.oauth.cimd import CimdFetcher, open_cimd_session
from taskmcp.oauth.clients import ClientDirectory
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.issuance import TokenIssuer
from taskmcp.oauth.middleware import oauth_errors
from taskmcp.oauth.pages import Pages
from taskmcp.oauth.policy import OAuthPolicy
from taskmcp.oauth.ratelimit import RateLimiter
from taskmcp.oauth.transaction import BrowserCookie
from taskmcp.oauth.upstream_grants import UpstreamGrants
from taskmcp.observability.metrics import AuthMetrics
from taskmcp.observability.readiness import TASKMANAGER_PROBE_PATH, Readiness
from taskmcp.observability.requests import observe
from taskmcp.observability.upstream import upstream_trace
from taskmcp.observability.wiring import install
from taskmcp.storage import Storage
from taskmcp.taskmanager import UpstreamOAuthClient, open_http

__all__ = ["CALLBACK_PATH", "create_auth_app"]

CALLBACK_PATH = "/oauth/callback"
MAX_BODY = 64 * 1024
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_auth_app(
    settings: AuthSettings,
    *,
    storage: Storage,
    secret_key: bytes,
    policy: OAuthPolicy | None = None,
    clock: Clock = _utcnow,
) -> web.Application:
    """Build the AS app around an already-open ``storage`` (the caller closes it).
    ``policy`` defaults to the lifetimes and limits configured in ``settings``."""
    middlewares = [observe, oauth_errors, body_deadline()]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[AUTH_SETTINGS] = settings
    app[STORAGE] = storage
    metrics = AuthMetrics(scrape_token=settings.metrics_token)
    install(app, metrics=metrics, readiness=_readiness(settings, storage))
    app.cleanup_ctx.append(storage_sweeper)
    app.cleanup_ctx.append(
        _context(
            settings, storage, secret_key, policy or OAuthPolicy.from_settings(settings), clock,
            metrics,
        )
    )  # fmt: skip
    _routes(app, settings)
    return app


def _readiness(settings: AuthSettings, storage: Storage) -> Readiness:
    readiness = Readiness()
    readiness.add("storage", storage.ping)
    readiness.add_http("taskmanager", settings.taskmanager_internal_url + TASKMANAGER_PROBE_PATH)
    return readiness


def _routes(app: web.Application, settings: AuthSettings) -> None:
    router = app.router
    router.add_get("/authorize", authorize.authorize)
    router.add_post(authorize.CONSENT_PATH, consent.consent)
    router.add_get(CALLBACK_PATH, callback.callback)
    router.add_post("/introspect", introspect.introspect)
    cors = Cors(app)
    for route in (
        router.add_get(metadata.metadata_path(settings.public_url), metadata.metadata),
        router.add_post("/token", token_endpoint.token),
        router.add_post("/register", register.register),
        router.add_post("/revoke", revoke.revoke),
    ):
        cors.add(route)


def _context(
    settings: AuthSettings,
    storage: Storage,
    secret_key: bytes,
    policy: OAuthPolicy,
    clock: Clock,
    metrics: AuthMetrics,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that opens the HTTP sessions and builds the ``OAuthContext``."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            traced = open_http(trace_configs=(upstream_trace(metrics),))
            upstream_http = await stack.enter_async_context(traced)
            allow_private = settings.cimd_allow_private
            cimd_http = await stack.enter_async_context(open_cimd_session(allow_private))
            app[OAUTH] = _build(
                settings, storage, secret_key, policy, clock, upstream_http,
                CimdFetcher(cimd_http, allow_private=allow_private, clock=clock), metrics,
            )  # fmt: skip
            yield

    return context


def _build(
    settings: AuthSettings,
    storage: Storage,
    secret_key: bytes,
    policy: OAuthPolicy,
    clock: Clock,
    upstream_http: aiohttp.ClientSession,
    fetcher: CimdFetcher,
    metrics: AuthMetrics,
) -> OAuthContext:
    hasher, sealer = TokenHasher(secret_key), Sealer(secret_key)
    upstream = UpstreamOAuthClient(
        upstream_http,
        public_url=settings.taskmanager_url,
        internal_url=settings.taskmanager_internal_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        redirect_uri=f"{settings.public_url}{CALLBACK_PATH}",
        clock=clock,
    )
    return OAuthContext(
        settings=settings, policy=policy, storage=storage, clock=clock, hasher=hasher,
        sealer=sealer, issuer=TokenIssuer(hasher, policy, clock), limiter=RateLimiter(),
        clients=ClientDirectory(storage, fetcher, clock), upstream=upstream,
        upstream_http=upstream_http,
        grants=UpstreamGrants(storage, sealer, upstream, policy, clock), pages=Pages(),
        metrics=metrics, trusted_proxies=settings.trusted_proxies,
        browser=BrowserCookie(
            secure=settings.public_url.startswith("https:"),
            max_age=int(policy.pending_ttl.total_seconds()) * 3,
        ),
    )  # fmt: skip

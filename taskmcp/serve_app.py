"""``taskmcp serve``: the authorization server and the MCP resource server in one
process, on one origin (one host name, one certificate).

Why: claude.ai ignores the endpoint URLs advertised in the metadata and sends users to
the MCP host's ``/authorize``, ``/token`` and ``/register`` (clients-in-the-wild §2;
claude-ai-mcp#846, #900). On one origin every client finds every endpoint at its
default path: ``/mcp``, ``/.well-known/oauth-protected-resource[/mcp]``,
``/.well-known/oauth-authorization-server``, ``/authorize``, ``/token``, ``/register``,
``/introspect``, ``/revoke``, ``/oauth/callback``, ``/healthz`` and ``/readyz``.

The two apps are composed, not merged: each is a sub-application that keeps its own
middlewares (the OAuth error renderer; the MCP error renderer and the Origin/Host guard
on ``/mcp``), its CORS configuration, app keys, cleanup contexts and body limit.
aiohttp mounts sub-applications under a path prefix (``add_subapp``) or a host rule
(``add_domain``); both of ours sit at the root, so each is mounted like ``add_domain``
with a rule that matches exactly the requests its own router can route. A path both
serve (``/healthz``) goes to the authorization server, mounted first, whose
``/readyz`` also checks the storage.

Tokens are verified in-process against the authorization server's storage
(``LocalVerifier``): no HTTP to itself and no shared introspection secret.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp.web_urldispatcher import AbstractRuleMatching, MatchedSubAppResource, _InfoDict

from taskmcp.auth_app import MAX_BODY as AUTH_MAX_BODY
from taskmcp.auth_app import create_auth_app
from taskmcp.keys import TRANSPORT
from taskmcp.oauth.local_verifier import LocalVerifier
from taskmcp.oauth.policy import OAuthPolicy
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import serve
from taskmcp.serve_settings import ServeSettings
from taskmcp.storage import Storage, open_storage
from taskmcp.tools.base import ToolRegistry

__all__ = ["create_serve_app", "serve_single_origin"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

log = logging.getLogger(__name__)


def create_serve_app(
    settings: ServeSettings,
    *,
    storage: Storage,
    secret_key: bytes,
    tools: ToolRegistry,
    policy: OAuthPolicy | None = None,
) -> web.Application:
    """Both services around an already-open ``storage`` (the caller closes it)."""
    auth = create_auth_app(settings.auth, storage=storage, secret_key=secret_key, policy=policy)
    resource = create_resource_app(settings.resource, tools=tools, verifier=LocalVerifier(auth))
    limits = ((auth, AUTH_MAX_BODY), (resource, resource[TRANSPORT].max_body))
    root = web.Application(
        middlewares=[_body_limits(limits)], client_max_size=max(size for _, size in limits)
    )
    for app in (auth, resource):
        _mount(root, app)
    return root


async def serve_single_origin(
    settings: ServeSettings, *, secret_key: bytes, tools: ToolRegistry,
    ssl_context: ssl.SSLContext | None = None,
) -> None:  # fmt: skip
    """Open the storage and serve until SIGINT or SIGTERM."""
    async with open_storage(settings.auth.storage_url) as storage:
        app = create_serve_app(settings, storage=storage, secret_key=secret_key, tools=tools)
        log.info("single origin %s: issuer and MCP endpoint %s/mcp", settings.origin,
                 settings.origin)  # fmt: skip
        # Handler cancellation: a modern MCP client closing its stream cancels its request.
        await serve(app, host=settings.resource.host, port=settings.resource.port,
                    ssl_context=ssl_context, handler_cancellation=True)  # fmt: skip


class _OwnPaths(AbstractRuleMatching):
    """Matches the requests ``app``'s own router routes (a wrong method included, so
    that the app answers its own 405)."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    async def match(self, request: web.Request) -> bool:
        match_info = await self._app.router.resolve(request)
        return not isinstance(match_info.http_exception, web.HTTPNotFound)

    def get_info(self) -> _InfoDict:
        return {"app": self._app}

    @property
    def canonical(self) -> str:
        return "/"


def _mount(root: web.Application, app: web.Application) -> None:
    """``root.add_domain(…, app)`` with ``_OwnPaths`` in place of a host rule. The
    private ``_add_subapp`` is what ``add_domain`` and ``add_subapp`` call: it also
    chains the sub-app's startup, shutdown and cleanup signals to the root's."""
    root._add_subapp(partial(MatchedSubAppResource, _OwnPaths(app), app), app)


def _body_limits(limits: Sequence[tuple[web.Application, int]]) -> Middleware:
    """The request body limit of the sub-app that handles the request.

    aiohttp applies the root app's ``client_max_size`` to every request; this gives the
    authorization server back its own, smaller, limit."""

    @web.middleware
    async def body_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        apps = request.match_info.apps
        for app, size in limits:
            if app in apps:
                return await handler(request.clone(client_max_size=size))
        return await handler(request)

    return body_limit

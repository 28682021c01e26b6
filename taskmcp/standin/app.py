"""The TaskManager stand-in application: wiring only; handlers live in their modules.

Middlewares, outermost first: the auth gate (its 302s carry no security headers), the
security headers, then the error renderer (handlers raise, it renders).
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.config import StandinSettings
from taskmcp.standin import (
    auth_api,
    consent,
    oauth_authorize,
    oauth_clients,
    oauth_extras,
    oauth_token,
    pages,
    projects,
    search,
    todos,
    token_cors,
)
from taskmcp.standin.auth_gate import auth_gate
from taskmcp.standin.clock import Clock, utcnow
from taskmcp.standin.envelopes import Revision, revision_named
from taskmcp.standin.errors import error_middleware
from taskmcp.standin.headers import security_headers
from taskmcp.standin.keys import CLOCK, LIMITER, REVISION, SETTINGS, STORE, TEMPLATES
from taskmcp.standin.ratelimit import LoginLimiter
from taskmcp.standin.store import StandinStore
from taskmcp.standin.templating import create_environment

__all__ = ["create_standin_app"]


def create_standin_app(
    settings: StandinSettings, store: StandinStore, *, clock: Clock = utcnow
) -> web.Application:
    """Build the stand-in around an already-open ``store`` (the caller closes it).

    ``clock`` is injectable so tests can expire codes and tokens."""
    revision = revision_named(settings.revision)
    app = web.Application(middlewares=[auth_gate, security_headers, error_middleware])
    app[SETTINGS] = settings
    app[STORE] = store
    app[REVISION] = revision
    app[CLOCK] = clock
    app[LIMITER] = LoginLimiter()
    app[TEMPLATES] = create_environment()
    app.router.add_routes(_page_routes() + _oauth_routes(revision) + _rest_routes())
    return app


def _page_routes() -> list[web.RouteDef]:
    return [
        web.get("/", pages.home),
        web.get("/login", pages.login_page),
        web.post("/login", pages.login_form),
        web.get("/register", pages.register_page),
        web.get("/oauth/authorize", consent.consent_page),
        web.post("/api/auth/login", auth_api.login),
        web.post("/api/auth/logout", auth_api.logout),
        web.post("/api/auth/register", auth_api.register),
    ]


def _oauth_routes(revision: Revision) -> list[web.RouteDef]:
    routes = [
        web.get("/api/oauth/authorize", oauth_authorize.authorize_request),
        web.post("/api/oauth/authorize", oauth_authorize.authorize_decision),
        web.post("/api/oauth/token", oauth_token.token),
        web.options("/api/oauth/token", token_cors.token_preflight),
        web.get("/api/oauth/userinfo", oauth_extras.userinfo),
        web.get("/api/oauth/clients", oauth_clients.list_clients),
        web.post("/api/oauth/clients", oauth_clients.create_client),
        web.put("/api/oauth/clients/{client_id}", oauth_clients.update_client),
        web.delete("/api/oauth/clients/{client_id}", oauth_clients.delete_client),
    ]
    if revision.has_jwks:
        routes.append(web.get("/api/oauth/jwks", oauth_extras.jwks))
    return routes


def _rest_routes() -> list[web.RouteDef]:
    return [
        web.get("/api/projects", projects.list_projects),
        web.post("/api/projects", projects.create_project),
        web.get("/api/projects/{id}", projects.get_project),
        web.put("/api/projects/{id}", projects.update_project),
        web.delete("/api/projects/{id}", projects.delete_project),
        web.get("/api/categories", projects.categories),
        web.get("/api/todos", todos.list_todos),
        web.post("/api/todos", todos.create_todo),
        web.put("/api/todos", todos.legacy_update_todo),
        web.get("/api/todos/{id}", todos.get_todo),
        web.put("/api/todos/{id}", todos.update_todo),
        web.delete("/api/todos/{id}", todos.delete_todo),
        web.post("/api/todos/{id}/complete", todos.complete_todo),
        web.get("/api/tasks/search", search.search_tasks),
    ]

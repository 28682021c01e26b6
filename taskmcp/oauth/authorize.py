"""``GET /authorize`` (OAuth 2.1 §4.1.1, §4.1.2.1; RFC 7636; RFC 8707; RFC 9207).

Pipeline: rate limit → client and ``redirect_uri`` (any failure is an HTML page and
never a redirect: checklist R5, O1) → the rest of the request (response type, PKCE
S256, scope, resource) → **our consent page** (U1), never skipped.

Errors found after the client and redirect URI are validated are not bounced back
automatically: the client may be attacker-registered and use them to send users to a
phishing page (O2). The error page names the destination host and offers a link that
carries ``error``, ``state`` and ``iss`` (I1).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from taskmcp.keys import OAUTH
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.errors import (
    InvalidRequest,
    OAuthError,
    UnauthorizedClient,
    UnsupportedResponseType,
)
from taskmcp.oauth.params import Params
from taskmcp.oauth.pkce import CHALLENGE_RE
from taskmcp.oauth.redirects import RedirectUriError, add_query, select_redirect_uri
from taskmcp.oauth.resources import resolve_resource
from taskmcp.oauth.scopes import parse_scopes
from taskmcp.oauth.transaction import ConsentTransaction, seal_transaction
from taskmcp.observability.requests import note_client
from taskmcp.settings_types import is_loopback
from taskmcp.storage import Client

__all__ = ["PageError", "authorize", "describe_redirect", "error_redirect"]

CONSENT_PATH = "/authorize/consent"
SCOPE_LABELS = {
    "tasks:read": "See your tasks, projects and categories",
    "tasks:write": "Create, change, complete and delete your tasks and projects",
}


class PageError(Exception):
    """An error shown to the person in the browser, never redirected anywhere."""

    def __init__(self, title: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.title, self.message, self.status = title, message, status


@dataclass(frozen=True)
class Target:
    client: Client
    redirect_uri: str
    explicit: bool


def error_redirect(
    ctx: OAuthContext, redirect_uri: str, error: OAuthError, state: str | None
) -> str:
    params = {"error": error.error}
    if error.description:
        params["error_description"] = error.description
    if state is not None:
        params["state"] = state
    params["iss"] = ctx.issuer_url
    return add_query(redirect_uri, params)


def describe_redirect(uri: str) -> str:
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https"):
        return f"the application {parts.scheme}://{parts.netloc}"
    if is_loopback(host):
        return f"an application on this computer ({parts.netloc})"
    return parts.netloc


async def _target(ctx: OAuthContext, params: Params) -> Target:
    try:
        client_id = params.get("client_id")
        requested = params.get("redirect_uri")
    except InvalidRequest as exc:
        raise PageError("Invalid request", exc.description or "Malformed request.") from exc
    if client_id is None:
        raise PageError("Invalid request", "The application did not identify itself (client_id).")
    try:
        client = await ctx.clients.get(client_id)
    except OAuthError as exc:
        raise PageError("Unknown application", exc.description or "Unknown client.") from exc
    if client is None:
        raise PageError("Unknown application", "This application is not registered here.")
    explicit_type = client.application_type if "application_type" in client.metadata else None
    try:
        uri = select_redirect_uri(requested, client.redirect_uris, application_type=explicit_type)
    except RedirectUriError as exc:
        raise PageError("Invalid redirect address", str(exc)) from exc
    return Target(client, uri, requested is not None)


def _validate(
    ctx: OAuthContext, params: Params, client: Client
) -> tuple[tuple[str, ...], str, str]:
    if params.get("response_type") != "code":
        raise UnsupportedResponseType("response_type must be code")
    if "authorization_code" not in client.grant_types:
        raise UnauthorizedClient("the client did not register the authorization_code grant")
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if challenge is None:
        raise InvalidRequest("code_challenge is required (PKCE S256)")
    if method != "S256":
        raise InvalidRequest("code_challenge_method must be S256")
    if not CHALLENGE_RE.fullmatch(challenge):
        raise InvalidRequest("malformed code_challenge")
    scopes = parse_scopes(params.get("scope"))
    resource = resolve_resource(params.all_values("resource"), ctx.resource)
    return scopes, resource, challenge


async def authorize(request: web.Request) -> web.Response:
    ctx = request.app[OAUTH]
    ctx.limit(request, "authorize", ctx.policy.authorize_limit)
    params = Params(request.query)
    target = await _target(ctx, params)
    note_client(request, target.client.client_id)
    try:
        state = params.get("state")
    except InvalidRequest as exc:
        raise PageError("Invalid request", "The state parameter was sent twice.") from exc
    try:
        scopes, resource, challenge = _validate(ctx, params, target.client)
    except OAuthError as exc:
        return ctx.pages.error(
            "The application sent an invalid request", exc.description or exc.error,
            link=error_redirect(ctx, target.redirect_uri, exc, state),
            link_host=describe_redirect(target.redirect_uri),
        )  # fmt: skip
    browser = ctx.browser.read_or_new(request)
    txn = ConsentTransaction(
        txn_id=secrets.token_urlsafe(16), client_id=target.client.client_id,
        redirect_uri=target.redirect_uri, redirect_uri_explicit=target.explicit, scopes=scopes,
        resource=resource, code_challenge=challenge, state=state,
        browser_hash=ctx.hasher.hash(browser), issued_at=ctx.now(),
    )  # fmt: skip
    response = _consent_page(ctx, target, txn)
    ctx.browser.set(response, browser)
    return response


def _consent_page(ctx: OAuthContext, target: Target, txn: ConsentTransaction) -> web.Response:
    client = target.client
    redirect_host = urlsplit(target.redirect_uri).hostname or ""
    client_uri = client.metadata.get("client_uri")
    client_uri_host = urlsplit(client_uri).hostname if isinstance(client_uri, str) else None
    redirect_hosts = {urlsplit(uri).hostname for uri in client.redirect_uris}
    return ctx.pages.render(
        "consent.html",
        client_name=client.client_name or "An unnamed application",
        verified_domain=urlsplit(client.client_id).hostname if client.source == "cimd" else None,
        redirect_host=describe_redirect(target.redirect_uri),
        loopback_only=is_loopback(redirect_host) or not target.redirect_uri.startswith("https:"),
        client_uri_host=client_uri_host if client_uri_host in redirect_hosts else None,
        scopes=txn.scopes,
        scope_labels=SCOPE_LABELS,
        offer_read_only="tasks:write" in txn.scopes,
        action=ctx.endpoint(CONSENT_PATH),
        transaction=seal_transaction(ctx.sealer, txn),
    )

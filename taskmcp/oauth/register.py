"""``POST /register``: dynamic client registration (RFC 7591 §2, §3; checklist G1-G6,
R1, R8, R9; mcp-protocol §8.4).

Pipeline: rate limit per IP → body ≤ 16 KiB of JSON nested ≤ 32 levels → validate the
metadata (pydantic, then the redirect URIs one by one) → global cap on dynamic
clients → store with a 24 h TTL that becomes 90 days once the client completes a
token request → 201 with every stored field, defaults included, and the secret shown
this once. A
client-supplied ``client_id`` is ignored; registrations are never updated in place
(a changed redirect URI means a new registration, R9).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from taskmcp.crypto import new_token
from taskmcp.jsondepth import nested_deeper_than
from taskmcp.keys import OAUTH
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.errors import (
    InvalidClientMetadata,
    InvalidRedirectUri,
    TemporarilyUnavailable,
)
from taskmcp.oauth.redirects import validate_registered_uri
from taskmcp.oauth.scopes import parse_scopes
from taskmcp.oauth.token import NO_STORE
from taskmcp.observability.requests import note_client
from taskmcp.storage import Client

__all__ = ["MAX_BODY", "register"]

MAX_BODY = 16 * 1024
MAX_DEPTH = 32  # nesting of the JSON body; RFC 7591 metadata needs at most a few levels
_TOO_DEEP = f"the body is nested deeper than {MAX_DEPTH} levels"
# a private-use scheme (RFC 8252 §7.1) that is not one of the dangerous browser schemes
_PRIVATE_SCHEME = re.compile(
    r"^(?!(?:javascript|data|file|vbscript|about|blob|http|https)$)[a-z][a-z0-9+.-]*$"
)
Text = Annotated[str, StringConstraints(max_length=200)]
AuthMethod = Literal["none", "client_secret_post", "client_secret_basic"]
Url = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https://")]


class Registration(BaseModel):
    """The RFC 7591 §2 fields we act on; other fields are kept verbatim in metadata."""

    model_config = ConfigDict(extra="allow")

    redirect_uris: list[Annotated[str, StringConstraints(max_length=2000)]] = Field(min_length=1)
    token_endpoint_auth_method: AuthMethod = "client_secret_basic"  # noqa: S105 (RFC 7591 §2)
    grant_types: list[Literal["authorization_code", "refresh_token"]] = ["authorization_code"]
    response_types: list[Literal["code"]] = ["code"]
    application_type: Literal["web", "native"] = "web"
    client_name: Text | None = None
    client_uri: Url | None = None
    logo_uri: Url | None = None
    tos_uri: Url | None = None
    policy_uri: Url | None = None
    scope: Annotated[str, StringConstraints(max_length=500)] | None = None
    contacts: list[Text] = Field(default_factory=list, max_length=5)
    software_id: Text | None = None
    software_version: Text | None = None


async def _read_body(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    raw = b""  # read(n) returns what has arrived so far: loop to the end of the body
    while len(raw) <= MAX_BODY and (chunk := await request.content.read(MAX_BODY + 1 - len(raw))):
        raw += chunk
    if len(raw) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(raw))
    try:
        body = json.loads(raw)
    except RecursionError:
        raise InvalidClientMetadata(_TOO_DEEP) from None
    except ValueError:
        raise InvalidClientMetadata("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise InvalidClientMetadata("the body must be a JSON object")
    if nested_deeper_than(body, MAX_DEPTH):
        raise InvalidClientMetadata(_TOO_DEEP)
    body.pop("client_id", None)  # G1: the server chooses the id
    body.pop("client_secret", None)
    return body


def _validate(body: dict[str, Any], ctx: OAuthContext) -> Registration:
    try:
        registration = Registration.model_validate(body)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "body"
        raise InvalidClientMetadata(f"{field}: {error['msg']}") from None
    if len(registration.redirect_uris) > ctx.policy.max_redirect_uris:
        raise InvalidClientMetadata(f"at most {ctx.policy.max_redirect_uris} redirect_uris")
    for uri in registration.redirect_uris:
        _check_registered_uri(uri)
    if (
        "refresh_token" in registration.grant_types
        and "authorization_code" not in registration.grant_types
    ):
        raise InvalidClientMetadata("refresh_token requires the authorization_code grant")
    if registration.scope is not None:
        parse_scopes(registration.scope)
    return registration


def _check_registered_uri(uri: str) -> None:
    """R1 at registration, with R8's leniency: a private-use URI that is well formed
    but not reverse-domain (Cursor's per-user ``cursor://…/user-<name>/callback``) is
    stored, and refused only if a request actually uses it, so one odd entry does not
    break a client's whole registration (clients-in-the-wild §4)."""
    try:
        validate_registered_uri(uri)
    except InvalidRedirectUri:
        parts = urlsplit(uri)
        if not _PRIVATE_SCHEME.fullmatch(parts.scheme) or parts.fragment or not parts.netloc:
            raise


async def register(request: web.Request) -> web.Response:
    ctx = request.app[OAUTH]
    ctx.limit(request, "register", ctx.policy.register_limit)
    body = await _read_body(request)
    registration = _validate(body, ctx)
    now = ctx.now()
    if await ctx.storage.count_clients("dynamic", now=now) >= ctx.policy.max_dynamic_clients:
        raise TemporarilyUnavailable("registration is temporarily closed", retry_after=3600)
    secret = None if registration.token_endpoint_auth_method == "none" else new_token()  # noqa: S105
    client = Client(
        client_id=f"tmc_{new_token(18)}", source="dynamic",
        secret_hash=ctx.hasher.hash(secret) if secret else None,
        token_endpoint_auth_method=registration.token_endpoint_auth_method,
        redirect_uris=tuple(registration.redirect_uris),
        grant_types=tuple(registration.grant_types),
        response_types=tuple(registration.response_types),
        application_type=registration.application_type, client_name=registration.client_name,
        scope=registration.scope, metadata=body, created_at=now,
        expires_at=now + ctx.policy.unused_client_ttl,
    )  # fmt: skip
    await ctx.storage.save_client(client)
    note_client(request, client.client_id)
    return web.json_response(_response(client, registration, secret), status=201, headers=NO_STORE)


def _response(client: Client, registration: Registration, secret: str | None) -> dict[str, Any]:
    """G1: every stored field, defaults substituted; G3: secret expiry when issued."""
    body: dict[str, Any] = {
        **client.metadata,
        **registration.model_dump(exclude_none=True),
        "client_id": client.client_id,
        "client_id_issued_at": int(client.created_at.timestamp()),
    }
    if secret is not None:
        body["client_secret"] = secret
        body["client_secret_expires_at"] = 0
    return body

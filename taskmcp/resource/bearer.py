"""The bearer-token check in front of every ``/mcp`` request (RFC 6750, RFC 8707,
mcp-protocol §8.1).

* The token comes only from ``Authorization: Bearer`` (never the query string), and
  is at most ``MAX_TOKEN_LENGTH`` characters.
* It is validated through the app's verifier (introspection behind a cache).
* Its audience must be this resource: the introspected ``aud`` (a string or a list,
  RFC 7662 §2.2) compared in normalised form with ``settings.mcp_resource``. With
  ``--oauth-strict`` (the default) a token without ``aud`` is refused; with it off,
  a missing ``aud`` is accepted (never a wrong one).
* Challenges carry ``resource_metadata`` (RFC 9728 §5.1) and ``scope`` (RFC 6750 §3).

``--no-auth`` replaces all of this by the fixed local caller (see ``config``).
"""

from __future__ import annotations

import functools
import logging
import re
import time

from aiohttp import hdrs, web

from taskmcp.config import ResourceSettings
from taskmcp.keys import BEARER_TOKEN, RESOURCE_SETTINGS, VERIFIER
from taskmcp.observability.requests import note_client
from taskmcp.resource.access import LOCAL_ACCESS, SCOPES, AccessInfo, VerifierUnavailableError
from taskmcp.resource.errors import (
    AuthError,
    AuthUnavailable,
    InsufficientScope,
    InvalidToken,
    MissingToken,
)
from taskmcp.urls import normalize_resource

__all__ = [
    "audience_ok",
    "authenticate",
    "bearer_token",
    "challenge",
    "resource_metadata_url",
]

log = logging.getLogger(__name__)

# The authorization server refuses longer form values (``oauth.params.MAX_VALUE``), so a
# longer token can never be active: refuse it here (401) instead of turning the
# authorization server's 400 into a 503 that clients retry.
MAX_TOKEN_LENGTH = 4096
_BEARER = re.compile(r"^Bearer +(?P<token>[A-Za-z0-9\-._~+/]+=*) *$", re.IGNORECASE)


def resource_metadata_url(settings: ResourceSettings) -> str:
    """The path-inserted RFC 9728 document for the MCP endpoint."""
    return f"{settings.mcp_server_url}/.well-known/oauth-protected-resource/mcp"


def challenge(error: AuthError, settings: ResourceSettings) -> str | None:
    """The ``WWW-Authenticate`` value for ``error`` (none for a 503)."""
    if isinstance(error, AuthUnavailable):
        return None
    params = []
    if error.error is not None:
        params += [f'error="{error.error}"', f'error_description="{error.description}"']
    scope = error.scope if isinstance(error, InsufficientScope) else " ".join(SCOPES)
    params += [f'resource_metadata="{resource_metadata_url(settings)}"', f'scope="{scope}"']
    return "Bearer " + ", ".join(params)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header; ``None`` when there is no
    bearer credential at all; ``InvalidToken`` when it is malformed."""
    if authorization is None or not authorization.lower().startswith("bearer"):
        return None
    match = _BEARER.fullmatch(authorization)
    if match is None or len(match.group("token")) > MAX_TOKEN_LENGTH:
        raise InvalidToken("The access token is malformed")
    return match.group("token")


@functools.lru_cache(maxsize=1024)  # pure; its inputs come from introspection and settings
def audience_ok(aud: tuple[str, ...], resource: str, *, strict: bool) -> bool:
    if not aud:
        return not strict
    target = normalize_resource(resource)
    return target is not None and any(normalize_resource(item) == target for item in aud)


def _check(access: AccessInfo, settings: ResourceSettings) -> None:
    if access.exp is not None and access.exp <= time.time():
        raise InvalidToken("The access token has expired")
    if not audience_ok(access.aud, settings.mcp_resource, strict=settings.oauth_strict):
        raise InvalidToken("The access token was not issued for this resource")
    if not access.aud:
        log.debug("accepting a token without aud for %s (strict mode is off)", access.sub)


async def authenticate(request: web.Request) -> AccessInfo:
    """The caller of this request, or an ``AuthError``."""
    settings = request.app[RESOURCE_SETTINGS]
    if settings.no_auth:
        return LOCAL_ACCESS
    token = bearer_token(request.headers.get(hdrs.AUTHORIZATION))
    if token is None:
        raise MissingToken("Authorization required")
    try:
        access = await request.app[VERIFIER].verify(token)
    except VerifierUnavailableError:
        raise AuthUnavailable("The authorization server is unavailable; retry later") from None
    if access is None:
        raise InvalidToken("The access token is invalid, expired or revoked")
    _check(access, settings)
    request[BEARER_TOKEN] = token
    note_client(request, access.client_id)
    return access

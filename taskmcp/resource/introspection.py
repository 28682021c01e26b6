"""Token validation by introspection at the authorization server (RFC 7662).

Request (§2.1): ``POST {MCP_AUTH_SERVER}/introspect`` with the form
``token=…&token_type_hint=access_token``, authenticated as the resource server with
HTTP Basic, where id and secret are each form-urlencoded before base64 (RFC 6749
§2.3.1; percent-encoding, which every form decoder reads back). One pooled
``ClientSession`` serves every call; it is opened and closed in a cleanup context.

Response (§2.2): ``{"active": false}`` → ``None``. An active response must name
``sub``; ``scope`` is space-separated; ``aud`` is a string or a list; our
authorization server adds ``taskmanager_access_token``, the user's current upstream
token. Any failure to get an answer (connection, timeout, 5xx, a body that is not a
JSON object) raises ``VerifierUnavailableError``; a 401/403 means the authorization
server refuses *our* credentials, a misconfiguration that is logged as an error.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from taskmcp.keys import RESOURCE_METRICS, RESOURCE_SETTINGS, VERIFIER
from taskmcp.resource.access import AccessInfo, VerifierUnavailableError
from taskmcp.resource.cache import CachingVerifier

__all__ = ["MAX_RESPONSE", "IntrospectionVerifier", "basic_credentials", "introspection_context"]

MAX_RESPONSE = 64 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=5, connect=3)

log = logging.getLogger(__name__)


def basic_credentials(client_id: str, secret: str) -> str:
    """``Basic base64(urlencode(id):urlencode(secret))`` (RFC 6749 §2.3.1)."""
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(raw.encode()).decode("ascii")


def _audience(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def access_from(data: dict[str, Any]) -> AccessInfo | None:
    """The facts of an introspection response, ``None`` if inactive or unusable."""
    if data.get("active") is not True:
        return None
    sub, client_id, scope = data.get("sub"), data.get("client_id"), data.get("scope", "")
    if not isinstance(sub, str) or not sub or not isinstance(scope, str):
        log.warning("introspection: an active token without a usable sub or scope; refusing it")
        return None
    exp, upstream = data.get("exp"), data.get("taskmanager_access_token")
    return AccessInfo(
        sub=sub,
        client_id=client_id if isinstance(client_id, str) else "",
        scopes=frozenset(scope.split()),
        aud=_audience(data.get("aud")),
        exp=exp if isinstance(exp, int) and not isinstance(exp, bool) else None,
        upstream_token=SecretStr(upstream) if isinstance(upstream, str) and upstream else None,
    )


class IntrospectionVerifier:
    def __init__(
        self, http: aiohttp.ClientSession, url: str, client_id: str, secret: SecretStr | None
    ) -> None:
        self._http = http
        self._url = url
        self._auth = basic_credentials(client_id, secret.get_secret_value() if secret else "")

    async def verify(self, token: str) -> AccessInfo | None:
        status, body = await self._post(token)
        if status in (401, 403):
            log.error(
                "the authorization server refused our introspection credentials (HTTP %s): "
                "check TASKMCP_INTROSPECTION_CLIENT_ID/SECRET on both services",
                status,
            )
            raise VerifierUnavailableError("introspection credentials refused")
        if status != 200:
            log.warning("introspection answered HTTP %s", status)
            raise VerifierUnavailableError(f"introspection answered HTTP {status}")
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("introspection answered something that is not a JSON object")
            raise VerifierUnavailableError("introspection answered garbage")
        return access_from(data)

    async def _post(self, token: str) -> tuple[int, bytes]:
        form = {"token": token, "token_type_hint": "access_token"}
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        try:
            async with self._http.post(
                self._url, data=form, headers=headers, allow_redirects=False
            ) as resp:
                body = await resp.content.read(MAX_RESPONSE + 1)
                if len(body) > MAX_RESPONSE:
                    raise VerifierUnavailableError("introspection response too large")
                return resp.status, body
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("introspection failed: %s", type(exc).__name__)
            raise VerifierUnavailableError("authorization server unreachable") from exc


async def introspection_context(app: web.Application) -> AsyncIterator[None]:
    """One pooled session to the authorization server, and the cached verifier on it."""
    settings = app[RESOURCE_SETTINGS]
    jar = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=jar) as http:
        verifier = IntrospectionVerifier(
            http,
            f"{settings.auth_server}/introspect",
            settings.introspection_client_id,
            settings.introspection_client_secret,
        )
        app[VERIFIER] = CachingVerifier(
            verifier,
            positive_ttl=settings.introspection_cache_ttl,
            observer=app[RESOURCE_METRICS],
        )
        yield

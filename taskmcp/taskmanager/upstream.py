"""taskmcp as an OAuth client of TaskManager (taskmanager-api §3.3-§3.6).

The authorization server uses one pre-registered upstream client (``brooks`` by
default) to learn who the user is and to obtain the user's TaskManager tokens:

* ``authorize_url`` builds the browser redirect to ``/api/oauth/authorize`` on the
  **browser-facing** base URL, with our own PKCE S256 challenge and a fresh ``state``
  (oauth-checklist P7).
* ``exchange_code`` and ``refresh`` call ``/api/oauth/token`` server to server on the
  **internal** base URL: form body, ``client_secret_post`` only (§3.6, §6.12).

TaskManager rotates refresh tokens and omits ``scope`` from refresh responses
(§6.11), so ``refresh`` keeps the previously known scope. There is no discovery
document, so the endpoints are configured, not fetched (§6.17).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import aiohttp
from pydantic import BaseModel, ConfigDict, SecretStr

from taskmcp.taskmanager.errors import UpstreamOAuthError, UpstreamUnavailableError
from taskmcp.taskmanager.http import RawResponse, send
from taskmcp.taskmanager.wire import parse_json

__all__ = ["UPSTREAM_SCOPE", "UpstreamOAuthClient", "UpstreamTokens"]

UPSTREAM_SCOPE = "read write"
AUTHORIZE_PATH = "/api/oauth/authorize"
TOKEN_PATH = "/api/oauth/token"  # noqa: S105 (a path, not a secret)


class UpstreamTokens(BaseModel):
    """The user's TaskManager tokens; secrets stay ``SecretStr`` so they never print."""

    model_config = ConfigDict(frozen=True)

    access_token: SecretStr
    refresh_token: SecretStr | None
    expires_at: datetime | None
    scope: str | None


class UpstreamOAuthClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        public_url: str,
        internal_url: str,
        client_id: str,
        client_secret: SecretStr | None,
        redirect_uri: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http = http
        self._public = public_url.rstrip("/")
        self._internal = internal_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self._clock = clock

    def authorize_url(self, *, state: str, code_challenge: str, scope: str = UPSTREAM_SCOPE) -> str:
        query = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self._public}{AUTHORIZE_PATH}?{urlencode(query)}"

    async def exchange_code(self, code: str, *, code_verifier: str) -> UpstreamTokens:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": code_verifier,
        }
        return await self._token_request(form, previous_scope=None)

    async def refresh(self, refresh_token: str, *, previous_scope: str | None) -> UpstreamTokens:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return await self._token_request(form, previous_scope=previous_scope)

    async def _token_request(
        self, form: dict[str, str], *, previous_scope: str | None
    ) -> UpstreamTokens:
        form = {**form, "client_id": self._client_id}
        if self._client_secret is not None:
            form["client_secret"] = self._client_secret.get_secret_value()
        started = self._clock()
        try:
            resp = await send(self._http, "POST", f"{self._internal}{TOKEN_PATH}", data=form)
        except aiohttp.ClientConnectionError as exc:
            raise UpstreamUnavailableError("TaskManager is unreachable") from exc
        if resp.status != 200:
            raise _token_error(resp)
        return self._tokens(parse_json(resp.body), started, previous_scope)

    def _tokens(
        self, data: object, started: datetime, previous_scope: str | None
    ) -> UpstreamTokens:
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise UpstreamUnavailableError("TaskManager sent an unexpected token response")
        expires_in = data.get("expires_in")
        refresh = data.get("refresh_token")
        return UpstreamTokens(
            access_token=SecretStr(data["access_token"]),
            refresh_token=SecretStr(refresh) if isinstance(refresh, str) else None,
            expires_at=started + timedelta(seconds=expires_in)
            if isinstance(expires_in, int) and not isinstance(expires_in, bool)
            else None,
            scope=data.get("scope") if isinstance(data.get("scope"), str) else previous_scope,
        )


def _token_error(resp: RawResponse) -> Exception:
    """400/401 with an OAuth error body → ``UpstreamOAuthError``; anything else means
    TaskManager is not working (§3.6: its 500s here are server errors)."""
    data: object = None
    if resp.status in (400, 401):
        try:
            data = parse_json(resp.body)
        except UpstreamUnavailableError:
            data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        code = data["error"][:64]
        return UpstreamOAuthError(code, f"TaskManager refused the token request ({code})",
                                  status=resp.status)  # fmt: skip
    return UpstreamUnavailableError(
        f"TaskManager token endpoint answered HTTP {resp.status}", status=resp.status
    )

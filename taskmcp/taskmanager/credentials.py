"""How a TaskManager request is authenticated: two strategies (issue #3).

* ``UserToken`` (``TASKMCP_TASKMANAGER_AUTH=user``, the default): the request carries
  **that user's own** upstream OAuth access token as ``Authorization: Bearer``. This
  works only on TaskManager's JAN revision (taskmanager-api §2.6). One object per user
  and call; nothing is shared between users.
* ``ServiceAccount`` (``TASKMCP_TASKMANAGER_AUTH=service``): one service account logs in
  with ``POST /api/auth/login`` and its session cookie lives in the HTTP session's
  cookie jar. On a 302-to-login the client logs in again once, then fails. This is what
  DEC deployments need (their API accepts only cookies). **Every MCP user then sees the
  service account's data.**
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Literal, Protocol

import aiohttp
from pydantic import SecretStr

from taskmcp.taskmanager.errors import (
    InvalidCredentialsError,
    RateLimitedError,
    UpstreamUnavailableError,
    error_for_response,
)
from taskmcp.taskmanager.http import send
from taskmcp.taskmanager.models import User
from taskmcp.taskmanager.wire import parse_json

__all__ = ["Credential", "Revision", "ServiceAccount", "UserToken"]

Revision = Literal["jan", "dec"]


class Credential(Protocol):
    @property
    def revision(self) -> Revision:
        """The upstream revision, which decides a few request encodings (§6.10)."""

    async def prepare(self, http: aiohttp.ClientSession, base_url: str) -> int:
        """Make the credential usable; return its generation (changes on every login)."""

    def headers(self) -> Mapping[str, str]: ...

    async def renew(self, http: aiohttp.ClientSession, base_url: str, generation: int) -> bool:
        """After a login redirect seen at ``generation``: True if a retry may succeed."""


class UserToken:
    """A user's upstream OAuth access token (JAN only; nothing to renew here: the
    authorization server refreshes upstream tokens)."""

    revision: Revision = "jan"

    def __init__(self, access_token: str) -> None:
        self._headers = {"Authorization": f"Bearer {access_token}"}

    def __repr__(self) -> str:
        return "UserToken(<redacted>)"

    async def prepare(self, http: aiohttp.ClientSession, base_url: str) -> int:
        return 0

    def headers(self) -> Mapping[str, str]:
        return self._headers

    async def renew(self, http: aiohttp.ClientSession, base_url: str, generation: int) -> bool:
        return False


class ServiceAccount:
    """One shared service-account session (see the module docstring for the caveat)."""

    def __init__(self, username: str, password: SecretStr) -> None:
        self._username = username
        self._password = password
        self._lock = asyncio.Lock()
        self._generation = 0
        self._revision: Revision | None = None
        self.user: User | None = None

    @property
    def revision(self) -> Revision:
        return self._revision or "jan"

    async def prepare(self, http: aiohttp.ClientSession, base_url: str) -> int:
        if self._generation == 0:
            await self.renew(http, base_url, 0)
        return self._generation

    def headers(self) -> Mapping[str, str]:
        return {}

    async def renew(self, http: aiohttp.ClientSession, base_url: str, generation: int) -> bool:
        async with self._lock:
            if self._generation != generation:
                return True  # another request logged in meanwhile
            await self._login(http, base_url)
            self._generation += 1
            return True

    async def _login(self, http: aiohttp.ClientSession, base_url: str) -> None:
        """``POST /api/auth/login`` (§2.1); the cookie lands in the session's jar."""
        body = {"username": self._username, "password": self._password.get_secret_value()}
        try:
            resp = await send(http, "POST", f"{base_url}/api/auth/login", json=body)
        except aiohttp.ClientConnectionError as exc:
            raise UpstreamUnavailableError("TaskManager is unreachable") from exc
        if resp.status == 401:
            raise InvalidCredentialsError("TaskManager refused the service account login")
        if resp.status != 200:
            error = error_for_response(
                status=resp.status,
                method="POST",
                body=resp.body,
                content_type=resp.content_type,
                retry_after=resp.retry_after,
            )
            raise (
                error
                if isinstance(error, RateLimitedError)
                else UpstreamUnavailableError(
                    f"TaskManager login failed with HTTP {resp.status}", status=resp.status
                )
            )
        data = parse_json(resp.body)
        envelope = data.get("data") if isinstance(data, dict) else None
        self._revision = "jan" if isinstance(envelope, dict) else "dec"
        user = (envelope or data).get("user") if isinstance(data, dict) else None
        self.user = User.model_validate(user) if isinstance(user, dict) else None

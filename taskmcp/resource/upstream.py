"""Which TaskManager credential a tool call uses (``TASKMCP_TASKMANAGER_AUTH``).

* ``user`` (default): a ``TaskManagerClient`` per call, acting as the caller with the
  upstream access token the authorization server returned in the introspection
  response (never the client's own token: no token passthrough, mcp-protocol §8.1).
  A token without an upstream token cannot reach TaskManager: 401 ``invalid_token``,
  so the client signs in again. The pooled HTTP session keeps no cookies.
* ``service``: one shared ``ServiceAccount`` whose session cookie lives in the pooled
  session's jar. A ``NotAuthenticatedError`` then means the service account is
  misconfigured, which is the operator's problem, not the client's.
* ``--no-auth`` with ``user``: there is no upstream token at all; tools that reach
  TaskManager fail with a logged configuration error.

Both HTTP sessions are opened and closed in ``upstream_context`` (a cleanup context);
every request on them is counted in the app's metrics (``observability.upstream``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import aiohttp
from aiohttp import web

from taskmcp.config import ResourceSettings
from taskmcp.keys import METRICS, RESOURCE_SETTINGS, UPSTREAM
from taskmcp.observability.upstream import upstream_trace
from taskmcp.resource.access import AccessInfo, Upstream
from taskmcp.resource.errors import InvalidToken
from taskmcp.taskmanager import (
    NotAuthenticatedError,
    Revision,
    ServiceAccount,
    TaskManagerClient,
    Timeouts,
    UserToken,
    open_http,
)

__all__ = ["LocalUpstream", "ServiceUpstream", "UserUpstream", "upstream_context"]

CONNECT_TIMEOUT = 3.0


class UserUpstream:
    auth_failure_is_client_error = True

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self._http = http
        self._base = base_url

    def client_for(self, access: AccessInfo) -> TaskManagerClient:
        if access.upstream_token is None:
            raise InvalidToken("No TaskManager authorization is attached to this token")
        token = UserToken(access.upstream_token.get_secret_value())
        return TaskManagerClient(self._http, self._base, token)


class _NoCredential:
    """``--no-auth`` in ``user`` mode: every TaskManager request fails, loudly."""

    revision: Revision = "jan"

    async def prepare(self, http: aiohttp.ClientSession, base_url: str) -> int:
        raise NotAuthenticatedError("no TaskManager credential in --no-auth user mode")

    def headers(self) -> Mapping[str, str]:
        return {}

    async def renew(self, http: aiohttp.ClientSession, base_url: str, generation: int) -> bool:
        return False


class LocalUpstream:
    auth_failure_is_client_error = False

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self._client = TaskManagerClient(http, base_url, _NoCredential())

    def client_for(self, access: AccessInfo) -> TaskManagerClient:
        return self._client


class ServiceUpstream:
    auth_failure_is_client_error = False

    def __init__(self, http: aiohttp.ClientSession, base_url: str, account: ServiceAccount):
        self._client = TaskManagerClient(http, base_url, account)

    def client_for(self, access: AccessInfo) -> TaskManagerClient:
        return self._client


def _build(settings: ResourceSettings, http: aiohttp.ClientSession) -> Upstream:
    base = settings.taskmanager_internal_url
    if settings.taskmanager_auth == "service":
        username, password = settings.taskmanager_username, settings.taskmanager_password
        if username is None or password is None:  # check_requirements refuses this
            raise RuntimeError("service mode without TASKMANAGER_USERNAME/PASSWORD")
        return ServiceUpstream(http, base, ServiceAccount(username, password))
    if settings.no_auth:
        return LocalUpstream(http, base)
    return UserUpstream(http, base)


async def upstream_context(app: web.Application) -> AsyncIterator[None]:
    """Open the pooled TaskManager session for the app's lifetime; every request on it
    ends within ``TASKMCP_TASKMANAGER_TIMEOUT`` seconds (connect: at most 3 of them)."""
    settings = app[RESOURCE_SETTINGS]
    total = settings.taskmanager_timeout
    async with open_http(
        keep_cookies=settings.taskmanager_auth == "service",
        timeouts=Timeouts(connect=min(CONNECT_TIMEOUT, total), total=total),
        trace_configs=(upstream_trace(app[METRICS]),),
    ) as http:
        app[UPSTREAM] = _build(settings, http)
        yield

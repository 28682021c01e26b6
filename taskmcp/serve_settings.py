"""Settings of ``taskmcp serve``: both services in one process, on one origin.

``MCP_SERVER_URL`` (``--server-url``) is the single public origin. The MCP endpoint is
``<MCP_SERVER_URL>/mcp`` and the issuer is exactly ``MCP_SERVER_URL`` (RFC 8414 §3.3
compares it as a string), so ``MCP_AUTH_SERVER_PUBLIC_URL`` and ``MCP_AUTH_SERVER`` are
not used; a different issuer in the environment is reported at startup and ignored.

The process listens where the resource server would (``TASKMCP_RESOURCE_HOST`` and
``TASKMCP_RESOURCE_PORT``, ``--host``/``--port``; default 127.0.0.1:8001). Every other
variable means what it means to ``taskmcp auth`` and ``taskmcp resource``. Tokens are
verified in-process (``taskmcp.oauth.local_verifier``), so
``TASKMCP_INTROSPECTION_CLIENT_SECRET`` is optional, production included: without it
``/introspect`` answers every caller with ``invalid_client``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from taskmcp.config import AUTH_SOURCES, RESOURCE_SOURCES, AuthSettings, ResourceSettings, Source

__all__ = ["SERVE_SOURCES", "ServeSettings"]

SERVE_SOURCES: Mapping[str, Source] = {**AUTH_SOURCES, **RESOURCE_SOURCES}
"""Every variable and flag; where both services have a field, the resource server's
source wins (``host``, ``port``, ``mcp_server_url`` as ``--server-url``)."""

_ISSUER_ENV = AUTH_SOURCES["public_url"].env
_INTROSPECTION_SECRET_ENV = AUTH_SOURCES["introspection_client_secret"].env


@dataclass(frozen=True)
class ServeSettings:
    auth: AuthSettings
    resource: ResourceSettings
    ignored_issuer: bool = False

    SOURCES: ClassVar[Mapping[str, Source]] = SERVE_SOURCES

    @classmethod
    def load(
        cls, environ: Mapping[str, str], overrides: Mapping[str, object] | None = None
    ) -> ServeSettings:
        """Both services' settings from flags (by field name) over ``environ``, with
        the issuer pinned to the MCP origin. Raises ``ConfigError``."""
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        # Not configured: a random secret nobody knows keeps /introspect closed and
        # satisfies the production requirement meant for the two-process deployment.
        shared = {
            "introspection_client_secret": environ.get(_INTROSPECTION_SECRET_ENV)
            or secrets.token_urlsafe(32)
        }
        first = ResourceSettings.load(environ, {**_pick(RESOURCE_SOURCES, given), **shared})
        origin = first.mcp_server_url
        resource = ResourceSettings.load(
            environ,
            {**_pick(RESOURCE_SOURCES, given), **shared,
             "auth_server": origin, "auth_server_public_url": origin},
        )  # fmt: skip
        auth = AuthSettings.load(
            environ,
            {**_pick(AUTH_SOURCES, given), **shared, "host": resource.host,
             "port": resource.port, "public_url": origin, "mcp_server_url": origin},
        )  # fmt: skip
        configured = environ.get(_ISSUER_ENV, "")
        return cls(auth, resource, ignored_issuer=bool(configured) and configured != origin)

    @property
    def origin(self) -> str:
        """The one public origin: issuer, and MCP server without ``/mcp``."""
        return self.resource.mcp_server_url

    def startup_warnings(self) -> tuple[str, ...]:
        ignored = (
            (f"{_ISSUER_ENV} is ignored: taskmcp serve's issuer is MCP_SERVER_URL",)
            if self.ignored_issuer
            else ()
        )
        return (*ignored, *self.auth.startup_warnings(), *self.resource.startup_warnings())


def _pick(sources: Mapping[str, Source], given: Mapping[str, object]) -> dict[str, object]:
    return {field: value for field, value in given.items() if field in sources}

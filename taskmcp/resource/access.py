"""Who is calling: the result of validating a bearer token, and the verifier seam.

``TokenVerifier`` is what the resource server needs from token validation (python-sdk
``mcp/server/auth/provider.py`` has the same seam). ``IntrospectionVerifier`` asks the
authorization server (RFC 7662); tests inject fakes. ``verify`` returns ``None`` for a
token that is not active, and raises ``VerifierUnavailableError`` when it cannot tell
(the authorization server is down or refuses our credentials): that is a 503, never
a 401, because the token may well be good.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, SecretStr

from taskmcp.taskmanager import TaskManagerClient

__all__ = [
    "LOCAL_ACCESS",
    "SCOPES",
    "AccessInfo",
    "TokenVerifier",
    "Upstream",
    "VerifierUnavailableError",
]

SCOPES = ("tasks:read", "tasks:write")


class AccessInfo(BaseModel):
    """An active access token's facts. ``aud`` is empty when the token names none."""

    model_config = ConfigDict(frozen=True)

    sub: str
    client_id: str
    scopes: frozenset[str]
    aud: tuple[str, ...] = ()
    exp: int | None = None
    upstream_token: SecretStr | None = None


LOCAL_ACCESS = AccessInfo(sub="local", client_id="local", scopes=frozenset(SCOPES))
"""The fixed caller of ``--no-auth`` mode (conformance runs only)."""


class VerifierUnavailableError(Exception):
    """Token validation could not be done right now; retry later."""


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> AccessInfo | None:
        """The token's facts if it is active, else ``None``."""


class Upstream(Protocol):
    """Where tools reach TaskManager (``taskmcp.resource.upstream`` has the strategies)."""

    @property
    def auth_failure_is_client_error(self) -> bool:
        """True when a TaskManager 401 means "the caller must sign in again"."""

    def client_for(self, access: AccessInfo) -> TaskManagerClient:
        """A TaskManager client acting for ``access``; may raise ``InvalidToken``."""

"""The OAuth error tree (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2; RFC 7009 §2.2.1;
RFC 8707 §2; RFC 6750 §3.1), rendered by exactly one middleware (``oauth.middleware``).

::

    OAuthError                       error code + HTTP status, exposed to the client
    ├── InvalidRequest               400 invalid_request
    ├── InvalidClient                401 invalid_client (+ WWW-Authenticate if Basic was used)
    ├── InvalidGrant                 400 invalid_grant
    ├── UnauthorizedClient           400 unauthorized_client
    ├── UnsupportedGrantType         400 unsupported_grant_type
    ├── UnsupportedResponseType      400 unsupported_response_type
    ├── UnsupportedTokenType         400 unsupported_token_type
    ├── InvalidScope                 400 invalid_scope
    ├── InvalidTarget                400 invalid_target
    ├── AccessDenied                 403 access_denied
    ├── InvalidRedirectUri           400 invalid_redirect_uri
    ├── InvalidClientMetadata        400 invalid_client_metadata
    ├── RateLimited                  429 (with Retry-After; body error "rate_limited")
    ├── TemporarilyUnavailable       503 temporarily_unavailable (with Retry-After)
    └── ServerError                  500 server_error (never carries detail)

``error_description`` may only contain %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2): the
constructor replaces anything else, so no caller can break the rule.

An error becomes a redirect only when a validated ``redirect_uri`` is attached
(``redirect_to``); otherwise it is a direct response (checklist O1, R5).
"""

from __future__ import annotations

import re
from typing import ClassVar

__all__ = [
    "AccessDenied",
    "InvalidClient",
    "InvalidClientMetadata",
    "InvalidGrant",
    "InvalidRedirectUri",
    "InvalidRequest",
    "InvalidScope",
    "InvalidTarget",
    "OAuthError",
    "RateLimited",
    "ServerError",
    "TemporarilyUnavailable",
    "UnauthorizedClient",
    "UnsupportedGrantType",
    "UnsupportedResponseType",
    "UnsupportedTokenType",
]

_FORBIDDEN = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


class OAuthError(Exception):
    error: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400

    def __init__(self, description: str | None = None, *, redirect_to: str | None = None):
        self.description = _FORBIDDEN.sub("?", description)[:300] if description else None
        self.redirect_to = redirect_to
        self.state: str | None = None
        self.basic_auth_used = False
        self.retry_after: int | None = None
        super().__init__(
            self.error if not self.description else f"{self.error}: {self.description}"
        )

    def body(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error = "invalid_client"
    status = 401


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"


class UnsupportedTokenType(OAuthError):
    error = "unsupported_token_type"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class InvalidTarget(OAuthError):
    error = "invalid_target"


class AccessDenied(OAuthError):
    error = "access_denied"
    status = 403


class InvalidRedirectUri(OAuthError):
    error = "invalid_redirect_uri"


class InvalidClientMetadata(OAuthError):
    error = "invalid_client_metadata"


class RateLimited(OAuthError):
    error = "rate_limited"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests")
        self.retry_after = max(1, retry_after)


class TemporarilyUnavailable(OAuthError):
    error = "temporarily_unavailable"
    status = 503

    def __init__(self, description: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class ServerError(OAuthError):
    error = "server_error"
    status = 500

    def __init__(self) -> None:
        super().__init__(None)

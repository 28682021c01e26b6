"""Client authentication at the token and revocation endpoints (OAuth 2.1 §2.4,
§3.2.1; RFC 6749 §2.3.1; checklist T1, T2, T3, T13).

Methods: ``none`` (public clients send only ``client_id``), ``client_secret_basic``
and ``client_secret_post``; every confidential client may use either secret method
(claude.ai posts the secret even when only Basic is advertised). Using more than one
method in a request is ``invalid_request``. Basic credentials are form-urlencoded
before base64, so both halves are unquoted after splitting on the first ``:``.
Secrets are compared in constant time, and failures are rate limited per client and
address (``secret_attempts``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import unquote

from taskmcp.crypto import TokenHasher
from taskmcp.oauth.errors import InvalidClient, InvalidRequest
from taskmcp.oauth.params import Params
from taskmcp.storage import Client

__all__ = ["ClientCredentials", "parse_basic", "read_credentials", "verify_client"]

Method = Literal["none", "client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    secret: str | None
    method: Method

    @property
    def basic(self) -> bool:
        return self.method == "client_secret_basic"


def parse_basic(header: str) -> tuple[str, str] | None:
    """``Authorization: Basic …`` → (id, secret), or ``None`` if it is not Basic."""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("malformed Basic credentials") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise InvalidClient("malformed Basic credentials")
    return unquote(client_id), unquote(secret)


def read_credentials(authorization: str | None, params: Params) -> ClientCredentials:
    basic = parse_basic(authorization) if authorization else None
    body_id, body_secret = params.get("client_id"), params.get("client_secret")
    if basic is not None:
        if body_secret is not None:
            raise InvalidRequest("use one client authentication method")
        if body_id is not None and body_id != basic[0]:
            raise InvalidRequest("client_id does not match the Basic credentials")
        return ClientCredentials(basic[0], basic[1], "client_secret_basic")
    if body_id is None:
        raise InvalidClient("client authentication is required")
    if body_secret is not None:
        return ClientCredentials(body_id, body_secret, "client_secret_post")
    return ClientCredentials(body_id, None, "none")


def verify_client(
    client: Client | None, credentials: ClientCredentials, hasher: TokenHasher, now: datetime
) -> Client:
    """The authenticated client, or ``InvalidClient`` (401)."""
    error = InvalidClient("client authentication failed")
    error.basic_auth_used = credentials.basic
    if client is None:
        raise error
    if client.token_endpoint_auth_method == "none":  # noqa: S105
        if credentials.secret is not None:
            raise error
        return client
    if credentials.secret is None or client.secret_hash is None:
        raise error
    if not hasher.verify(credentials.secret, client.secret_hash):
        raise error
    if client.secret_expires_at is not None and client.secret_expires_at <= now:
        raise error
    return client

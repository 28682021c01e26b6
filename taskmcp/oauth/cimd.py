"""Client ID Metadata Documents (MCP 2026-07-28 client registration;
draft-ietf-oauth-client-id-metadata-document-02 §3, §5, §8.6, §8.7; checklist F1-F4).

A client may use an https URL as its ``client_id``; the document at that URL is its
metadata. ``CimdFetcher.fetch`` downloads and validates it and returns a
``Client(source="cimd")`` whose ``expires_at`` ends the cache lifetime; the caller
stores it (errors are never cached, because nothing is returned).

Client id URLs (``is_cimd_client_id``): https, a host, a path other than ``/``, no
userinfo, no fragment, no dot segments (draft §3), at most 2048 characters, and, by
policy, no query (the draft's SHOULD NOT), so one URL names one document.

Fetching (F2): https only, a GET with no cookies and no redirects (a 3xx is an error),
``timeout`` seconds in total, at most ``max_bytes`` of body counted while streaming, no
content coding, a JSON content type, and at most ``fetches_per_minute`` fetches per host.

SSRF (F3, F4; RFC 9728 §7.7): ``open_cimd_session`` installs ``GuardedResolver`` on the
session's own ``TCPConnector``: every address a name resolves to must be globally
routable (``is_public_address``) or the lookup fails, and aiohttp connects to a vetted
address while keeping the original Host and SNI, so DNS rebinding cannot swap it. aiohttp
skips the resolver for IP-literal hosts, so those are checked before the request (a
trace hook on the session, and again in the fetcher), and the fetcher checks the peer
address of the connection before reading the body. ``allow_private=True`` (development
only) turns all of this off so that local documents on 127.0.0.1 can be used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import aiohttp
from pydantic import ValidationError

from taskmcp.oauth.errors import (
    InvalidClient,
    InvalidRedirectUri,
    RateLimited,
    TemporarilyUnavailable,
)
from taskmcp.oauth.ratelimit import RateLimiter
from taskmcp.oauth.redirects import validate_registered_uri
from taskmcp.oauth.ssrf import (
    BlockedAddressError,
    GuardedResolver,
    is_ip_literal,
    is_public_address,
    open_guarded_session,
)
from taskmcp.storage.models import Client

__all__ = [
    "BlockedAddressError",
    "CimdFetcher",
    "GuardedResolver",
    "cache_lifetime",
    "is_cimd_client_id",
    "is_public_address",
    "open_cimd_session",
]

MAX_CLIENT_ID_LENGTH = 2048
MAX_CLIENT_NAME_LENGTH = 200
MIN_CACHE = timedelta(seconds=300)
MAX_CACHE = timedelta(days=7)
DEFAULT_CACHE = timedelta(hours=1)

_URL_CHARS = re.compile(r"^[\x21-\x7e]+$")
_MAX_AGE = re.compile(r"^max-age=\"?([0-9]{1,12})\"?$")
_REQUEST_HEADERS = {"Accept": "application/json", "Accept-Encoding": "identity"}
_NOT_PUBLIC = "client_id host is not a public address"


# -- client id URLs -------------------------------------------------------------------


def is_cimd_client_id(client_id: str) -> bool:
    """Whether ``client_id`` is a client metadata document URL (draft §3)."""
    if len(client_id) > MAX_CLIENT_ID_LENGTH or not _URL_CHARS.fullmatch(client_id):
        return False
    if not client_id.startswith("https://") or "?" in client_id or "#" in client_id:
        return False
    try:
        parts = urlsplit(client_id)
        _ = parts.port
    except ValueError:
        return False
    segments = {unquote(segment) for segment in parts.path.split("/")}
    return (
        bool(parts.hostname)
        and "@" not in parts.netloc
        and parts.path not in ("", "/")
        and (not segments & {".", ".."})
    )


open_cimd_session = open_guarded_session
"""The session ``CimdFetcher`` expects (see ``taskmcp.oauth.ssrf``)."""


# -- caching --------------------------------------------------------------------------


def cache_lifetime(cache_control: str | None) -> timedelta:
    """How long to keep a fetched document (draft §5.2): ``max-age`` clamped to
    [5 min, 7 days]; ``no-store``/``no-cache`` get the 5 minute minimum so that an
    authorization flow can finish; absent or unparseable, one hour."""
    directives = [d.strip().lower() for d in (cache_control or "").split(",")]
    if "no-store" in directives or "no-cache" in directives:
        return MIN_CACHE
    for directive in directives:
        match = _MAX_AGE.fullmatch(directive)
        if match:
            return min(max(timedelta(seconds=int(match[1])), MIN_CACHE), MAX_CACHE)
    return DEFAULT_CACHE


# -- the fetcher ----------------------------------------------------------------------


class CimdFetcher:
    """Fetches and validates client metadata documents (F1-F4).

    ``http`` must come from ``open_cimd_session`` with the same ``allow_private``: its
    resolver is what vets the addresses of DNS names before connecting.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        allow_private: bool = False,
        clock: Callable[[], datetime],
        max_bytes: int = 5120,
        timeout: float = 5.0,
        fetches_per_minute: int = 10,
    ) -> None:
        self._http = http
        self._allow_private = allow_private
        self._clock = clock
        self._max_bytes = max_bytes
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._fetches_per_minute = fetches_per_minute
        self._limiter = RateLimiter(max_keys=10_000)

    async def fetch(self, client_id: str) -> Client:
        """The client named by ``client_id``, or ``InvalidClient`` /
        ``TemporarilyUnavailable`` (per-host fetch limit) with a safe description."""
        host = self._vet_url(client_id)
        self._count_fetch(host)
        body, cache_control = await self._download(client_id)
        now = self._clock()
        return _client_from_document(
            client_id, _parse_json(body), now=now, lifetime=cache_lifetime(cache_control)
        )

    def _vet_url(self, client_id: str) -> str:
        if not is_cimd_client_id(client_id):
            raise InvalidClient("client_id is not a valid client metadata document URL")
        host = urlsplit(client_id).hostname or ""
        if not self._allow_private and is_ip_literal(host) and not is_public_address(host):
            raise InvalidClient(_NOT_PUBLIC)
        return host

    def _count_fetch(self, host: str) -> None:
        now = self._clock().timestamp()
        try:
            self._limiter.check("cimd", host, limit=self._fetches_per_minute, window=60, now=now)
        except RateLimited as exc:
            raise TemporarilyUnavailable(
                "too many client metadata fetches for this host", retry_after=exc.retry_after or 60
            ) from exc

    async def _download(self, url: str) -> tuple[bytes, str | None]:
        try:
            async with self._http.get(
                url, allow_redirects=False, timeout=self._timeout, headers=_REQUEST_HEADERS
            ) as response:
                if not self._allow_private:
                    _check_peer(response)
                _check_response(response, self._max_bytes)
                body = await _read_body(response, self._max_bytes)
                return body, response.headers.get(aiohttp.hdrs.CACHE_CONTROL)
        except TimeoutError as exc:
            raise InvalidClient("timed out fetching the client metadata document") from exc
        except BlockedAddressError as exc:
            raise InvalidClient(_NOT_PUBLIC) from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddressError):
                raise InvalidClient(_NOT_PUBLIC) from exc
            raise InvalidClient("could not connect to the client_id host") from exc
        except aiohttp.ClientError as exc:
            raise InvalidClient("could not fetch the client metadata document") from exc


def _check_peer(response: aiohttp.ClientResponse) -> None:
    """Defense in depth: the connection's actual peer must be public too."""
    transport = response.connection.transport if response.connection else None
    peer = transport.get_extra_info("peername") if transport else None
    if not peer or not is_public_address(str(peer[0])):
        raise InvalidClient(_NOT_PUBLIC)


def _check_response(response: aiohttp.ClientResponse, max_bytes: int) -> None:
    if 300 <= response.status < 400:
        raise InvalidClient("client metadata document URL redirects; redirects are not followed")
    if response.status != 200:
        raise InvalidClient(f"client metadata document fetch returned HTTP {response.status}")
    if response.content_type != "application/json" and not response.content_type.endswith("+json"):
        raise InvalidClient("client metadata document is not served as JSON")
    if response.headers.get(aiohttp.hdrs.CONTENT_ENCODING, "identity").lower() != "identity":
        raise InvalidClient("client metadata document must not be content-encoded")
    if (response.content_length or 0) > max_bytes:
        raise InvalidClient(f"client metadata document is larger than {max_bytes} bytes")


async def _read_body(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    body = bytearray()
    async for chunk in response.content.iter_chunked(1024):
        body += chunk
        if len(body) > max_bytes:
            raise InvalidClient(f"client metadata document is larger than {max_bytes} bytes")
    return bytes(body)


# -- the document ---------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidClient("client metadata document is not valid JSON") from exc


def _client_from_document(url: str, document: Any, *, now: datetime, lifetime: timedelta) -> Client:
    """Validate a document (F1; draft §4, §8.1) and build the cached client record.

    Unknown fields are kept in ``metadata``. Unsupported ``grant_types`` and
    ``response_types`` entries are ignored, but the code flow must be among them.
    """
    if not isinstance(document, dict):
        raise InvalidClient("client metadata document must be a JSON object")
    if document.get("client_id") != url:
        raise InvalidClient("client_id in the document does not match its URL")
    if document.get("token_endpoint_auth_method", "none") != "none" or "client_secret" in (
        document
    ):
        raise InvalidClient("a client metadata document client must use auth method none")
    try:
        return Client(
            client_id=url,
            source="cimd",
            token_endpoint_auth_method="none",  # noqa: S106 (an auth method, not a secret)
            redirect_uris=_redirect_uris(document),
            grant_types=_supported(document, "grant_types", _GRANT_TYPES),
            response_types=_supported(document, "response_types", ("code",)),
            application_type=_application_type(document),
            client_name=_optional_text(document, "client_name", MAX_CLIENT_NAME_LENGTH),
            scope=_optional_text(document, "scope", 1000),
            metadata=document,
            created_at=now,
            expires_at=now + lifetime,
        )
    except ValidationError as exc:
        raise InvalidClient("client metadata document has invalid metadata") from exc


_GRANT_TYPES = ("authorization_code", "refresh_token")


def _redirect_uris(document: dict[str, Any]) -> tuple[str, ...]:
    uris = document.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise InvalidClient("redirect_uris must be a non-empty list of strings")
    for uri in uris:
        try:
            validate_registered_uri(uri)
        except InvalidRedirectUri as exc:
            raise InvalidClient(f"invalid redirect_uris entry: {exc.description}") from exc
    return tuple(uris)


def _supported(document: dict[str, Any], name: str, supported: tuple[str, ...]) -> tuple[str, ...]:
    values = document.get(name, list(supported))
    if not isinstance(values, list) or supported[0] not in values:
        raise InvalidClient(f"{name} must be a list containing {supported[0]}")
    return tuple(value for value in supported if value in values)


def _application_type(document: dict[str, Any]) -> Literal["web", "native"]:
    """Absent means "not said": stored as ``native``, which leaves every registered
    redirect URI usable (R8); the raw document in ``metadata`` still shows the absence."""
    value = document.get("application_type", "native")
    if value not in ("web", "native"):
        raise InvalidClient("application_type must be web or native")
    return "web" if value == "web" else "native"


def _optional_text(document: dict[str, Any], name: str, max_length: int) -> str | None:
    value = document.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > max_length):
        raise InvalidClient(f"{name} must be a string of at most {max_length} characters")
    return value

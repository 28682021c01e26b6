"""Redirect URI rules (OAuth 2.1 §2.3, §4.1.1; RFC 8252 §7.3, §8.3; RFC 9700 §2.1, §4.1.3).

* Registration (checklist R1, OAuth 2.1 §2.3.1, RFC 7591 §3.2.2): ``validate_registered_uri``
  accepts an absolute URI with no fragment and no userinfo that is https, http on a
  loopback host, or a reverse-domain private-use scheme (one with a ``.``). Anything on
  ``EXACT_ALLOWLIST`` is accepted as-is.
* Authorization (R2-R4, R8): ``select_redirect_uri`` compares strings exactly (RFC 3986
  §6.2.1 simple string comparison, no normalization). The only exception is the port of
  a loopback registration (RFC 8252 §7.3), where scheme, host as written, path and query
  still compare byte for byte. Its ``RedirectUriError`` is *not* an ``OAuthError``: the
  caller renders an HTML page and never redirects (R5, OAuth 2.1 §4.1.2.1).
* Responses (R6, OAuth 2.1 §2.3): ``add_query`` keeps the registered query and encodes
  with ``urlencode``.

Cursor's per-user variant ``cursor://anysphere.cursor-mcp/oauth/user-<name>/callback`` is
refused: its scheme is not reverse-domain and the allowlist is exact by design (no
patterns). A registration endpoint that receives it inside a mixed set decides whether
to drop that entry or refuse the set.

Loopback means the *parsed* host is ``localhost``, an address in ``127.0.0.0/8`` written
canonically, or ``[::1]`` (F4: ``localhost.evil.example`` is not loopback).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Literal
from urllib.parse import SplitResult, urlencode, urlsplit

from taskmcp.oauth.errors import InvalidRedirectUri

__all__ = [
    "EXACT_ALLOWLIST",
    "MAX_URI_LENGTH",
    "RedirectUriError",
    "add_query",
    "is_loopback_host",
    "select_redirect_uri",
    "validate_registered_uri",
]

MAX_URI_LENGTH = 2000

EXACT_ALLOWLIST: frozenset[str] = frozenset(
    {
        # Cursor's DCR set (clients-in-the-wild §4): its scheme has no ".", and a
        # web-typed registration would refuse the loopback entry (R8).
        "cursor://anysphere.cursor-mcp/oauth/callback",
        "http://localhost:8787/callback",
    }
)

# RFC 3986 §2: a URI is printable US-ASCII; no spaces, controls or non-ASCII.
_URI_CHARS = re.compile(r"^[\x21-\x7e]+$")
# host as written, then an optional decimal port (1-5 digits).
_AUTHORITY = re.compile(r"^(?P<host>\[[^\]]*\]|[^:\[\]]*)(?::(?P<port>[0-9]{1,5}))?$")


class RedirectUriError(Exception):
    """The authorization request's redirect URI cannot be used (R2-R5, R8).

    Deliberately not an ``OAuthError``: it is shown on an HTML page, never sent to the
    (unverified) redirect URI. ``reason`` is short and safe to display.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_loopback_host(host: str | None) -> bool:
    """``localhost``, canonical ``127.0.0.0/8``, or ``::1``, given a *parsed* hostname."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback and str(address) == host


def _split(uri: str) -> SplitResult:
    if len(uri) > MAX_URI_LENGTH:
        raise InvalidRedirectUri(f"redirect URI longer than {MAX_URI_LENGTH} characters")
    if not _URI_CHARS.fullmatch(uri):
        raise InvalidRedirectUri("redirect URI has characters outside printable ASCII")
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise InvalidRedirectUri("redirect URI is malformed") from exc
    return parts


def validate_registered_uri(uri: str) -> None:
    """Raise ``InvalidRedirectUri`` unless ``uri`` may be registered (checklist R1)."""
    parts = _split(uri)
    if uri in EXACT_ALLOWLIST:
        return
    if not parts.scheme:
        raise InvalidRedirectUri("redirect URI must be absolute")
    if not uri.startswith(f"{parts.scheme}:"):
        raise InvalidRedirectUri("redirect URI scheme must be lowercase")
    if "#" in uri:
        raise InvalidRedirectUri("redirect URI must not contain a fragment")
    if "@" in parts.netloc:
        raise InvalidRedirectUri("redirect URI must not contain userinfo")
    _check_scheme(parts)


def _check_scheme(parts: SplitResult) -> None:
    if parts.scheme == "https":
        if not parts.hostname:
            raise InvalidRedirectUri("https redirect URI needs a host")
    elif parts.scheme == "http":
        if not is_loopback_host(parts.hostname):
            raise InvalidRedirectUri("http redirect URIs are allowed only on a loopback host")
    elif "." not in parts.scheme:
        raise InvalidRedirectUri("a private-use scheme must be reverse-domain (contain a '.')")


def _loopback_key(uri: str) -> tuple[str, str, str] | None:
    """``(scheme://, host as written, path?query)`` for a loopback URI, port dropped.

    Works on the raw string so that nothing is normalized (R2); ``None`` when ``uri`` is
    not a well-formed loopback URI without userinfo or fragment.
    """
    scheme, sep, rest = uri.partition("://")
    if not sep or "#" in rest:
        return None
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    match = _AUTHORITY.fullmatch(rest[:cut])
    if match is None or int(match["port"] or 1) not in range(1, 65536):
        return None
    host = match["host"]
    if not is_loopback_host(host[1:-1] if host.startswith("[") else host):
        return None
    return scheme + sep, host, rest[cut:]


def _loopback_match(requested: str, registered: str) -> bool:
    """R3: the same loopback URI except for the port (RFC 8252 §7.3)."""
    key = _loopback_key(registered)
    return key is not None and key == _loopback_key(requested)


def _choose(requested: str | None, registered: Sequence[str]) -> tuple[str, str]:
    """``(effective URI, the registered entry it matched)``."""
    if requested is None:
        if len(registered) != 1:
            raise RedirectUriError("redirect_uri is required: the client registered several")
        return registered[0], registered[0]
    if requested in registered:
        return requested, requested
    entry = next((uri for uri in registered if _loopback_match(requested, uri)), None)
    if entry is None:
        raise RedirectUriError("redirect_uri is not registered for this client")
    return requested, entry


def select_redirect_uri(
    requested: str | None,
    registered: Sequence[str],
    *,
    application_type: Literal["web", "native"] | None,
) -> str:
    """The redirect URI to use for this authorization request (R2-R4, R8).

    Raises ``RedirectUriError``: render it as a page, never redirect (R5).
    """
    chosen, entry = _choose(requested, registered)
    try:
        validate_registered_uri(entry)
    except InvalidRedirectUri as exc:
        raise RedirectUriError("the registered redirect_uri is not acceptable") from exc
    # R8: web clients get https only; a mixed set is stored and refused only here.
    if application_type == "web" and not _web_acceptable(chosen):
        raise RedirectUriError("a web client may only use an https redirect_uri")
    return chosen


def _web_acceptable(uri: str) -> bool:
    return uri.startswith("https://") or uri in EXACT_ALLOWLIST


def add_query(uri: str, params: Mapping[str, str]) -> str:
    """``uri`` with ``params`` appended to its query, which is kept as registered (R6)."""
    if not params:
        return uri
    base, hash_sign, fragment = uri.partition("#")
    if "?" not in base:
        separator = "?"
    elif base.endswith(("?", "&")):
        separator = ""
    else:
        separator = "&"
    return f"{base}{separator}{urlencode(params)}{hash_sign}{fragment}"

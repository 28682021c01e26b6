"""Annotated field types for ``taskmcp.config``, each with a one-line error message.

Every validator raises ``ValueError`` with a message that describes the rule and never
repeats the value, so the configuration error stays safe to print for secrets too.

URL rules (RFC 8414 §2 for the issuer, RFC 9728 §2 / RFC 8707 §2 for the resource): an
absolute ``http``/``https`` URL with a host, no user info, no query, no fragment, and no
trailing ``/`` (identifiers are compared as plain strings). Public URLs must use
``https`` unless the host is loopback; internal URLs may be ``http`` anywhere.
"""

from __future__ import annotations

import ipaddress
from functools import partial
from typing import Annotated, Any, get_args
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, SecretStr

from taskmcp.storage import StorageConfigError, parse_storage_url

__all__ = [
    "Flag",
    "Host",
    "InternalUrl",
    "Port",
    "PublicUrl",
    "SecretKey",
    "StorageUrl",
    "choice",
    "is_loopback",
]

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
MIN_SECRET_LENGTH = 32


def _port(value: object) -> object:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535:
        return value
    raise ValueError("must be an integer between 1 and 65535")


def _flag(value: object) -> object:
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError("must be one of true/false, 1/0, yes/no, on/off")


def _host(value: str) -> str:
    if not value or any(ch.isspace() or ch in "/?#@" for ch in value):
        raise ValueError("must be a host name or IP address")
    return value


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1``; no DNS lookup, no suffix games."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(value: str, *, public: bool) -> str:
    """Check an issuer/resource-style URL; see the module docstring for the rules."""
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain whitespace")
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        raise ValueError("must be an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    if "?" in value or "#" in value:
        raise ValueError("must be an http(s) URL without query or fragment")
    if "@" in parts.netloc:
        raise ValueError("must not contain user info")
    if value.endswith("/"):
        raise ValueError("must not end with '/'")
    if public and parts.scheme != "https" and not is_loopback(parts.hostname):
        raise ValueError("must use https unless the host is loopback (localhost, 127.0.0.0/8, ::1)")
    return value


def _storage_url(value: str) -> str:
    """Same rules as ``open_storage``, checked early so the error names the variable."""
    try:
        parse_storage_url(value)
    except StorageConfigError as exc:
        raise ValueError(str(exc)) from None
    return value


def _long_enough(value: SecretStr) -> SecretStr:
    if len(value.get_secret_value()) < MIN_SECRET_LENGTH:
        raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters long")
    return value


def choice(literal: Any) -> BeforeValidator:
    """Case-insensitive validator for a ``Literal`` of strings, listing the options."""
    allowed: tuple[str, ...] = get_args(literal)

    def check(value: object) -> object:
        word = value.strip().lower() if isinstance(value, str) else None
        if word in allowed:
            return word
        raise ValueError(f"must be one of {', '.join(allowed)}")

    return BeforeValidator(check)


Port = Annotated[int, BeforeValidator(_port)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Host = Annotated[str, AfterValidator(_host)]
PublicUrl = Annotated[str, AfterValidator(partial(_url, public=True))]
InternalUrl = Annotated[str, AfterValidator(partial(_url, public=False))]
StorageUrl = Annotated[str, AfterValidator(_storage_url)]
SecretKey = Annotated[SecretStr, AfterValidator(_long_enough)]

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
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, SecretStr

from taskmcp.storage import StorageConfigError, parse_storage_url
from taskmcp.urls import normalize_origin

__all__ = [
    "Count",
    "ExistingFile",
    "Flag",
    "Host",
    "InternalUrl",
    "Networks",
    "Origins",
    "Port",
    "PublicUrl",
    "Seconds",
    "SecretKey",
    "SeedClient",
    "SeedClients",
    "SeedUser",
    "SeedUsers",
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


class SeedUser(BaseModel):
    """A stand-in account from ``--user NAME:PASSWORD``."""

    model_config = ConfigDict(frozen=True)

    username: str
    password: SecretStr


class SeedClient(BaseModel):
    """A stand-in OAuth client from ``--client ID:SECRET:REDIRECT_URI``."""

    model_config = ConfigDict(frozen=True)

    client_id: str
    secret: SecretStr
    redirect_uri: str


def _seed_user(entry: str) -> SeedUser:
    name, sep, password = entry.partition(":")
    if not sep or not name or not password or any(ch.isspace() for ch in name):
        raise ValueError("must be NAME:PASSWORD (a name without spaces, a non-empty password)")
    return SeedUser(username=name, password=SecretStr(password))


def _seed_client(entry: str) -> SeedClient:
    client_id, _, rest = entry.partition(":")
    secret, sep, redirect_uri = rest.partition(":")
    parts = (client_id, secret, redirect_uri)
    if not sep or not all(parts) or any(ch.isspace() for ch in client_id + redirect_uri):
        raise ValueError("must be ID:SECRET:REDIRECT_URI (all three non-empty, no spaces)")
    return SeedClient(client_id=client_id, secret=SecretStr(secret), redirect_uri=redirect_uri)


_Seed = TypeVar("_Seed", SeedUser, SeedClient)


def _seed_list(
    parse: Callable[[str], _Seed], key: Callable[[_Seed], str], what: str
) -> BeforeValidator:
    """Repeated flag values (a list) or one whitespace-separated environment value."""

    def check(value: object) -> object:
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list | tuple):
            return value
        seeds = [item if not isinstance(item, str) else parse(item) for item in value]
        if len({key(seed) for seed in seeds}) != len(seeds):
            raise ValueError(f"must not repeat a {what}")
        return tuple(seeds)

    return BeforeValidator(check)


def _existing_file(value: Path) -> Path:
    if not value.is_file():
        raise ValueError("must name an existing file")
    return value


def _number(value: object, *, minimum: float, integer: bool) -> object:
    kind = "an integer" if integer else "a number"
    error = ValueError(f"must be {kind} of at least {minimum:g}")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise error
    try:
        number: float = int(value) if integer else float(value)
    except ValueError:
        raise error from None
    if number < minimum or number != number:  # also refuses NaN
        raise error
    return number


def _networks(value: object) -> object:
    """Comma-separated IP networks (``10.0.0.0/8``) or addresses."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return value
    try:
        return tuple(ipaddress.ip_network(str(item).strip()) for item in items if str(item).strip())
    except ValueError:
        raise ValueError("must be comma-separated IP addresses or networks (10.0.0.0/8)") from None


def _origins(value: object) -> object:
    """A comma-separated environment value (or a list) of http(s) origins, normalised."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return value
    origins = [normalize_origin(str(item)) for item in items if str(item).strip()]
    if any(origin is None for origin in origins):
        raise ValueError("must be comma-separated origins like https://app.example.com")
    return tuple(dict.fromkeys(origins))


Port = Annotated[int, BeforeValidator(_port)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Host = Annotated[str, AfterValidator(_host)]
PublicUrl = Annotated[str, AfterValidator(partial(_url, public=True))]
InternalUrl = Annotated[str, AfterValidator(partial(_url, public=False))]
StorageUrl = Annotated[str, AfterValidator(_storage_url)]
SecretKey = Annotated[SecretStr, AfterValidator(_long_enough)]
ExistingFile = Annotated[Path, AfterValidator(_existing_file)]
Origins = Annotated[tuple[str, ...], BeforeValidator(_origins)]
Seconds = Annotated[float, BeforeValidator(partial(_number, minimum=0, integer=False))]
Count = Annotated[int, BeforeValidator(partial(_number, minimum=1, integer=True))]
Networks = Annotated[
    tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], BeforeValidator(_networks)
]
SeedUsers = Annotated[
    tuple[SeedUser, ...], _seed_list(_seed_user, lambda user: user.username, "user name")
]
SeedClients = Annotated[
    tuple[SeedClient, ...], _seed_list(_seed_client, lambda client: client.client_id, "client id")
]

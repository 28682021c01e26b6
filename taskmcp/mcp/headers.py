"""Header names, media types and the header checks of Streamable HTTP, as small pure
functions (mcp-protocol §3, §5.2).

Header names are case-insensitive (aiohttp's ``CIMultiDict`` takes care of that);
values are case-sensitive with surrounding whitespace trimmed (RFC 9110 §5.5). Values
that are not ASCII-safe arrive as ``=?base64?…?=`` and are decoded before comparing.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re

from multidict import CIMultiDictProxy

__all__ = [
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "JSON",
    "LAST_EVENT_ID",
    "MCP_METHOD",
    "MCP_NAME",
    "MCP_PARAM_PREFIX",
    "MCP_PROTOCOL_VERSION",
    "MCP_SESSION_ID",
    "ROUTING_HEADERS",
    "SSE",
    "accepts",
    "decode_value",
    "duplicated_header",
    "is_json",
    "single_value",
]

MCP_SESSION_ID = "Mcp-Session-Id"
MCP_PROTOCOL_VERSION = "MCP-Protocol-Version"
MCP_METHOD = "Mcp-Method"
MCP_NAME = "Mcp-Name"
MCP_PARAM_PREFIX = "Mcp-Param-"
LAST_EVENT_ID = "Last-Event-ID"
ROUTING_HEADERS = (MCP_PROTOCOL_VERSION, MCP_METHOD, MCP_NAME)

JSON = "application/json"
SSE = "text/event-stream"

CORS_ALLOW_HEADERS = (
    "authorization",
    "content-type",
    "mcp-protocol-version",
    "mcp-session-id",
    "mcp-method",
    "mcp-name",
    "last-event-id",
)
CORS_EXPOSE_HEADERS = ("Mcp-Session-Id", "WWW-Authenticate", "MCP-Protocol-Version")

_BASE64_SENTINEL = re.compile(r"^=\?base64\?(?P<payload>.*)\?=$")


def _media_types(accept: str) -> set[str]:
    return {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}


@functools.lru_cache(maxsize=256)  # clients send the same few values on every request
def accepts(accept: str | None) -> tuple[bool, bool]:
    """Whether an ``Accept`` value admits (JSON, SSE); ``*/*`` admits both."""
    types = _media_types(accept or "")
    anything = "*/*" in types
    return (anything or JSON in types or "application/*" in types), (
        anything or SSE in types or "text/*" in types
    )


@functools.lru_cache(maxsize=256)
def is_json(content_type: str | None) -> bool:
    """``application/json``, with or without parameters such as ``charset``."""
    return (content_type or "").split(";", 1)[0].strip().lower() == JSON


def single_value(headers: CIMultiDictProxy[str], name: str) -> str | None:
    """The trimmed value of a header, or ``None`` when it is absent."""
    value = headers.get(name)
    return None if value is None else value.strip()


def duplicated_header(headers: CIMultiDictProxy[str], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` sent more than once (first- and last-copy readers would
    disagree, so a duplicate routing header is a mismatch)."""
    return next((name for name in names if len(headers.getall(name, [])) > 1), None)


def decode_value(value: str | None) -> str | None:
    """Undo the ``=?base64?…?=`` wrapping; a malformed wrapper yields ``None`` so that it
    never matches a body value by accident. Unwrapped values pass through."""
    if value is None:
        return None
    match = _BASE64_SENTINEL.fullmatch(value)
    if match is None:
        return value
    payload = match.group("payload")
    try:
        decoded = base64.b64decode(payload, validate=True)
        if base64.b64encode(decoded).decode("ascii") != payload:
            return None
        return decoded.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None

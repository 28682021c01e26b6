"""``Mcp-Param-{Name}`` headers (2026-07-28 ``basic/transports``, SEP-2243; mcp-protocol §5.2).

A tool may mark top-level ``inputSchema`` properties of type string, integer or boolean
with ``"x-mcp-header": "<Name>"``; modern clients then mirror the argument into the
``Mcp-Param-<Name>`` header so that intermediaries can route on it. The server checks
that header and body agree: present together and equal (after ``=?base64?…?=``
decoding; integers compare numerically), or absent together. Any disagreement, a
duplicate header or a malformed base64 wrapper is -32020 HeaderMismatch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from multidict import CIMultiDictProxy

from taskmcp.mcp.headers import MCP_PARAM_PREFIX, decode_value
from taskmcp.mcp.jsonrpc import HeaderMismatch

__all__ = ["X_MCP_HEADER", "check_param_headers", "header_properties"]

X_MCP_HEADER = "x-mcp-header"
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 §5.6.2
_TYPES = frozenset({"string", "integer", "boolean"})
_DECIMAL = re.compile(r"^-?[0-9]+(\.0+)?$")


def header_properties(input_schema: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Property name → (header token, JSON type) for every valid annotation."""
    properties = input_schema.get("properties")
    if not isinstance(properties, dict):
        return {}
    found: dict[str, tuple[str, str]] = {}
    for name, schema in properties.items():
        token = schema.get(X_MCP_HEADER) if isinstance(schema, dict) else None
        kind = schema.get("type") if isinstance(schema, dict) else None
        if isinstance(token, str) and _TOKEN.fullmatch(token) and kind in _TYPES:
            found[str(name)] = (token, str(kind))
    return found


def _rendered(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _matches(kind: str, value: object, rendered: str, decoded: str) -> bool:
    if kind == "integer" and isinstance(value, int | float) and not isinstance(value, bool):
        return _DECIMAL.fullmatch(decoded) is not None and int(decoded.split(".")[0]) == value
    return decoded == rendered


def _check_one(header: str, kind: str, value: object, raw: list[str], argument: str) -> str | None:
    """Why this header disagrees with the argument, or ``None``."""
    if len(raw) > 1:
        return f"{header} header appears more than once"
    rendered = None if value is None else _rendered(value)
    if rendered is None:
        return f"{header} header is present but argument {argument!r} is not" if raw else None
    if not raw:
        return f"{header} header is missing but argument {argument!r} is present"
    decoded = decode_value(raw[0].strip())
    if decoded is None:
        return f"{header} header carries a malformed base64 value"
    if not _matches(kind, value, rendered, decoded):
        return f"{header} header does not match argument {argument!r}"
    return None


def check_param_headers(
    input_schema: Mapping[str, Any],
    arguments: Mapping[str, Any],
    headers: CIMultiDictProxy[str],
) -> None:
    """Raise ``HeaderMismatch`` if any annotated argument disagrees with its header."""
    for argument, (token, kind) in header_properties(input_schema).items():
        header = f"{MCP_PARAM_PREFIX}{token}"
        problem = _check_one(
            header, kind, arguments.get(argument), headers.getall(header, []), argument
        )
        if problem is not None:
            raise HeaderMismatch(problem)

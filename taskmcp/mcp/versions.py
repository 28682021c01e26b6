"""Protocol versions, the two eras, and picking the era of each request (mcp-protocol §1, §2).

The rule is the SDK's (``mcp/server/streamable_http_manager.py``): an
``MCP-Protocol-Version`` header naming a modern version sends a POST down the modern
path; a legacy version, or no header at all, sends it down the legacy path (a missing
header means 2025-03-26, §4.3). Any other header value is refused with -32022. A POST
without the header whose body carries the modern ``_meta`` envelope is a modern request
that forgot its header: -32020.
"""

from __future__ import annotations

from taskmcp.mcp.jsonrpc import Era, HeaderMismatch, UnsupportedProtocolVersion

__all__ = [
    "CLIENT_CAPABILITIES_META",
    "CLIENT_INFO_META",
    "DEFAULT_LEGACY_VERSION",
    "LATEST_LEGACY_VERSION",
    "LEGACY_VERSIONS",
    "LOG_LEVEL_META",
    "MODERN_VERSIONS",
    "PROTOCOL_VERSION_META",
    "SERVER_INFO_META",
    "SUBSCRIPTION_ID_META",
    "era_for_post",
    "has_modern_envelope",
    "negotiate_legacy",
    "unsupported_version",
]

LEGACY_VERSIONS = ("2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSIONS = ("2026-07-28",)
LATEST_LEGACY_VERSION = LEGACY_VERSIONS[-1]
DEFAULT_LEGACY_VERSION = LEGACY_VERSIONS[0]

_PREFIX = "io.modelcontextprotocol/"
PROTOCOL_VERSION_META = f"{_PREFIX}protocolVersion"
CLIENT_CAPABILITIES_META = f"{_PREFIX}clientCapabilities"
CLIENT_INFO_META = f"{_PREFIX}clientInfo"
LOG_LEVEL_META = f"{_PREFIX}logLevel"
SERVER_INFO_META = f"{_PREFIX}serverInfo"
SUBSCRIPTION_ID_META = f"{_PREFIX}subscriptionId"


def unsupported_version(requested: object) -> UnsupportedProtocolVersion:
    """-32022 naming the modern versions, as ``server/discover`` does (§5.5): a dual-era
    server signals legacy support by answering ``initialize``, not in this list."""
    return UnsupportedProtocolVersion(
        "Unsupported protocol version",
        data={"supported": list(MODERN_VERSIONS), "requested": requested},
    )


def has_modern_envelope(body: object) -> bool:
    """A single message whose ``params._meta`` carries the modern protocol version."""
    params = body.get("params") if isinstance(body, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    return isinstance(meta, dict) and PROTOCOL_VERSION_META in meta


def era_for_post(version_header: str | None, body: object) -> Era:
    """The era of a POST from its ``MCP-Protocol-Version`` header and decoded body."""
    if version_header is not None:
        if version_header in MODERN_VERSIONS:
            return "modern"
        if version_header in LEGACY_VERSIONS:
            return "legacy"
        error = unsupported_version(version_header)
        error.request_id = _id_of(body)
        raise error
    if has_modern_envelope(body):
        raise HeaderMismatch(
            "MCP-Protocol-Version header is required on 2026-07-28 requests",
            request_id=_id_of(body),
        )
    return "legacy"


def negotiate_legacy(requested: object) -> str:
    """§4.1: echo a supported legacy version, else answer with the latest legacy one
    (also when a client asks ``initialize`` for 2026-07-28)."""
    if isinstance(requested, str) and requested in LEGACY_VERSIONS:
        return requested
    return LATEST_LEGACY_VERSION


def _id_of(body: object) -> str | int | None:
    candidate = body.get("id") if isinstance(body, dict) else None
    if isinstance(candidate, bool) or not isinstance(candidate, str | int):
        return None
    return candidate

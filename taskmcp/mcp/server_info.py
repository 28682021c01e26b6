"""What taskmcp says about itself, and the result envelope of each era.

Capabilities (mcp-protocol §6, §7): ``tools``; ``resources`` and ``prompts`` with
empty lists (the list methods answer, ``resources/read`` reports "not found" and
``prompts/get`` "unknown prompt": clients such as the conformance ``caching`` scenario
call every list method and count an error as a failure); ``logging`` (legacy:
``logging/setLevel``; modern: the per-request ``_meta`` log level). No ``listChanged``
or ``subscribe``: the tool set never changes while the server runs, and there are no
resource subscriptions. ``completions`` is not offered.

Modern results (§5.4): every result has ``resultType: "complete"`` and
``_meta[io.modelcontextprotocol/serverInfo]``; cacheable results carry ``ttlMs`` and
``cacheScope: "private"`` (everything taskmcp serves may depend on the caller).
"""

from __future__ import annotations

from taskmcp import __version__
from taskmcp.mcp.jsonrpc import Era, JsonObject
from taskmcp.mcp.versions import MODERN_VERSIONS, SERVER_INFO_META

__all__ = [
    "CACHEABLE_METHODS",
    "INSTRUCTIONS",
    "LIST_TTL_MS",
    "SERVER_NAME",
    "capabilities",
    "discover_result",
    "initialize_result",
    "server_info",
    "shape_result",
]

SERVER_NAME = "taskmcp"
SERVER_TITLE = "TaskManager"
INSTRUCTIONS = (
    "Tools for reading and managing the signed-in user's tasks and projects in TaskManager."
)
LIST_TTL_MS = 300_000
CACHEABLE_METHODS = {
    "server/discover": LIST_TTL_MS,
    "tools/list": LIST_TTL_MS,
    "prompts/list": LIST_TTL_MS,
    "resources/list": LIST_TTL_MS,
    "resources/templates/list": LIST_TTL_MS,
    "resources/read": 0,
}


def server_info() -> JsonObject:
    return {"name": SERVER_NAME, "title": SERVER_TITLE, "version": __version__}


def capabilities() -> JsonObject:
    return {"tools": {}, "resources": {}, "prompts": {}, "logging": {}}


def initialize_result(protocol_version: str) -> JsonObject:
    return {
        "protocolVersion": protocol_version,
        "capabilities": capabilities(),
        "serverInfo": server_info(),
        "instructions": INSTRUCTIONS,
    }


def discover_result() -> JsonObject:
    return {
        "supportedVersions": list(MODERN_VERSIONS),
        "capabilities": capabilities(),
        "instructions": INSTRUCTIONS,
    }


def shape_result(era: Era, method: str, result: JsonObject) -> JsonObject:
    """Add the modern envelope fields; legacy results go out as they are."""
    if era == "legacy":
        return result
    shaped = {"resultType": "complete", **result}
    meta = dict(shaped.get("_meta") or {})
    meta[SERVER_INFO_META] = {"name": SERVER_NAME, "version": __version__}
    shaped["_meta"] = meta
    if method in CACHEABLE_METHODS:
        shaped.setdefault("ttlMs", CACHEABLE_METHODS[method])
        shaped.setdefault("cacheScope", "private")
    return shaped

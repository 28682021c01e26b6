"""OAuth 2.0 Protected Resource Metadata (RFC 9728; mcp-protocol §8.2).

Served at the path-inserted URL for the MCP endpoint
(``/.well-known/oauth-protected-resource/mcp``) and at the root
(``/.well-known/oauth-protected-resource``), both describing the MCP endpoint:

* ``resource``: exactly ``settings.mcp_resource`` (RFC 9728 §3.3; the ``mcp`` client
  requires it to be same-origin with, and a prefix of, the URL it connects to);
* ``authorization_servers``: the issuer as one exact string, never round-tripped
  through a URL type (RFC 8414 §3.3 compares it byte for byte);
* ``scopes_supported``: ``tasks:read``, ``tasks:write`` (never ``offline_access``);
* ``bearer_methods_supported``: ``header`` only.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.config import ResourceSettings
from taskmcp.keys import RESOURCE_SETTINGS
from taskmcp.resource.access import SCOPES

__all__ = ["PRM_PATHS", "protected_resource_metadata", "serve_metadata"]

PRM_PATHS = ("/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource")
CACHE_CONTROL = "public, max-age=3600"


def protected_resource_metadata(settings: ResourceSettings) -> dict[str, object]:
    return {
        "resource": settings.mcp_resource,
        "authorization_servers": [settings.auth_server_public_url],
        "scopes_supported": list(SCOPES),
        "bearer_methods_supported": ["header"],
        "resource_name": "TaskManager MCP",
    }


async def serve_metadata(request: web.Request) -> web.Response:
    document = protected_resource_metadata(request.app[RESOURCE_SETTINGS])
    return web.json_response(document, headers={"Cache-Control": CACHE_CONTROL})

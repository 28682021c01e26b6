"""``GET /.well-known/oauth-authorization-server`` (RFC 8414 §2, §3; checklist A2-A4,
I2; mcp-protocol §8.4).

The issuer is ``MCP_AUTH_SERVER_PUBLIC_URL`` byte for byte. For an issuer with a path,
the document is served at the path-inserted location (RFC 8414 §3.1).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from taskmcp.keys import OAUTH
from taskmcp.oauth.context import OAuthContext
from taskmcp.oauth.policy import SCOPES

__all__ = ["METADATA_PATH", "document", "metadata", "metadata_path"]

METADATA_PATH = "/.well-known/oauth-authorization-server"


def metadata_path(issuer: str) -> str:
    return METADATA_PATH + urlsplit(issuer).path.rstrip("/")


def document(ctx: OAuthContext) -> dict[str, object]:
    return {
        "issuer": ctx.issuer_url,
        "authorization_endpoint": ctx.endpoint("/authorize"),
        "token_endpoint": ctx.endpoint("/token"),
        "registration_endpoint": ctx.endpoint("/register"),
        "revocation_endpoint": ctx.endpoint("/revoke"),
        "introspection_endpoint": ctx.endpoint("/introspect"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "scopes_supported": [*SCOPES, "offline_access"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "none", "client_secret_post", "client_secret_basic",
        ],
        "revocation_endpoint_auth_methods_supported": [
            "none", "client_secret_post", "client_secret_basic",
        ],
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_basic", "client_secret_post",
        ],
        "client_id_metadata_document_supported": True,
        "authorization_response_iss_parameter_supported": True,
    }  # fmt: skip


async def metadata(request: web.Request) -> web.Response:
    return web.json_response(document(request.app[OAUTH]))

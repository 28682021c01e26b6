"""The rest of TaskManager's OAuth surface (§2.5, §3.1).

* ``GET /api/oauth/userinfo``: 401 ``{"error":"Unauthorized"}`` without a valid Bearer
  token, and a 404 page with one (no handler exists upstream).
* ``GET /api/oauth/jwks``: DEC's placeholder key set (tokens are not JWTs); the route
  is registered on DEC only, so JAN answers 404.

There is no discovery, registration, introspection or revocation endpoint: those
paths get the gate's 302 or, once authenticated, the 404 page.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.standin.auth_gate import bearer_user
from taskmcp.standin.envelopes import json_response
from taskmcp.standin.errors import FlatError

__all__ = ["PLACEHOLDER_JWKS", "jwks", "userinfo"]

PLACEHOLDER_JWKS = {
    "keys": [
        {
            "kty": "RSA",
            "use": "sig",
            "kid": "taskmanager-mcp-key-1",
            "alg": "RS256",
            "n": "REPLACE_WITH_BASE64URL_ENCODED_MODULUS",
            "e": "AQAB",
        }
    ]
}


async def userinfo(request: web.Request) -> web.Response:
    if await bearer_user(request) is None:
        raise FlatError(401, {"error": "Unauthorized"})
    raise web.HTTPNotFound


async def jwks(request: web.Request) -> web.Response:
    return json_response(PLACEHOLDER_JWKS)

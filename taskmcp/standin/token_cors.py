"""CORS around the token endpoint, per revision (§3.6 "CORS and caching").

* DEC: the authorization_code success carries ``access-control-allow-origin: *`` with
  ``POST, OPTIONS`` and ``Content-Type``; ``OPTIONS`` → 200 with the same three.
* JAN: no CORS headers on token responses (its ``cache-control`` comes from
  ``taskmcp.standin.headers``). ``OPTIONS`` → 204 with the methods and headers lists;
  the origin, credentials and ``Vary`` only for the stand-in's own origin.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.standin.keys import REVISION

__all__ = ["DEC_CODE_GRANT_HEADERS", "token_preflight"]

DEC_CODE_GRANT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
}
JAN_PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization",
}


async def token_preflight(request: web.Request) -> web.Response:
    if not request.app[REVISION].is_jan:
        return web.Response(status=200, headers=DEC_CODE_GRANT_HEADERS)
    headers = dict(JAN_PREFLIGHT_HEADERS)
    origin = request.headers.get("Origin")
    if origin is not None and origin == f"http://{request.host}":
        headers |= {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        }
    return web.Response(status=204, headers=headers)

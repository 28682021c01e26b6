"""Response headers every handled response carries (§1 "Response headers").

* Both revisions: ``x-content-type-options``, ``x-frame-options``, ``x-xss-protection``,
  ``referrer-policy`` and ``permissions-policy``.
* JAN also: ``content-security-policy``, and ``cache-control: no-store, no-cache,
  must-revalidate`` on ``/api`` responses.
* None of them on the 302-to-login redirects (the auth gate's, and the authorize
  endpoints' own) nor on empty-bodied 500s, which upstream sends bare.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from taskmcp.standin.keys import REVISION

__all__ = ["API_CACHE_CONTROL", "security_headers"]

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-XSS-Protection": "1; mode=block",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# No form-action: the consent form's POST redirects to the client's redirect URI.
JAN_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'"
)
API_CACHE_CONTROL = "no-store, no-cache, must-revalidate"


def _is_bare(response: web.StreamResponse) -> bool:
    """An empty-bodied 5xx, or a redirect to the login page."""
    if response.status == 302:
        return urlsplit(response.headers.get("Location", "")).path == "/login"
    body = response.body if isinstance(response, web.Response) else b""
    return response.status >= 500 and not body


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if _is_bare(response):
        return response
    response.headers.update(BASE_HEADERS)
    if request.app[REVISION].is_jan:
        response.headers["Content-Security-Policy"] = JAN_CSP
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = API_CACHE_CONTROL
    return response

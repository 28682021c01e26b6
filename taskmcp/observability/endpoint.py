"""``GET /metrics``: the app's Prometheus registry in the text format.

Who may scrape:

* With ``TASKMCP_METRICS_TOKEN`` set, only a request with
  ``Authorization: Bearer <that token>`` (compared in constant time); anything else
  gets 401.
* Without it, only a client on a loopback address whose request carries no
  ``Forwarded``/``X-Forwarded-For`` header (a reverse proxy on the same host adds
  one, so loopback-through-a-proxy does not count); anything else gets 403. A
  ``127.0.0.1`` bind therefore works out of the box for a local Prometheus, and a
  service exposed on ``0.0.0.0`` (containers) needs the token.
"""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import hdrs, web
from pydantic import SecretStr

from taskmcp.keys import METRICS
from taskmcp.observability.metrics import CONTENT_TYPE

__all__ = ["METRICS_PATH", "is_loopback_peer", "metrics", "scrape_allowed"]

METRICS_PATH = "/metrics"
_FORWARDING = ("Forwarded", "X-Forwarded-For")
_NO_STORE = {"Cache-Control": "no-store"}


def is_loopback_peer(remote: str | None) -> bool:
    """``request.remote`` is a loopback address (IPv4-mapped IPv6 included)."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _bearer(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def scrape_allowed(request: web.Request, token: SecretStr | None) -> bool:
    if token is not None:
        presented = _bearer(request.headers.get(hdrs.AUTHORIZATION))
        expected = token.get_secret_value().encode()
        return presented is not None and hmac.compare_digest(presented.encode(), expected)
    forwarded = any(name in request.headers for name in _FORWARDING)
    return is_loopback_peer(request.remote) and not forwarded


async def metrics(request: web.Request) -> web.Response:
    app_metrics = request.app[METRICS]
    token = app_metrics.scrape_token
    if not scrape_allowed(request, token):
        if token is not None:
            raise web.HTTPUnauthorized(
                headers={**_NO_STORE, hdrs.WWW_AUTHENTICATE: 'Bearer realm="metrics"'},
                text='{"error":"a valid metrics token is required"}',
                content_type="application/json",
            )
        raise web.HTTPForbidden(
            headers=_NO_STORE,
            text='{"error":"metrics are served to loopback clients only; '
            'set TASKMCP_METRICS_TOKEN to scrape remotely"}',
            content_type="application/json",
        )
    body = app_metrics.exposition()
    return web.Response(body=body, headers={**_NO_STORE, hdrs.CONTENT_TYPE: CONTENT_TYPE})

"""HTML pages from ``templates/*.html`` (Jinja2, autoescaping on).

Every page extends ``base.html``, which shows a visible "Development stand-in" label.
"""

from __future__ import annotations

import jinja2
from aiohttp import web

from taskmcp.standin.keys import TEMPLATES

__all__ = ["create_environment", "render"]


def create_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("taskmcp.standin", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(
    request: web.Request, name: str, *, status: int = 200, **context: object
) -> web.Response:
    html = request.app[TEMPLATES].get_template(name).render(**context)
    return web.Response(text=html, status=status, content_type="text/html")

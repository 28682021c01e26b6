"""HTML pages of the authorization server (consent, errors), rendered with jinja2
autoescaping and served with the headers every OAuth page needs (checklist U5, U7,
§11): no caching, no framing, no referrer, no sniffing, and a CSP that allows only
the page's own inline style (by nonce) and nothing else."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

__all__ = ["Pages", "html_headers"]

_TEMPLATES = Path(__file__).with_name("templates")


def html_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self';"
            " frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
    }


class Pages:
    def __init__(self) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    def render(self, template: str, *, status: int = 200, **context: Any) -> web.Response:
        nonce = secrets.token_urlsafe(16)
        body = self._env.get_template(template).render(nonce=nonce, **context)
        return web.Response(
            text=body, status=status, content_type="text/html", headers=html_headers(nonce)
        )

    def error(self, title: str, message: str, *, status: int = 400, link: str | None = None,
              link_host: str | None = None) -> web.Response:  # fmt: skip
        return self.render(
            "error.html", status=status, title=title, message=message, link=link,
            link_host=link_host,
        )  # fmt: skip

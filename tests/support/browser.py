"""A scripted browser for the OAuth pages: a cookie jar, no automatic redirects, and
HTML forms read with the standard library's parser. It clicks through our consent
page, the stand-in's login page and the stand-in's consent page exactly as a person
with a real browser would (the Playwright test drives real Chromium separately)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import aiohttp

__all__ = ["Browser", "Form", "Page", "query_of"]


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, list[str]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif self.forms and tag == "input" and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif self.forms and tag == "button" and a.get("name"):
            self.forms[-1].buttons.setdefault(a["name"], []).append(a.get("value", ""))


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str | None:
        loc = self.headers.get("Location")
        return urljoin(self.url, loc) if loc else None

    def forms(self) -> list[Form]:
        parser = _FormParser()
        parser.feed(self.text)
        return parser.forms


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Browser:
    def __init__(self) -> None:
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.history: list[Page] = []

    async def close(self) -> None:
        await self.session.close()

    async def get(self, url: str) -> Page:
        async with self.session.get(url, allow_redirects=False) as resp:
            page = Page(url, resp.status, dict(resp.headers), await resp.text())
        self.history.append(page)
        return page

    async def submit(self, page: Page, form: Form, **values: str) -> Page:
        url = urljoin(page.url, form.action)
        data = {**form.fields, **values}
        async with self.session.post(url, data=data, allow_redirects=False) as resp:
            result = Page(url, resp.status, dict(resp.headers), await resp.text())
        self.history.append(result)
        return result

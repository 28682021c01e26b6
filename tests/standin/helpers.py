"""Protocol steps shared by the stand-in tests, named after what they do over HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from yarl import URL

from tests.standin.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def grant_error(error: str, description: str) -> dict[str, str]:
    """An RFC 6749 §5.2 error body."""
    return {"error": error, "error_description": description}


INVALID_CODE = grant_error("invalid_grant", "Invalid or expired authorization code")
INVALID_CLIENT = grant_error("invalid_client", "Invalid client credentials")
SECURITY_HEADERS = (
    "X-Content-Type-Options",
    "X-Frame-Options",
    "X-XSS-Protection",
    "Referrer-Policy",
    "Permissions-Policy",
)


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636 §4.1-4.2."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def login_redirect_for(client: TestClient, path_and_query: str) -> str:
    return f"http://{client.host}:{client.port}/login?return_to={quote(path_and_query, safe='')}"


async def expect_login_redirect(response: ClientResponse, client: TestClient, path: str) -> None:
    """§2.5: 302, absolute Location on the same host, ``return_to`` = the encoded raw
    path and query as sent (the client may re-encode ``path``), empty body, no headers."""
    sent = response.url.raw_path_qs
    assert URL(sent) == URL(path)
    assert response.status == 302
    assert response.headers["Location"] == login_redirect_for(client, sent)
    assert await response.read() == b""
    assert "Content-Type" not in response.headers
    assert not any(name in response.headers for name in SECURITY_HEADERS)


class FormParser(HTMLParser):
    """The first form of a page: its method, action, hidden inputs and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.method, self.action = "", ""
        self.hidden: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and not self.action:
            self.method, self.action = found.get("method", ""), found.get("action", "")
        elif tag == "input" and found.get("type") == "hidden":
            self.hidden[found["name"]] = found.get("value", "")
        elif tag == "button":
            self.buttons.append((found.get("name", ""), found.get("value", "")))
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def parse_form(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "read write",
        "state": "xyz",
    }
    return {name: value for name, value in (params | overrides).items() if value != ""}


async def consent_decision(
    browser: TestClient, action: str = "allow", **fields: str
) -> ClientResponse:
    """POST the consent form directly (§7 allows skipping the HTML)."""
    form = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "action": action} | fields
    form = {name: value for name, value in form.items() if value != ""}
    return await browser.post("/api/oauth/authorize", data=form, allow_redirects=False)


async def code_for(browser: TestClient, **fields: str) -> str:
    response = await consent_decision(browser, "allow", **fields)
    assert response.status == 302, await response.text()
    return query_of(response.headers["Location"])["code"]


async def token_request(client: TestClient, **form: str) -> ClientResponse:
    return await client.post("/api/oauth/token", data=form)


async def exchange_code(client: TestClient, code: str, /, **overrides: str) -> ClientResponse:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    } | overrides
    return await token_request(client, **{k: v for k, v in form.items() if v != ""})


async def tokens_for(browser: TestClient, client: TestClient) -> dict[str, Any]:
    """A fresh access/refresh token pair for the browser's user, without PKCE."""
    response = await exchange_code(client, await code_for(browser, scope="read write"))
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

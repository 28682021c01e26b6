"""The upstream OAuth client's wire behaviour against a fake token endpoint
(taskmanager-api §3.6, §6.11, §6.12)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr
from pytest_aiohttp import AiohttpServer

from taskmcp.taskmanager import (
    UpstreamOAuthClient,
    UpstreamOAuthError,
    UpstreamUnavailableError,
    open_http,
)

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


class _TokenEndpoint:
    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []
        self.reply: web.Response = web.json_response({})

    async def token(self, request: web.Request) -> web.Response:
        assert request.content_type == "application/x-www-form-urlencoded"
        assert "Authorization" not in request.headers
        self.forms.append({key: str(value) for key, value in (await request.post()).items()})
        return self.reply


@pytest.fixture
async def endpoint(aiohttp_server: AiohttpServer) -> tuple[_TokenEndpoint, str]:
    fake = _TokenEndpoint()
    app = web.Application()
    app.router.add_post("/api/oauth/token", fake.token)
    server = await aiohttp_server(app, host="127.0.0.1")
    return fake, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_http() as session:
        yield session


def _oauth(http: aiohttp.ClientSession, internal: str) -> UpstreamOAuthClient:
    return UpstreamOAuthClient(
        http,
        public_url="https://tasks.example.test",
        internal_url=internal,
        client_id="brooks",
        client_secret=SecretStr("s3cret"),
        redirect_uri="https://auth.example.test/oauth/callback",
        clock=lambda: NOW,
    )


async def test_the_authorize_url_uses_the_browser_facing_host_and_s256(
    http: aiohttp.ClientSession,
) -> None:
    oauth = UpstreamOAuthClient(
        http,
        public_url="https://tasks.example.test/",
        internal_url="http://taskmanager:4321",
        client_id="brooks",
        client_secret=None,
        redirect_uri="https://auth.example.test/oauth/callback",
    )
    url = urlsplit(oauth.authorize_url(state="st", code_challenge="ch"))
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "tasks.example.test",
        "/api/oauth/authorize",
    )
    assert parse_qs(url.query) == {
        "response_type": ["code"], "client_id": ["brooks"],
        "redirect_uri": ["https://auth.example.test/oauth/callback"], "scope": ["read write"],
        "state": ["st"], "code_challenge": ["ch"], "code_challenge_method": ["S256"],
    }  # fmt: skip


async def test_a_code_is_exchanged_with_client_secret_post(
    endpoint: tuple[_TokenEndpoint, str], http: aiohttp.ClientSession
) -> None:
    fake, base = endpoint
    fake.reply = web.json_response(
        {"access_token": "a" * 64, "token_type": "Bearer", "expires_in": 3600,
         "refresh_token": "r" * 64, "scope": "read write"}
    )  # fmt: skip
    tokens = await _oauth(http, base).exchange_code("code1", code_verifier="v" * 43)
    assert fake.forms == [
        {"grant_type": "authorization_code", "code": "code1",
         "redirect_uri": "https://auth.example.test/oauth/callback", "code_verifier": "v" * 43,
         "client_id": "brooks", "client_secret": "s3cret"}
    ]  # fmt: skip
    assert tokens.access_token.get_secret_value() == "a" * 64
    assert tokens.refresh_token is not None
    assert tokens.expires_at == NOW + timedelta(seconds=3600)
    assert tokens.scope == "read write"
    assert "a" * 64 not in repr(tokens)


async def test_a_refresh_without_scope_keeps_the_previous_scope(
    endpoint: tuple[_TokenEndpoint, str], http: aiohttp.ClientSession
) -> None:
    fake, base = endpoint
    fake.reply = web.json_response(
        {"access_token": "b" * 64, "token_type": "Bearer", "expires_in": 3600,
         "refresh_token": "n" * 64}
    )  # fmt: skip
    tokens = await _oauth(http, base).refresh("o" * 64, previous_scope="read write")
    assert fake.forms[0]["grant_type"] == "refresh_token"
    assert fake.forms[0]["refresh_token"] == "o" * 64
    assert tokens.scope == "read write"
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "n" * 64


@pytest.mark.parametrize(
    ("status", "body", "expected", "code"),
    [
        (400, {"error": "invalid_grant", "error_description": "Invalid refresh token"},
         UpstreamOAuthError, "invalid_grant"),
        (401, {"error": "invalid_client"}, UpstreamOAuthError, "invalid_client"),
        (500, {"error": "server_error", "error_description": "Internal server error"},
         UpstreamUnavailableError, None),
        (200, {"token_type": "Bearer"}, UpstreamUnavailableError, None),
    ],
)  # fmt: skip
async def test_token_endpoint_failures_are_typed(
    endpoint: tuple[_TokenEndpoint, str],
    http: aiohttp.ClientSession,
    status: int,
    body: dict[str, str],
    expected: type[Exception],
    code: str | None,
) -> None:
    fake, base = endpoint
    fake.reply = web.json_response(body, status=status)
    with pytest.raises(expected) as info:
        await _oauth(http, base).refresh("o" * 64, previous_scope=None)
    if code is not None:
        assert isinstance(info.value, UpstreamOAuthError)
        assert info.value.error == code

"""An MCP client installation for end-to-end tests: the real ``mcp`` 2.3.0 client with
``OAuthClientProvider``, whose browser is the scripted one from ``tests.support``
(it submits the HTML forms a person would click; nothing is auto-approved)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx2
import mcp
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from pydantic import AnyUrl

from tests.support.browser import Browser, query_of
from tests.support.stack import Stack

__all__ = ["REDIRECT", "MemoryTokenStorage", "Person"]

REDIRECT = "http://127.0.0.1:9/oauth/callback"


@dataclass
class MemoryTokenStorage:
    tokens: OAuthToken | None = None
    client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


@dataclass
class Person:
    """One user with one MCP client installation: its token storage persists across
    connections, and every authorization it goes through is counted."""

    stack: Stack
    user: str
    storage: MemoryTokenStorage = field(default_factory=MemoryTokenStorage)
    authorizations: int = 0
    _result: AuthorizationCodeResult | None = None

    async def redirect_handler(self, url: str) -> None:
        browser = Browser()
        try:
            final = await self.stack.authorize(browser, url, user=self.user, redirect=REDIRECT)
        finally:
            await browser.close()
        assert final.location is not None, final.text
        params = query_of(final.location)
        self.authorizations += 1
        self._result = AuthorizationCodeResult(
            code=params["code"], state=params.get("state"), iss=params.get("iss")
        )

    async def callback_handler(self) -> AuthorizationCodeResult:
        assert self._result is not None
        result, self._result = self._result, None
        return result

    def __post_init__(self) -> None:
        self.provider = OAuthClientProvider(
            server_url=self.stack.resource,
            client_metadata=OAuthClientMetadata(
                client_name=f"e2e {self.user}",
                redirect_uris=[AnyUrl(REDIRECT)],
                grant_types=["authorization_code", "refresh_token"],
                response_types=["code"],
                token_endpoint_auth_method="none",
            ),
            storage=self.storage,
            redirect_handler=self.redirect_handler,
            callback_handler=self.callback_handler,
        )

    @asynccontextmanager
    async def connect(self, mode: str) -> AsyncIterator[mcp.Client]:
        """One connection; the provider (tokens, registration) outlives it."""
        async with (
            httpx2.AsyncClient(auth=self.provider, timeout=30) as http,
            mcp.Client(
                streamable_http_client(self.stack.resource, http_client=http), mode=mode
            ) as client,
        ):
            yield client

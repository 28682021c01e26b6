"""The whole authorization path on real sockets: the TaskManager stand-in and our
authorization server, each on its own ephemeral 127.0.0.1 port, wired as in
production (the upstream client ``brooks`` registered on the stand-in with our exact
callback URL), plus a scripted ``Browser`` that can complete a login."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import socket
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import aiohttp
from aiohttp import web

from taskmcp.auth_app import create_auth_app
from taskmcp.config import AuthSettings, ResourceSettings, StandinSettings
from taskmcp.crypto import TokenHasher
from taskmcp.logs import AccessLogger
from taskmcp.oauth.policy import OAuthPolicy
from taskmcp.resource_app import create_resource_app
from taskmcp.standin import create_standin_app, open_standin_store, seed_store
from taskmcp.storage import Storage, open_storage
from taskmcp.tools import default_registry
from tests.support.browser import Browser, Page, query_of

__all__ = [
    "CLIENT_REDIRECT",
    "RS_CLIENT_ID",
    "RS_SECRET",
    "FakeClock",
    "Stack",
    "free_port",
    "run_stack",
]

UPSTREAM_SECRET = "brooks-upstream-secret-0123456789"
RS_CLIENT_ID, RS_SECRET = "taskmcp-resource", "resource-server-secret-0123456789abc"
SECRET_KEY = b"test-secret-key-0123456789-abcdefghij"
CLIENT_REDIRECT = "http://127.0.0.1:9/cb"
USERS = ("alice:pw", "bob:pw")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class FakeClock:
    """Real time plus an offset that tests move forward: the authorization server then
    agrees with the resource server (which uses the real clock) unless a test jumps."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class Stack:
    issuer: str
    taskmanager: str
    storage: Storage
    clock: FakeClock
    http: aiohttp.ClientSession
    mcp_server: str
    hasher: TokenHasher = field(default_factory=lambda: TokenHasher(SECRET_KEY))

    @property
    def resource(self) -> str:
        """The MCP endpoint: the protected resource (served only with ``with_resource``)."""
        return f"{self.mcp_server}/mcp"

    async def post(
        self, path: str, data: Mapping[str, str], *, headers: Mapping[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        url = f"{self.issuer}{path}"
        resp = await self.http.post(url, data=data, allow_redirects=False, headers=headers)
        await resp.read()
        return resp

    async def register(self, **metadata: object) -> dict[str, object]:
        body = {
            "client_name": "Test client",
            "redirect_uris": [CLIENT_REDIRECT],
            "token_endpoint_auth_method": "none",
            "application_type": "native",
            "grant_types": ["authorization_code", "refresh_token"],
            **metadata,
        }
        async with self.http.post(f"{self.issuer}/register", json=body) as resp:
            assert resp.status == 201, await resp.text()
            result: dict[str, object] = await resp.json()
            return result

    def authorize_url(self, client_id: str, challenge: str, **extra: str) -> str:
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CLIENT_REDIRECT,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "st-1",
            "resource": self.resource,
            **extra,
        }
        return f"{self.issuer}/authorize?{urlencode({k: v for k, v in query.items() if v})}"

    async def consent_page(self, browser: Browser, url: str) -> Page:
        page = await browser.get(url)
        assert page.status == 200, page.text
        return page

    async def authorize(
        self,
        browser: Browser,
        url: str,
        *,
        user: str = "alice",
        decision: str = "allow",
        upstream_decision: str = "allow",
        redirect: str = CLIENT_REDIRECT,
    ) -> Page:
        """From our /authorize to the client's redirect: our consent, the stand-in's
        login and consent, our callback. Returns the final redirect page."""
        page = await self.consent_page(browser, url)
        page = await browser.submit(page, page.forms()[0], decision=decision)
        while page.location and not page.location.startswith(redirect):
            page = await self._step(browser, page, user, upstream_decision)
        return page

    async def _step(self, browser: Browser, page: Page, user: str, decision: str) -> Page:
        assert page.location is not None
        page = await browser.get(page.location)
        if page.status != 200:
            return page
        form = page.forms()[0]
        if "password" in form.fields:
            return await browser.submit(page, form, username=user, password="pw")
        return await browser.submit(page, form, action=decision)

    async def code_flow(
        self, client_id: str, *, user: str = "alice", **extra: str
    ) -> tuple[str, str]:
        """Authorize in a fresh browser; returns (code, verifier)."""
        verifier, challenge = pkce_pair()
        browser = Browser()
        try:
            final = await self.authorize(
                browser, self.authorize_url(client_id, challenge, **extra), user=user
            )
        finally:
            await browser.close()
        assert final.location is not None, final.text
        params = query_of(final.location)
        assert params["iss"] == self.issuer
        return params["code"], verifier

    async def exchange(
        self, client_id: str, code: str, verifier: str, **extra: str
    ) -> aiohttp.ClientResponse:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": CLIENT_REDIRECT,
            "client_id": client_id,
            "resource": self.resource,
            **extra,
        }
        return await self.post("/token", form)

    async def tokens(self, client_id: str, *, user: str = "alice") -> dict[str, object]:
        code, verifier = await self.code_flow(client_id, user=user)
        resp = await self.exchange(client_id, code, verifier)
        assert resp.status == 200, await resp.text()
        body: dict[str, object] = await resp.json()
        return body

    async def introspect(self, token: str, **extra: str) -> tuple[int, dict[str, object]]:
        basic = base64.b64encode(f"{RS_CLIENT_ID}:{RS_SECRET}".encode()).decode()
        resp = await self.post(
            "/introspect", {"token": token, **extra}, headers={"Authorization": f"Basic {basic}"}
        )
        return resp.status, await resp.json()


@contextlib.asynccontextmanager
async def _serve(app: web.Application, port: int) -> AsyncIterator[None]:
    runner = web.AppRunner(app, access_log_class=AccessLogger)  # as in production
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield
    finally:
        await runner.cleanup()


def auth_settings(issuer: str, taskmanager: str, mcp_server: str, **environ: str) -> AuthSettings:
    env = {
        "MCP_AUTH_SERVER_PUBLIC_URL": issuer,
        "MCP_SERVER_URL": mcp_server,
        "TASKMANAGER_OAUTH_HOST": taskmanager,
        "TASKMANAGER_CLIENT_SECRET": UPSTREAM_SECRET,
        "TASKMCP_INTROSPECTION_CLIENT_ID": RS_CLIENT_ID,
        "TASKMCP_INTROSPECTION_CLIENT_SECRET": RS_SECRET,
        **environ,
    }
    return AuthSettings.load(env, {"port": urlsplit(issuer).port})


def resource_settings(
    issuer: str, taskmanager: str, mcp_server: str, **environ: str
) -> ResourceSettings:
    env = {
        "MCP_SERVER_URL": mcp_server,
        "MCP_AUTH_SERVER": issuer,
        "MCP_AUTH_SERVER_PUBLIC_URL": issuer,
        "TASKMANAGER_OAUTH_HOST": taskmanager,
        "TASKMCP_INTROSPECTION_CLIENT_ID": RS_CLIENT_ID,
        "TASKMCP_INTROSPECTION_CLIENT_SECRET": RS_SECRET,
        **environ,
    }
    return ResourceSettings.load(env, {"port": urlsplit(mcp_server).port})


@contextlib.asynccontextmanager
async def run_stack(
    storage_url: str,
    *,
    revision: str = "jan",
    policy: OAuthPolicy | None = None,
    with_resource: bool = False,
    resource_environ: Mapping[str, str] | None = None,
    auth_environ: Mapping[str, str] | None = None,
) -> AsyncIterator[Stack]:
    """The stand-in and the authorization server, and with ``with_resource`` the MCP
    resource server too (introspecting at the authorization server)."""
    as_port, tm_port, rs_port = free_port(), free_port(), free_port()
    issuer, taskmanager = f"http://127.0.0.1:{as_port}", f"http://127.0.0.1:{tm_port}"
    mcp_server = f"http://127.0.0.1:{rs_port}"
    clock = FakeClock()
    standin = StandinSettings.load(
        {},
        {
            "revision": revision,
            "users": list(USERS),
            "clients": [f"brooks:{UPSTREAM_SECRET}:{issuer}/oauth/callback"],
        },
    )
    async with contextlib.AsyncExitStack() as stack:
        tm_store = await stack.enter_async_context(open_standin_store("memory://"))
        await seed_store(tm_store, standin.users, standin.clients, now=clock())
        await stack.enter_async_context(_serve(create_standin_app(standin, tm_store), tm_port))
        storage = await stack.enter_async_context(open_storage(storage_url))
        app = create_auth_app(
            auth_settings(issuer, taskmanager, mcp_server, **(auth_environ or {})),
            storage=storage,
            secret_key=SECRET_KEY,
            policy=policy,
            clock=clock,
        )
        await stack.enter_async_context(_serve(app, as_port))
        if with_resource:
            settings = resource_settings(
                issuer, taskmanager, mcp_server, **(resource_environ or {})
            )
            rs = create_resource_app(settings, tools=default_registry())
            await stack.enter_async_context(_serve(rs, rs_port))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield Stack(issuer, taskmanager, storage, clock, http, mcp_server)

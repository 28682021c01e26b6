"""The resource server in the test's own process, served exactly as ``taskmcp
resource`` serves it (``taskmcp.runner.running`` with handler cancellation and the
keep-alive timeout) on a real 127.0.0.1 port, so that tests can look inside it
(asyncio tasks, file descriptors, its registries) while clients misbehave.

Tokens are checked by ``StaticVerifier`` (an in-process fake: ``alice-token``,
``bob-token``); tools are the test fixtures of ``tests.mcp.support`` (``echo`` takes a
``delay``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from taskmcp.config import ResourceSettings
from taskmcp.mcp.options import TransportOptions
from taskmcp.resource.access import SCOPES, AccessInfo
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import running
from tests.faults.mcp_http import RawMcp
from tests.mcp.support import fixture_registry
from tests.support.stack import free_port

__all__ = ["InProcess", "StaticVerifier", "serve_resource"]

RESOURCE = "http://localhost:8001/mcp"  # the default MCP_SERVER_URL + /mcp
USERS = {"alice-token": "alice", "bob-token": "bob"}


class StaticVerifier:
    async def verify(self, token: str) -> AccessInfo | None:
        user = USERS.get(token)
        if user is None:
            return None
        return AccessInfo(
            sub=user,
            client_id="c",
            scopes=frozenset(SCOPES),
            aud=(RESOURCE,),
            upstream_token=SecretStr(f"upstream-{user}"),
        )


@dataclass
class InProcess:
    app: web.Application
    port: int
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def mcp(self, token: str = "alice-token") -> RawMcp:
        return RawMcp(self.http, f"{self.url}/mcp", token)


@contextlib.asynccontextmanager
async def serve_resource(
    environ: Mapping[str, str] | None = None,
    *,
    transport: TransportOptions | None = None,
    keepalive_timeout: float = 75.0,
) -> AsyncIterator[InProcess]:
    settings = ResourceSettings.load(
        {"TASKMCP_TASKMANAGER_INTERNAL_URL": "http://127.0.0.1:9", **(environ or {})}
    )
    app = create_resource_app(
        settings, tools=fixture_registry(), verifier=StaticVerifier(), transport=transport
    )
    port = free_port()
    async with (
        running(
            app,
            host="127.0.0.1",
            port=port,
            handler_cancellation=True,
            keepalive_timeout=keepalive_timeout,
        ),
        aiohttp.ClientSession() as http,
    ):
        yield InProcess(app, port, http)

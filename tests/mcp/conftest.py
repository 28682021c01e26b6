"""Fixtures for the resource server: a full stack of real aiohttp apps on 127.0.0.1 (the
resource server, a fake authorization server, a fake TaskManager)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pytest_aiohttp import AiohttpClient, AiohttpServer

from taskmcp.config import ResourceSettings
from taskmcp.mcp.options import TransportOptions
from taskmcp.resource_app import create_resource_app
from taskmcp.tools import ToolRegistry
from tests.mcp.support import (
    RS_CLIENT_ID,
    RS_SECRET,
    FakeAuthServer,
    FakeTaskManager,
    Mcp,
    fixture_registry,
    introspection,
)

FAST = TransportOptions(keepalive=0.2, session_idle_ttl=60.0, max_sessions_per_user=3)


def base_url(server: TestServer) -> str:
    return str(server.make_url("/")).rstrip("/")


@dataclass
class Stack:
    auth: FakeAuthServer
    taskmanager: FakeTaskManager
    settings: ResourceSettings
    app: web.Application
    client: TestClient[web.Request, web.Application]

    def mcp(self, token: str | None = "alice-token", path: str = "/mcp") -> Mcp:
        return Mcp(self.client, token, path)


MakeStack = Callable[..., Awaitable[Stack]]


@pytest.fixture
async def make_stack(aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer) -> MakeStack:
    async def make(
        env: Mapping[str, str] | None = None,
        *,
        tools: ToolRegistry | None = None,
        transport: TransportOptions = FAST,
    ) -> Stack:
        auth = FakeAuthServer(
            tokens={
                "alice-token": introspection("alice"),
                "bob-token": introspection("bob", upstream="up-bob"),
                "reader-token": introspection("carol", scope="tasks:read"),
            }
        )
        taskmanager = FakeTaskManager()
        auth_server = await aiohttp_server(auth.app())
        taskmanager_server = await aiohttp_server(taskmanager.app())
        environ = {
            "MCP_AUTH_SERVER": base_url(auth_server),
            "TASKMCP_INTROSPECTION_CLIENT_ID": RS_CLIENT_ID,
            "TASKMCP_INTROSPECTION_CLIENT_SECRET": RS_SECRET,
            "TASKMCP_TASKMANAGER_INTERNAL_URL": base_url(taskmanager_server),
            **(env or {}),
        }
        settings = ResourceSettings.load(environ)
        app = create_resource_app(settings, tools=tools or fixture_registry(), transport=transport)
        client = await aiohttp_client(app)
        return Stack(auth, taskmanager, settings, app, client)

    return make


@pytest.fixture
async def stack(make_stack: MakeStack) -> Stack:
    return await make_stack()


@pytest.fixture
def mcp(stack: Stack) -> Mcp:
    return stack.mcp()

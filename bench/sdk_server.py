"""The baseline: the same two tools on the official ``mcp`` 2.3.0 SDK's ``MCPServer``.

JSON-response mode, sessions on (the legacy era needs them; modern requests are
stateless either way), served by uvicorn as ``MCPServer.run("streamable-http")`` does,
with its bearer middleware in front: a ``TokenVerifier`` that knows the run's access
tokens from memory (no introspection, which favours the SDK), audience checked
(``validate_token_resource``) and ``tasks:read`` required.

Payloads are taskmcp's own: each SDK tool calls the taskmcp tool with the arguments
the SDK validated, so both servers return the same structured content. ``list_tasks``
reaches the same stand-in through the same ``TaskManagerClient``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AnyHttpUrl

from bench.spec import CLIENT_ID, Spec
from taskmcp.taskmanager import TaskManagerClient, UserToken, open_http
from taskmcp.tools import Caller, Tool, ToolContext
from taskmcp.tools.clock import GET_TIME
from taskmcp.tools.task_queries import LIST_TASKS

__all__ = ["MemoryVerifier", "build_server", "serve_sdk"]

SCOPES = ["tasks:read", "tasks:write"]


class MemoryVerifier:
    """The SDK's ``TokenVerifier`` seam, answering from a dict."""

    def __init__(self, tokens: dict[str, AccessToken]) -> None:
        self._tokens = tokens

    async def verify_token(self, token: str) -> AccessToken | None:
        return self._tokens.get(token)


class _Silent:
    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        return None

    async def log(self, level: str, data: object) -> None:
        return None


def _utcnow() -> datetime:
    return datetime.now(UTC)


def verifier_for(spec: Spec, resource: str) -> MemoryVerifier:
    expires = int(time.time()) + 3600
    tokens = {
        token: AccessToken(
            token=token, client_id=CLIENT_ID, scopes=SCOPES, expires_at=expires,
            resource=resource, subject=spec.user(index),
            claims={"taskmanager_access_token": spec.upstream_token},
        )
        for index, token in enumerate(spec.access_tokens)
    }  # fmt: skip
    return MemoryVerifier(tokens)


def build_server(spec: Spec, on_ready: Callable[[], None]) -> MCPServer[Any]:
    resource = f"{spec.url(spec.sdk_port)}/mcp"
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(server: MCPServer[Any]) -> AsyncIterator[None]:
        async with open_http() as http:
            state["http"] = http
            on_ready()
            yield

    server: MCPServer[Any] = MCPServer(
        "taskmcp-bench-sdk",
        token_verifier=verifier_for(spec, resource),
        auth=AuthSettings(
            issuer_url=AnyHttpUrl(spec.issuer), resource_server_url=AnyHttpUrl(resource),
            required_scopes=["tasks:read"], validate_token_resource=True,
        ),
        lifespan=lifespan,
        log_level="WARNING",
    )  # fmt: skip

    async def run(tool: Tool, arguments: dict[str, Any]) -> dict[str, Any]:
        access = get_access_token()
        if access is None:
            raise ToolError("not authenticated")
        upstream = (access.claims or {})["taskmanager_access_token"]
        client = TaskManagerClient(state["http"], spec.taskmanager, UserToken(upstream))
        caller = Caller(access.subject or "", access.client_id, frozenset(access.scopes))
        context = ToolContext(caller=caller, taskmanager=client, progress=_Silent(), clock=_utcnow)
        result = await tool.call(context, {k: v for k, v in arguments.items() if v is not None})
        if result.is_error or result.structured is None:
            raise ToolError(result.text)
        return result.structured

    @server.tool(name="get_time", title=GET_TIME.title, description=GET_TIME.description)
    async def get_time(timezone: str | None = None) -> dict[str, Any]:
        return await run(GET_TIME, {"timezone": timezone})

    @server.tool(name="list_tasks", title=LIST_TASKS.title, description=LIST_TASKS.description)
    async def list_tasks(
        status: str | None = None, project_id: int | None = None, project: str | None = None,
        priority: str | None = None, due_before: str | None = None, due_after: str | None = None,
        tag: str | None = None, limit: int = 25, cursor: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        return await run(LIST_TASKS, {
            "status": status, "project_id": project_id, "project": project,
            "priority": priority, "due_before": due_before, "due_after": due_after,
            "tag": tag, "limit": limit, "cursor": cursor,
        })  # fmt: skip

    return server


async def serve_sdk(spec: Spec, host: str, *, on_ready: Callable[[], None]) -> None:
    """Serve until SIGTERM, as ``MCPServer.run_streamable_http_async`` does, in JSON mode."""
    app = build_server(spec, on_ready).streamable_http_app(json_response=True, host=host)
    config = uvicorn.Config(
        app, host=host, port=spec.sdk_port, log_level="warning", access_log=False
    )
    await uvicorn.Server(config).serve()

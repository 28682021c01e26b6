"""When TaskManager fails (mcp-protocol §6, clients-in-the-wild §5): unreachable, slow,
broken or rate limiting → an ``isError`` result, quickly, plus a log line; a dead
credential → ``NotAuthenticatedError`` propagates for the transport's HTTP 401;
argument errors are reported before TaskManager is asked anything."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
from aiohttp import web
from pydantic import SecretStr
from pytest_aiohttp import AiohttpServer

from taskmcp.taskmanager import (
    InvalidCredentialsError,
    NotAuthenticatedError,
    ServiceAccount,
    TaskManagerClient,
    Timeouts,
    UserToken,
    open_http,
)
from tests.tools.support import FakeClock, Upstream, agent, unreachable_client

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as exits:
        yield exits


async def _fake_taskmanager(aiohttp_server: AiohttpServer, handler: Handler) -> str:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = await aiohttp_server(app, host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


async def test_an_unreachable_taskmanager_is_a_quick_tool_error(
    stack: AsyncExitStack, caplog: pytest.LogCaptureFixture
) -> None:
    tools = agent(await unreachable_client(stack, _closed_port()), FakeClock())
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="taskmcp.tools"):
        message = await tools.error("list_tasks")
    assert time.monotonic() - started < 2
    assert (
        message
        == "TaskManager could not be reached (TaskManager is unreachable); try again shortly."
    )
    assert any("list_tasks" in record.getMessage() for record in caplog.records)
    assert await tools.error("create_task", title="x") == message


async def test_a_slow_taskmanager_times_out_into_a_tool_error(
    stack: AsyncExitStack, aiohttp_server: AiohttpServer
) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"tasks": []})

    base = await _fake_taskmanager(aiohttp_server, slow)
    http = await stack.enter_async_context(open_http(timeouts=Timeouts(connect=1, total=0.3)))
    tools = agent(TaskManagerClient(http, base, UserToken("t")), FakeClock())
    started = time.monotonic()
    message = await tools.error("get_all_tasks")
    assert time.monotonic() - started < 2
    assert message == (
        "TaskManager could not be reached (TaskManager did not answer in time); try again shortly."
    )


async def test_a_broken_taskmanager_read_is_a_tool_error(
    stack: AsyncExitStack, aiohttp_server: AiohttpServer
) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=502, text="Bad gateway")

    base = await _fake_taskmanager(aiohttp_server, broken)
    http = await stack.enter_async_context(open_http())
    tools = agent(TaskManagerClient(http, base, UserToken("t")), FakeClock())
    assert await tools.error("list_projects") == (
        "TaskManager could not be reached (TaskManager answered HTTP 502); try again shortly."
    )


async def test_a_rate_limit_says_when_to_retry(
    stack: AsyncExitStack, aiohttp_server: AiohttpServer
) -> None:
    async def limited(request: web.Request) -> web.Response:
        body = {"error": {"code": "RATE_001", "message": "Too many requests."}}
        return web.json_response(body, status=429, headers={"Retry-After": "17"})

    base = await _fake_taskmanager(aiohttp_server, limited)
    http = await stack.enter_async_context(open_http())
    tools = agent(TaskManagerClient(http, base, UserToken("t")), FakeClock())
    assert await tools.error("get_task", task_id=1) == (
        "TaskManager is rate limiting requests; try again in 17 seconds."
    )


@pytest.mark.parametrize("revision", ["jan"])
async def test_a_rate_limited_service_account_login_says_when_to_retry(
    upstream: Upstream, stack: AsyncExitStack
) -> None:
    """JAN limits logins per bucket (taskmanager-api §2.1); the stand-in shares one bucket
    among direct clients, so five refused logins lock the service account out too."""
    for _ in range(5):
        http = await stack.enter_async_context(open_http(keep_cookies=True))
        wrong = ServiceAccount("alice", SecretStr("wrong"))
        with pytest.raises(InvalidCredentialsError):
            await TaskManagerClient(http, upstream.base_url, wrong).list_tasks()
    http = await stack.enter_async_context(open_http(keep_cookies=True))
    account = ServiceAccount("alice", SecretStr("pw"))
    tools = agent(TaskManagerClient(http, upstream.base_url, account), upstream.clock)
    message = await tools.error("list_tasks")
    assert message.startswith("TaskManager is rate limiting requests; try again in ")
    assert message.endswith(" seconds.")


@pytest.mark.parametrize("revision", ["jan"])
async def test_a_dead_user_token_propagates_for_the_transport(
    upstream: Upstream, stack: AsyncExitStack
) -> None:
    """clients-in-the-wild §5: never hide an upstream auth failure in a tool result."""
    http = await stack.enter_async_context(open_http())
    tools = agent(
        TaskManagerClient(http, upstream.base_url, UserToken("revoked-or-bogus")), upstream.clock
    )
    for name, arguments in [
        ("list_tasks", {}),
        ("create_task", {"title": "x"}),
        ("search", {"query": "x"}),
    ]:
        with pytest.raises(NotAuthenticatedError):
            await tools.call(name, arguments)


@pytest.mark.parametrize("revision", ["dec"])
async def test_a_refused_service_account_propagates(
    upstream: Upstream, stack: AsyncExitStack
) -> None:
    http = await stack.enter_async_context(open_http(keep_cookies=True))
    account = ServiceAccount("alice", SecretStr("not-the-password"))
    tools = agent(TaskManagerClient(http, upstream.base_url, account), upstream.clock)
    with pytest.raises(InvalidCredentialsError):
        await tools.call("get_all_projects")


async def test_argument_errors_come_before_any_request(stack: AsyncExitStack) -> None:
    tools = agent(await unreachable_client(stack, _closed_port()), FakeClock())
    assert await tools.error("get_task", task_id="nope") == (
        "task_id must be a task id such as 42 or 'task_42'."
    )
    assert await tools.error("update_task", task_id=1) == (
        "Nothing to change: give at least one of title, description, priority, due_date, "
        "project_id, tags, status."
    )

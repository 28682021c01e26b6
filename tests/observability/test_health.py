"""``/healthz`` and ``/readyz`` on both services (issue #7): liveness needs nothing,
readiness names every failed dependency, within a bounded time, cached briefly."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pytest_aiohttp import AiohttpClient, AiohttpServer

from taskmcp.auth_app import create_auth_app
from taskmcp.config import AuthSettings, ResourceSettings
from taskmcp.keys import READINESS
from taskmcp.observability.readiness import CACHE_TTL, CHECK_TIMEOUT, Readiness
from taskmcp.resource_app import create_resource_app
from taskmcp.storage import Storage, open_storage
from taskmcp.tools import default_registry
from tests.support.stack import free_port, run_stack

KEY = b"k" * 32


def _url(server: TestServer) -> str:
    return str(server.make_url("/")).rstrip("/")


def _nowhere() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
async def storage() -> AsyncIterator[Storage]:
    async with open_storage("memory://") as opened:
        yield opened


class Upstream:
    """A dependency that answers every request with ``status`` and counts them."""

    def __init__(self, status: int = 302) -> None:
        self.status = status
        self.hits = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        return app

    async def _answer(self, request: web.Request) -> web.Response:
        self.hits += 1
        headers = {"Location": "/login?return_to=%2Fapi%2Ftodos"} if self.status == 302 else {}
        return web.Response(status=self.status, headers=headers)


@contextlib.asynccontextmanager
async def _started(readiness: Readiness) -> AsyncIterator[None]:
    """Run the readiness cleanup context (its HTTP session) around a block."""
    steps = readiness.context(web.Application())
    await anext(steps)
    try:
        yield
    finally:
        with contextlib.suppress(StopAsyncIteration):
            await anext(steps)


async def test_both_services_are_live_and_ready_when_their_dependencies_answer() -> None:
    async with run_stack("memory://", with_resource=True) as stack:
        for base in (stack.issuer, stack.mcp_server):
            async with stack.http.get(f"{base}/healthz") as live:
                assert (live.status, await live.json()) == (200, {"status": "ok"})
            async with stack.http.get(f"{base}/readyz") as ready:
                assert (ready.status, await ready.json()) == (200, {"status": "ready"})
                assert ready.headers["Cache-Control"] == "no-store"


async def test_the_auth_server_names_an_unreachable_taskmanager(
    aiohttp_client: AiohttpClient, storage: Storage
) -> None:
    settings = AuthSettings.load({"TASKMANAGER_OAUTH_HOST": _nowhere()})
    client = await aiohttp_client(create_auth_app(settings, storage=storage, secret_key=KEY))
    response = await client.get("/readyz")
    assert response.status == 503
    assert await response.json() == {
        "status": "not ready",
        "checks": {"taskmanager": "unreachable"},
    }
    assert (await client.get("/healthz")).status == 200


async def test_the_resource_server_names_each_failed_check(aiohttp_client: AiohttpClient) -> None:
    settings = ResourceSettings.load(
        {"MCP_AUTH_SERVER": _nowhere(), "TASKMANAGER_OAUTH_HOST": _nowhere()}
    )
    client = await aiohttp_client(create_resource_app(settings, tools=default_registry()))
    response = await client.get("/readyz")
    assert response.status == 503
    checks = {"introspection": "unreachable", "taskmanager": "unreachable"}
    assert await response.json() == {"status": "not ready", "checks": checks}


@pytest.mark.parametrize(
    ("status", "expected"),
    [(302, None), (404, None), (405, None), (500, "HTTP 500"), (502, "HTTP 502")],
)
async def test_any_http_answer_below_500_means_the_dependency_is_up(
    aiohttp_client: AiohttpClient,
    aiohttp_server: AiohttpServer,
    status: int,
    expected: str | None,
) -> None:
    upstream = Upstream(status)
    server = await aiohttp_server(upstream.app())
    settings = ResourceSettings.load(
        {"MCP_AUTH_SERVER": _url(server), "TASKMANAGER_OAUTH_HOST": _url(server)}
    )
    client = await aiohttp_client(create_resource_app(settings, tools=default_registry()))
    body = await (await client.get("/readyz")).json()
    if expected is None:
        assert body == {"status": "ready"}
    else:
        assert body["checks"] == {"introspection": expected, "taskmanager": expected}


async def test_probes_are_cached_and_coalesced(
    aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, storage: Storage
) -> None:
    """Load balancers polling every instant cost TaskManager one request per TTL."""
    upstream = Upstream()
    server = await aiohttp_server(upstream.app())
    settings = AuthSettings.load({"TASKMANAGER_OAUTH_HOST": _url(server)})
    client = await aiohttp_client(create_auth_app(settings, storage=storage, secret_key=KEY))
    answers = await asyncio.gather(*(client.get("/readyz") for _ in range(10)))
    answers.append(await client.get("/readyz"))
    assert {answer.status for answer in answers} == {200}
    assert upstream.hits == 1
    assert 0 < CACHE_TTL <= 10


async def test_the_cache_expires_and_a_recovered_dependency_is_seen() -> None:
    now = [0.0]
    healthy = [False]

    async def check() -> None:
        if not healthy[0]:
            raise ConnectionError("down")

    readiness = Readiness(ttl=5.0, clock=lambda: now[0])
    readiness.add("storage", check)
    assert await readiness.failures() == {"storage": "unreachable"}
    healthy[0] = True
    now[0] = 4.9
    assert await readiness.failures() == {"storage": "unreachable"}
    now[0] = 5.1
    assert await readiness.failures() == {}


async def test_a_hanging_dependency_fails_within_the_timeout(
    aiohttp_server: AiohttpServer,
) -> None:
    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response()

    app = web.Application()
    app.router.add_get("/api/todos", hang)
    server = await aiohttp_server(app)
    readiness = Readiness(timeout=0.3)
    readiness.add_http("taskmanager", f"{_url(server)}/api/todos")
    readiness.add("storage", lambda: asyncio.sleep(30))
    async with _started(readiness):
        started = time.monotonic()
        failures = await readiness.failures()
    assert failures == {"taskmanager": "timeout", "storage": "timeout"}
    assert time.monotonic() - started < 2  # concurrent, each bounded
    assert CHECK_TIMEOUT <= 2


async def test_a_crashing_check_is_a_503_without_details(
    aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, storage: Storage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    async def broken() -> None:
        raise RuntimeError("password=hunter2 in a driver message")

    monkeypatch.setattr(storage, "ping", broken)
    server = await aiohttp_server(Upstream().app())
    settings = AuthSettings.load({"TASKMANAGER_OAUTH_HOST": _url(server)})
    client = await aiohttp_client(create_auth_app(settings, storage=storage, secret_key=KEY))
    response = await client.get("/readyz")
    text = await response.text()
    assert response.status == 503
    assert "hunter2" not in text
    assert "Traceback" not in text
    assert await response.json() == {"status": "not ready", "checks": {"storage": "unreachable"}}


def test_the_no_auth_resource_server_does_not_probe_introspection() -> None:
    settings = ResourceSettings.load({"TASKMCP_NO_AUTH": "true"})
    app = create_resource_app(settings, tools=default_registry())
    assert app[READINESS].names == ("taskmanager",)
    normal = create_resource_app(ResourceSettings.load({}), tools=default_registry())
    assert normal[READINESS].names == ("introspection", "taskmanager")

"""The client against quirks the stand-in does not emit, served by tiny in-process fakes
(taskmanager-api §6): bare arrays, string ids, empty-body 500s, Retry-After, garbage,
slowness, dropped connections, cookie handling and service-account re-login."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from decimal import Decimal

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr
from pytest_aiohttp import AiohttpServer

from taskmcp.taskmanager import (
    InvalidCredentialsError,
    InvalidRequestError,
    NotAuthenticatedError,
    NotFoundError,
    RateLimitedError,
    ServiceAccount,
    TaskManagerClient,
    Timeouts,
    UpstreamUnavailableError,
    UserToken,
    open_http,
)
from taskmcp.taskmanager.credentials import Credential
from taskmcp.taskmanager.http import MAX_BODY

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ROW = {
    "id": 6, "project_id": 5, "title": "Buy milk", "description": "desc", "priority": "high",
    "estimated_hours": "2.50", "actual_hours": None, "status": "pending",
    "due_date": "2026-12-31T00:00:00.000Z", "completed_date": None, "tags": "[\"errand\"]",
    "context": None, "created_at": "2026-11-26T14:11:40.506Z",
    "updated_at": "2026-11-26T14:11:40.506Z", "user_id": 1, "time_horizon": None,
    "project_name": "Home", "project_color": "#ff0000",
}  # fmt: skip


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_http(timeouts=Timeouts(connect=1, total=0.5)) as session:
        yield session


async def _serve(aiohttp_server: AiohttpServer, routes: dict[tuple[str, str], Handler]) -> str:
    app = web.Application()
    for (method, path), handler in routes.items():
        app.router.add_route(method, path, handler)
    server = await aiohttp_server(app, host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


def _json(data: object, status: int = 200, **headers: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(data, status=status, headers=headers)

    return handler


def _raw(status: int, body: bytes = b"", content_type: str | None = None) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body, content_type=content_type)

    return handler


def _client(
    http: aiohttp.ClientSession, base: str, credential: Credential | None = None
) -> TaskManagerClient:
    return TaskManagerClient(http, base, credential or UserToken("user-token"))


async def test_a_bare_array_list_and_a_data_envelope_are_both_read(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    base = await _serve(
        aiohttp_server,
        {
            ("GET", "/api/todos"): _json([{"id": 1, "title": "a", "description": ""}]),
            ("GET", "/api/projects"): _json({"data": [{"id": 3, "name": "Home"}]}),
        },
    )
    tasks = await _client(http, base).list_tasks()
    assert [(t.id, t.title, t.description) for t in tasks] == [(1, "a", None)]
    projects = await _client(http, base).list_projects()
    assert [(p.id, p.name) for p in projects] == [(3, "Home")]


async def test_the_row_shape_is_normalised(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    base = await _serve(aiohttp_server, {("GET", "/api/todos/6"): _json(ROW)})
    task = await _client(http, base).get_task(6)
    assert task.due_date == date(2026, 12, 31)
    assert task.estimated_hours == Decimal("2.50")
    assert task.tags == ["errand"]
    assert task.project_name == "Home"
    assert task.created_at is not None
    assert task.created_at.isoformat() == "2026-11-26T14:11:40.506000+00:00"


async def test_search_ids_like_task_7_become_integers(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    hit = {"id": "task_7", "title": "Minimal", "due_date": "2026-12-31", "category": "Home",
           "tags": [], "created_at": "2026-11-26", "updated_at": "2026-11-26"}  # fmt: skip
    base = await _serve(
        aiohttp_server, {("GET", "/api/tasks/search"): _json({"tasks": [hit], "count": 1})}
    )
    [task] = await _client(http, base).search_tasks("minimal")
    assert (task.id, task.project_name, task.due_date) == (7, "Home", date(2026, 12, 31))


@pytest.mark.parametrize(
    ("method", "expected"), [("POST", InvalidRequestError), ("GET", UpstreamUnavailableError)]
)
async def test_an_empty_body_500_is_validation_on_writes_and_an_outage_on_reads(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession, method: str, expected: type
) -> None:
    """§6.5: TaskManager uses 500 for validation; DEC sends those with an empty body."""
    base = await _serve(aiohttp_server, {(method, "/api/todos"): _raw(500)})
    client = _client(http, base)
    with pytest.raises(expected):
        await (client.create_task("x") if method == "POST" else client.list_tasks())


async def test_429_carries_retry_after(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    body = {"error": {"code": "RATE_001", "message": "Too many requests."}}
    base = await _serve(
        aiohttp_server, {("GET", "/api/todos"): _json(body, 429, **{"Retry-After": "17"})}
    )
    with pytest.raises(RateLimitedError) as info:
        await _client(http, base).list_tasks()
    assert info.value.retry_after == 17.0


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"error":"Todo not found"}', "application/json", "Todo not found"),
        (b'{"error":{"code":"NOT_FOUND_004","message":"Task not found"}}', "application/json",
         "Task not found"),
        (b"<html><body>404</body></html>", "text/html", "not found"),
        (b"", None, "not found"),
    ],
)  # fmt: skip
async def test_404_messages_come_from_whichever_shape_is_present(
    aiohttp_server: AiohttpServer,
    http: aiohttp.ClientSession,
    body: bytes,
    content_type: str | None,
    message: str,
) -> None:
    base = await _serve(aiohttp_server, {("GET", "/api/todos/9"): _raw(404, body, content_type)})
    with pytest.raises(NotFoundError, match=f"^{message}$"):
        await _client(http, base).get_task(9)


async def test_upstream_messages_are_bounded_and_printable(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    noisy = "bad\x00\nvalue " + "x" * 5000
    base = await _serve(aiohttp_server, {("POST", "/api/projects"): _json({"error": noisy}, 400)})
    with pytest.raises(InvalidRequestError) as info:
        await _client(http, base).create_project("p")
    assert len(str(info.value)) == 200
    assert str(info.value).startswith("bad value xxx")


async def test_a_login_redirect_means_not_authenticated(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://{request.host}/login?return_to=%2Fapi%2Ftodos")

    base = await _serve(aiohttp_server, {("GET", "/api/todos"): redirect})
    with pytest.raises(NotAuthenticatedError):
        await _client(http, base).list_tasks()


async def test_garbage_and_unexpected_shapes_are_outages(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    base = await _serve(
        aiohttp_server,
        {
            ("GET", "/api/todos"): _raw(200, b"{not json", "application/json"),
            ("GET", "/api/projects"): _json({"unexpected": True}),
        },
    )
    with pytest.raises(UpstreamUnavailableError, match="unreadable"):
        await _client(http, base).list_tasks()
    with pytest.raises(UpstreamUnavailableError, match="unexpected"):
        await _client(http, base).list_projects()


async def test_a_slow_upstream_fails_within_the_timeout(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response([])

    base = await _serve(aiohttp_server, {("GET", "/api/todos"): slow})
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(UpstreamUnavailableError, match="in time"):
        await _client(http, base).list_tasks()
    assert loop.time() - started < 2


async def test_an_unreachable_upstream_is_an_outage(http: aiohttp.ClientSession) -> None:
    with pytest.raises(UpstreamUnavailableError, match="unreachable"):
        await _client(http, "http://127.0.0.1:9").list_tasks()


async def test_an_oversized_body_is_refused(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    base = await _serve(
        aiohttp_server, {("GET", "/api/todos"): _raw(200, b" " * (MAX_BODY + 1), "text/plain")}
    )
    with pytest.raises(UpstreamUnavailableError, match="oversized"):
        await _client(http, base).list_tasks()


def _drop_first(data: object, calls: list[str]) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        calls.append(request.method)
        if len(calls) == 1:
            assert request.transport is not None
            request.transport.close()
        return web.json_response(data)

    return handler


async def test_a_read_is_retried_once_after_a_dropped_connection(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    calls: list[str] = []
    base = await _serve(aiohttp_server, {("GET", "/api/projects"): _drop_first([], calls)})
    assert await _client(http, base).list_projects() == []
    assert calls == ["GET", "GET"]


async def test_a_write_is_never_retried_after_a_dropped_connection(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    calls: list[str] = []
    base = await _serve(aiohttp_server, {("POST", "/api/projects"): _drop_first({"id": 1}, calls)})
    with pytest.raises(UpstreamUnavailableError, match="unreachable"):
        await _client(http, base).create_project("p")
    assert calls == ["POST"]


async def test_user_mode_sends_the_bearer_token_and_keeps_no_cookies(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    seen: list[tuple[str | None, str | None]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.headers.get("Authorization"), request.headers.get("Cookie")))
        response = web.json_response([])
        response.set_cookie("session", "leaked-from-another-user")
        return response

    base = await _serve(aiohttp_server, {("GET", "/api/projects"): handler})
    await _client(http, base, UserToken("alice")).list_projects()
    await _client(http, base, UserToken("bob")).list_projects()
    assert seen == [("Bearer alice", None), ("Bearer bob", None)]
    assert "alice" not in repr(UserToken("alice"))


class _CookieUpstream:
    """A DEC-style upstream: cookie-only REST, a session that can be expired."""

    def __init__(self, *, revision: str = "dec", password: str = "pw") -> None:
        self.revision = revision
        self.password = password
        self.logins = 0
        self.valid: set[str] = set()
        self.bodies: list[object] = []
        self.accept_sessions = True

    async def login(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("password") != self.password:
            return web.json_response({"error": "Invalid credentials"}, status=401)
        self.logins += 1
        token = f"s{self.logins}"
        self.valid = {token} if self.accept_sessions else set()
        user = {"id": 1, "username": body["username"], "email": "svc@example.test"}
        data = (
            {"success": True, "user": user} if self.revision == "dec" else {"data": {"user": user}}
        )
        response = web.json_response(data)
        response.set_cookie("session", token, httponly=True, samesite="Lax")
        return response

    async def todo(self, request: web.Request) -> web.Response:
        if request.cookies.get("session") not in self.valid:
            raise web.HTTPFound(f"http://{request.host}/login?return_to=%2Fapi%2Ftodos")
        if request.method == "PUT":
            self.bodies.append(await request.json())
        return web.json_response({**ROW, "tags": ["errand"]})

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("POST", "/api/auth/login"): self.login,
            ("GET", "/api/todos/6"): self.todo,
            ("PUT", "/api/todos/6"): self.todo,
        }


@pytest.fixture
async def cookie_http() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_http(keep_cookies=True, timeouts=Timeouts(connect=1, total=2)) as session:
        yield session


async def test_service_mode_logs_in_once_and_again_after_the_session_expires(
    aiohttp_server: AiohttpServer, cookie_http: aiohttp.ClientSession
) -> None:
    upstream = _CookieUpstream()
    base = await _serve(aiohttp_server, upstream.routes())
    account = ServiceAccount("svc", SecretStr("pw"))
    client = _client(cookie_http, base, account)
    await client.get_task(6)
    await client.get_task(6)
    assert upstream.logins == 1
    assert account.revision == "dec"
    assert account.user is not None
    assert account.user.username == "svc"
    upstream.valid.clear()  # the upstream session expires
    await asyncio.gather(*(client.get_task(6) for _ in range(5)))
    assert upstream.logins == 2


async def test_service_mode_logs_in_again_once_then_fails(
    aiohttp_server: AiohttpServer, cookie_http: aiohttp.ClientSession
) -> None:
    """The session cookie is never accepted: one login, one re-login, then an error."""
    upstream = _CookieUpstream()
    upstream.accept_sessions = False
    base = await _serve(aiohttp_server, upstream.routes())
    client = _client(cookie_http, base, ServiceAccount("svc", SecretStr("pw")))
    with pytest.raises(NotAuthenticatedError):
        await client.get_task(6)
    assert upstream.logins == 2


async def test_a_wrong_service_password_is_a_clear_error(
    aiohttp_server: AiohttpServer, cookie_http: aiohttp.ClientSession
) -> None:
    base = await _serve(aiohttp_server, _CookieUpstream(password="right").routes())
    client = _client(cookie_http, base, ServiceAccount("svc", SecretStr("wrong")))
    with pytest.raises(InvalidCredentialsError, match="service account login"):
        await client.get_task(6)


@pytest.mark.parametrize(("revision", "wire_tags"), [("dec", '["a", "b"]'), ("jan", ["a", "b"])])
async def test_tags_on_update_are_encoded_per_revision(
    aiohttp_server: AiohttpServer,
    cookie_http: aiohttp.ClientSession,
    revision: str,
    wire_tags: object,
) -> None:
    """§6.10: DEC answers 500 to an array and wants a JSON-encoded string."""
    upstream = _CookieUpstream(revision=revision)
    base = await _serve(aiohttp_server, upstream.routes())
    client = _client(cookie_http, base, ServiceAccount("svc", SecretStr("pw")))
    await client.update_task(6, {"tags": ["a", "b"], "due_date": date(2027, 1, 2)})
    assert upstream.bodies == [{"tags": wire_tags, "due_date": "2027-01-02"}]


async def test_completing_a_missing_task_is_not_found_without_posting(
    aiohttp_server: AiohttpServer, http: aiohttp.ClientSession
) -> None:
    """§6.13: complete answers 200 for any id, so the client checks first."""
    posted: list[int] = []

    async def complete(request: web.Request) -> web.Response:
        posted.append(1)
        return web.json_response({"success": True})

    base = await _serve(
        aiohttp_server,
        {
            ("GET", "/api/todos/9"): _json({"error": "Todo not found"}, 404),
            ("POST", "/api/todos/9/complete"): complete,
        },
    )
    with pytest.raises(NotFoundError):
        await _client(http, base).complete_task(9)
    assert posted == []


async def test_invalid_arguments_are_refused_before_any_request(
    http: aiohttp.ClientSession,
) -> None:
    client = _client(http, "http://127.0.0.1:9")
    for call in (
        client.list_tasks(status="done"),
        client.list_tasks(limit=0),
        client.create_task("  "),
        client.create_task("x", priority="critical"),
        client.update_task(1, {}),
        client.update_task(1, {"user_id": 2}),
        client.update_task(1, {"status": "done"}),
        client.search_tasks(" "),
        client.update_project(1),
    ):
        with pytest.raises(InvalidRequestError):
            await call

"""The TaskManager client against the stand-in over real HTTP, in every valid pairing
of upstream revision and credential strategy (issue #3): JAN with each user's OAuth
token, JAN with the service account, DEC with the service account. Every operation and
filter, 302-to-login handling, re-login, not-found, validation, isolation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr
from pytest_aiohttp import AiohttpServer

from taskmcp.standin import create_standin_app, open_standin_store, seed_store
from taskmcp.taskmanager import (
    InvalidRequestError,
    NotAuthenticatedError,
    NotFoundError,
    ServiceAccount,
    TaskManagerClient,
    UserToken,
    open_http,
)
from tests.tools.conftest import standin_settings
from tests.tools.support import PASSWORD, FakeClock, access_token

PAIRINGS = [("jan", "user"), ("jan", "service"), ("dec", "service")]


@dataclass
class Upstream:
    base_url: str
    stack: AsyncExitStack
    strategy: str

    async def client(self, username: str) -> TaskManagerClient:
        if self.strategy == "user":
            http = await self.stack.enter_async_context(open_http())
            return TaskManagerClient(
                http, self.base_url, UserToken(await access_token(self.base_url, username))
            )
        http = await self.stack.enter_async_context(open_http(keep_cookies=True))
        return TaskManagerClient(http, self.base_url, ServiceAccount(username, SecretStr(PASSWORD)))


@asynccontextmanager
async def running_upstream(
    aiohttp_server: AiohttpServer, revision: str, strategy: str
) -> AsyncIterator[Upstream]:
    settings, clock = standin_settings(revision), FakeClock()
    async with open_standin_store("memory://") as store, AsyncExitStack() as stack:
        await seed_store(store, settings.users, settings.clients, now=clock())
        app = create_standin_app(settings, store, clock=clock)
        server = await aiohttp_server(app, host="127.0.0.1")
        yield Upstream(str(server.make_url("")).rstrip("/"), stack, strategy)


@pytest.fixture(params=PAIRINGS, ids=["jan-user", "jan-service", "dec-service"])
async def upstream(
    request: pytest.FixtureRequest, aiohttp_server: AiohttpServer
) -> AsyncIterator[Upstream]:
    async with running_upstream(aiohttp_server, *request.param) as running:
        yield running


@pytest.fixture
async def alice(upstream: Upstream) -> TaskManagerClient:
    return await upstream.client("alice")


@pytest.fixture
async def bob(upstream: Upstream) -> TaskManagerClient:
    return await upstream.client("bob")


def _unique(name: str, upstream: Upstream) -> str:
    """Project names are global across users (taskmanager-api §6.16)."""
    return f"{name}-{upstream.strategy}-{id(upstream) % 10_000}"


async def test_projects_are_created_read_updated_listed_and_deleted(
    alice: TaskManagerClient, upstream: Upstream
) -> None:
    home = await alice.create_project(
        _unique("Home", upstream), description="house", color="#ff0000"
    )
    assert (home.description, home.color, home.is_active) == ("house", "#ff0000", True)
    work = await alice.create_project(_unique("Work", upstream))
    assert work.color == "#3b82f6"
    assert [p.id for p in await alice.list_projects()] == [home.id, work.id]
    renamed = await alice.update_project(home.id, name=_unique("Home2", upstream), color="#00ff00")
    assert (renamed.name, renamed.color, renamed.description) == (
        _unique("Home2", upstream),
        "#00ff00",
        "house",
    )
    await alice.delete_project(work.id)
    with pytest.raises(NotFoundError):
        await alice.get_project(work.id)
    with pytest.raises(InvalidRequestError):
        await alice.create_project(_unique("Home2", upstream))
    with pytest.raises(NotFoundError):
        await alice.update_project(999_999, name="x")


async def test_a_task_round_trips_with_every_field_normalised(
    alice: TaskManagerClient, upstream: Upstream
) -> None:
    project = await alice.create_project(_unique("Errands", upstream))
    task = await alice.create_task(
        "Buy milk",
        description="2 litres",
        category=project.name.upper(),
        priority="high",
        due_date=date(2030, 12, 31),
        tags=["shop", "food"],
        estimated_hours=2.5,
        context="town",
    )
    assert (task.title, task.description, task.status, task.priority) == (
        "Buy milk",
        "2 litres",
        "pending",
        "high",
    )
    assert task.project_id == project.id
    assert task.due_date == date(2030, 12, 31)
    assert task.tags == ["shop", "food"]
    assert task.estimated_hours == Decimal("2.50")
    assert await alice.get_task(task.id) == task


async def test_updates_change_only_the_given_fields_and_null_clears_the_due_date(
    alice: TaskManagerClient,
) -> None:
    task = await alice.create_task("Draft", due_date=date(2030, 1, 2), tags=["a"], priority="low")
    renamed = await alice.update_task(task.id, {"title": "Final", "tags": ["b", "c"]})
    assert (renamed.title, renamed.tags, renamed.priority, renamed.due_date) == (
        "Final",
        ["b", "c"],
        "low",
        date(2030, 1, 2),
    )
    cleared = await alice.update_task(task.id, {"due_date": None})
    assert cleared.due_date is None
    with pytest.raises(InvalidRequestError):
        await alice.update_task(task.id, {"priority": "critical"})


async def test_complete_reopen_and_delete(alice: TaskManagerClient) -> None:
    task = await alice.create_task("Call mum")
    done = await alice.complete_task(task.id)
    assert done.status == "completed"
    assert done.completed_at is not None
    assert (await alice.reopen_task(task.id)).status == "pending"
    await alice.delete_task(task.id)
    for call in (alice.get_task(task.id), alice.complete_task(task.id), alice.delete_task(task.id)):
        with pytest.raises(NotFoundError):
            await call


async def test_every_list_filter(alice: TaskManagerClient, upstream: Upstream) -> None:
    project = await alice.create_project(_unique("Filters", upstream))
    past = await alice.create_task("Late", due_date=date.today() - timedelta(days=3))
    soon = await alice.create_task(
        "Soon", due_date=date.today() + timedelta(days=3), project_id=project.id
    )
    undated = await alice.create_task("Someday")
    await alice.complete_task(undated.id)

    async def ids(**filters: Any) -> set[int]:
        return {t.id for t in await alice.list_tasks(**filters)}

    assert await ids() == {past.id, soon.id, undated.id}
    assert await ids(status="all") == {past.id, soon.id, undated.id}
    assert await ids(status="pending") == {past.id, soon.id}
    assert await ids(status="completed") == {undated.id}
    assert await ids(status="overdue") == {past.id}
    assert await ids(project_id=project.id) == {soon.id}
    assert await ids(category=project.name) == {soon.id}
    assert await ids(start_date=date.today(), end_date=date.today() + timedelta(days=3)) == {
        soon.id
    }
    assert len(await alice.list_tasks(limit=2)) == 2


async def test_search_categories_and_their_quirks(
    alice: TaskManagerClient, upstream: Upstream
) -> None:
    project = await alice.create_project(_unique("Garden", upstream))
    hit = await alice.create_task(
        "Water the plants", description="tomato words", project_id=project.id
    )
    await alice.create_task("Unrelated")
    found = await alice.search_tasks("plant word")
    assert [t.id for t in found] == [hit.id]
    assert [t.id for t in await alice.search_tasks("plants", category=project.name)] == [hit.id]
    assert await alice.search_tasks("plants", category="Nope") == []
    categories = {c.name: c.task_count for c in await alice.list_categories()}
    assert categories[project.name] == 1


async def test_two_users_are_isolated(aiohttp_server: AiohttpServer) -> None:
    """Per-user mode only: in service mode every MCP user is one account by design."""
    async with running_upstream(aiohttp_server, "jan", "user") as upstream:
        alice, bob = await upstream.client("alice"), await upstream.client("bob")
        secret = await alice.create_task("Alice's secret")
        with pytest.raises(NotFoundError):
            await bob.get_task(secret.id)
        with pytest.raises(NotFoundError):
            await bob.complete_task(secret.id)
        assert await bob.list_tasks() == []
        assert await bob.search_tasks("secret") == []


async def test_a_dead_user_token_is_not_authenticated(upstream: Upstream) -> None:
    async with open_http() as http:
        client = TaskManagerClient(http, upstream.base_url, UserToken("f" * 64))
        with pytest.raises(NotAuthenticatedError):
            await client.list_projects()


@pytest.mark.parametrize("revision", ["jan", "dec"])
async def test_the_service_account_logs_in_again_after_its_session_ends(
    aiohttp_server: AiohttpServer, revision: str
) -> None:
    async with (
        running_upstream(aiohttp_server, revision, "service") as upstream,
        open_http(keep_cookies=True) as http,
    ):
        account = ServiceAccount("alice", SecretStr(PASSWORD))
        client = TaskManagerClient(http, upstream.base_url, account)
        await client.list_projects()
        async with http.post(f"{upstream.base_url}/api/auth/logout") as resp:
            assert resp.status == 200
        assert await client.list_projects() == []  # 302 to login → log in again → retry
        assert account.revision == revision


async def test_a_user_token_on_dec_is_not_authenticated(aiohttp_server: AiohttpServer) -> None:
    """DEC's REST API ignores OAuth tokens (taskmanager-api §2.6): per-user mode cannot
    work there, and the client reports it as an authentication failure."""
    settings, clock = standin_settings("dec"), FakeClock()
    async with open_standin_store("memory://") as store:
        await seed_store(store, settings.users, settings.clients, now=clock())
        server = await aiohttp_server(
            create_standin_app(settings, store, clock=clock), host="127.0.0.1"
        )
        base = str(server.make_url("")).rstrip("/")
        token = await access_token(base, "alice")
        async with open_http() as http:
            with pytest.raises(NotAuthenticatedError):
                await TaskManagerClient(http, base, UserToken(token)).list_projects()

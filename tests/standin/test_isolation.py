"""Two users never see or change each other's rows, except the documented leaks (§5.5)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.todo_helpers import create_project, create_task, listed, task_row


async def test_another_users_task_is_404_for_read_update_delete(
    alice: TestClient, bob: TestClient
) -> None:
    task_id = await create_task(alice, title="alice's")
    for method, body in (("GET", None), ("PUT", {"title": "bob"}), ("DELETE", None)):
        response = await bob.request(method, f"/api/todos/{task_id}", json=body)
        assert response.status == 404
    assert (await task_row(alice, task_id))["title"] == "alice's"


async def test_complete_on_another_users_task_is_a_successful_no_op(
    alice: TestClient, bob: TestClient
) -> None:
    task_id = await create_task(alice, title="alice's")
    response = await bob.post(f"/api/todos/{task_id}/complete")
    assert (response.status, await response.json()) == (200, {"success": True})
    assert (await task_row(alice, task_id))["status"] == "pending"


@pytest.mark.parametrize(("revision", "status"), [("dec", 200), ("jan", 404)])
async def test_the_legacy_put_on_another_users_task(
    alice: TestClient, bob: TestClient, status: int
) -> None:
    task_id = await create_task(alice, title="alice's")
    response = await bob.put("/api/todos", json={"id": task_id, "title": "bob"})
    assert response.status == status
    assert (await task_row(alice, task_id))["title"] == "alice's"


@pytest.mark.parametrize(("revision", "put_status"), [("dec", 200), ("jan", 404)])
async def test_another_users_project(alice: TestClient, bob: TestClient, put_status: int) -> None:
    project_id = await create_project(alice, "Alice's")
    assert (await bob.get(f"/api/projects/{project_id}")).status == 404
    assert (await bob.delete(f"/api/projects/{project_id}")).status == 404
    put = await bob.put(f"/api/projects/{project_id}", json={"name": "Bob's"})
    assert put.status == put_status
    names = [p["name"] for p in await (await alice.get("/api/projects")).json()]
    assert names == ["Alice's"]
    assert await (await bob.get("/api/projects")).json() == []


async def test_lists_categories_and_search_are_per_user(alice: TestClient, bob: TestClient) -> None:
    await create_project(alice, "Home")
    await create_task(alice, title="alice task", category="Home")
    assert await listed(bob) == []
    assert await (await bob.get("/api/categories")).json() == {"categories": []}
    search: Any = await (await bob.get("/api/tasks/search?query=task")).json()
    assert search == {"tasks": [], "count": 0}


async def test_a_task_may_point_at_another_users_project(
    alice: TestClient, bob: TestClient
) -> None:
    """§5.5 leak: 201, and bob's task shows alice's project name and colour."""
    project_id = await create_project(alice, "Alice's", color="#abcdef")
    task_id = await create_task(bob, title="bob's", project_id=project_id)
    row = await task_row(bob, task_id)
    assert (row["project_name"], row["project_color"]) == ("Alice's", "#abcdef")
    assert await (await bob.get("/api/categories")).json() == {"categories": []}
    category = await create_task(bob, title="by name", category="Alice's")
    assert (await task_row(bob, category))["project_id"] is None


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_put_cannot_move_a_task_to_another_user(
    alice: TestClient, bob: TestClient
) -> None:
    """Deliberate deviation: upstream DEC writes user_id; the stand-in ignores it."""
    task_id = await create_task(bob, title="bob's")
    response = await bob.put(f"/api/todos/{task_id}", json={"user_id": 1, "title": "still bob's"})
    assert response.status == 200
    assert (await task_row(bob, task_id))["title"] == "still bob's"
    assert await listed(alice) == []

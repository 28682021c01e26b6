"""``PUT /api/todos/{id}`` and the legacy ``PUT /api/todos`` (taskmanager-api §4.2)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.todo_helpers import (
    BAD_ID,
    NOT_FOUND,
    create_project,
    create_task,
    expect_500,
    listed,
    task_row,
)


async def test_put_echoes_every_key_and_never_sets_completed_date(alice: TestClient) -> None:
    task_id = await create_task(alice, title="t")
    body = {"title": "new", "status": "completed", "priority": "urgent", "category": "None"}
    response = await alice.put(f"/api/todos/{task_id}", json=body)
    assert (response.status, await response.json()) == (
        200,
        {
            "id": task_id,
            "updated_fields": ["title", "status", "priority", "category"],
            "status": "updated",
        },
    )
    row = await task_row(alice, task_id)
    assert (row["title"], row["status"], row["priority"]) == ("new", "completed", "urgent")
    assert row["completed_date"] is None


async def test_completed_date_is_writable_and_kept_when_reopened(alice: TestClient) -> None:
    task_id = await create_task(alice, title="t")
    stamp = {"completed_date": "2026-01-02T03:04:05.678+01:00"}
    assert (await alice.put(f"/api/todos/{task_id}", json=stamp)).status == 200
    assert (await alice.put(f"/api/todos/{task_id}", json={"status": "pending"})).status == 200
    row = await task_row(alice, task_id)
    assert (row["completed_date"], row["status"]) == ("2026-01-02T02:04:05.678Z", "pending")


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_put_drops_keys_outside_the_whitelist(alice: TestClient) -> None:
    task_id = await create_task(alice, title="t")
    body = {"id": 99, "user_id": 2, "time_horizon": "today", "bogus": 1, "context": "c"}
    response = await alice.put(f"/api/todos/{task_id}", json=body)
    assert (await response.json())["updated_fields"] == list(body)
    row = await task_row(alice, task_id)
    assert (row["id"], row["user_id"], row["time_horizon"], row["context"]) == (
        task_id,
        1,
        None,
        "c",
    )
    nothing = await alice.put(f"/api/todos/{task_id}", json={"bogus": 1, "category": "Nowhere"})
    await expect_500(nothing, "jan", "No valid fields to update")


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_put_refuses_unknown_keys_and_writes_time_horizon(alice: TestClient) -> None:
    task_id = await create_task(alice, title="t")
    for body in ({"bogus": 1}, {}, {"category": "Nowhere"}):
        await expect_500(await alice.put(f"/api/todos/{task_id}", json=body), "dec", "")
    response = await alice.put(f"/api/todos/{task_id}", json={"time_horizon": "this_week"})
    assert response.status == 200
    assert (await task_row(alice, task_id))["time_horizon"] == "this_week"


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_put_takes_tags_only_as_a_json_string(alice: TestClient) -> None:
    task_id = await create_task(alice, title="t", tags=["a"])
    await expect_500(await alice.put(f"/api/todos/{task_id}", json={"tags": ["z"]}), "dec", "")
    assert (await alice.put(f"/api/todos/{task_id}", json={"tags": '["z"]'})).status == 200
    assert (await task_row(alice, task_id))["tags"] == ["z"]


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_put_stores_a_json_string_as_a_string(alice: TestClient) -> None:
    """§4.2: GET-one shows the string; list and search parse it back."""
    task_id = await create_task(alice, title="tagged", tags=["a"])
    assert (await alice.put(f"/api/todos/{task_id}", json={"tags": ["y"]})).status == 200
    assert (await task_row(alice, task_id))["tags"] == ["y"]
    assert (await alice.put(f"/api/todos/{task_id}", json={"tags": '["z"]'})).status == 200
    assert (await task_row(alice, task_id))["tags"] == '["z"]'
    assert (await listed(alice))[0]["tags"] == ["z"]
    found = await (await alice.get("/api/tasks/search?query=tagged")).json()
    assert found["tasks"][0]["tags"] == ["z"]


async def test_put_maps_category_unless_project_id_is_given(alice: TestClient) -> None:
    home = await create_project(alice, "Home")
    work = await create_project(alice, "Work")
    task_id = await create_task(alice, title="t")
    await alice.put(f"/api/todos/{task_id}", json={"category": "home", "title": "t2"})
    assert (await task_row(alice, task_id))["project_id"] == home
    await alice.put(f"/api/todos/{task_id}", json={"category": "home", "project_id": work})
    assert (await task_row(alice, task_id))["project_id"] == work
    await alice.put(f"/api/todos/{task_id}", json={"category": "Nowhere", "title": "t3"})
    assert (await task_row(alice, task_id))["project_id"] == work


async def test_put_errors(alice: TestClient, revision: str) -> None:
    missing = await alice.put("/api/todos/99", json={"title": "x"})
    assert (missing.status, await missing.json()) == (404, NOT_FOUND[revision])
    bad = await alice.put("/api/todos/abc", json={"title": "x"})
    assert (bad.status, await bad.json()) == (400, BAD_ID[revision])
    task_id = await create_task(alice, title="t")
    constraint = 'new row for relation "todos" violates check constraint "todos_status_check"'
    await expect_500(
        await alice.put(f"/api/todos/{task_id}", json={"status": "done"}), revision, constraint
    )


@pytest.mark.parametrize(
    ("revision", "body"), [("dec", {"success": True}), ("jan", {"updated": True})]
)
async def test_the_legacy_put(alice: TestClient, body: Any) -> None:
    task_id = await create_task(alice, title="t")
    response = await alice.put("/api/todos", json={"id": task_id, "title": "legacy"})
    assert (response.status, await response.json()) == (200, body)
    assert (await task_row(alice, task_id))["title"] == "legacy"


@pytest.mark.parametrize(("revision", "status"), [("dec", 200), ("jan", 404)])
async def test_the_legacy_put_on_a_missing_task(alice: TestClient, status: int) -> None:
    response = await alice.put("/api/todos", json={"id": 99, "title": "x"})
    assert response.status == status


@pytest.mark.parametrize(("revision", "status"), [("dec", 200), ("jan", 400)])
async def test_the_legacy_put_without_an_id(alice: TestClient, status: int) -> None:
    response = await alice.put("/api/todos", json={"title": "x"})
    assert response.status == status


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_legacy_put_refuses_category(alice: TestClient) -> None:
    task_id = await create_task(alice, title="t")
    await expect_500(
        await alice.put("/api/todos", json={"id": task_id, "category": "x"}), "dec", ""
    )

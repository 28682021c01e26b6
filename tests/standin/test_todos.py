"""Tasks: create, read, complete, delete (taskmanager-api §4.2, §5.1)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import Standin
from tests.standin.todo_helpers import (
    BAD_ID,
    ISO_MS,
    NOT_FOUND,
    PRIORITY_CHECK,
    PROJECT_FKEY,
    create_project,
    create_task,
    expect_500,
    listed,
    task_row,
)


@pytest.mark.parametrize(
    ("revision", "body"),
    [
        ("dec", {"id": 1, "title": "Buy milk", "status": "created"}),
        ("jan", {"data": {"id": 1, "title": "Buy milk"}}),
    ],
)
async def test_create_answers_the_revision_envelope(alice: TestClient, body: Any) -> None:
    response = await alice.post("/api/todos", json={"title": "Buy milk"})
    assert (response.status, await response.json()) == (201, body)


async def test_the_row_shape(standin: Standin, alice: TestClient) -> None:
    """§4.2 row shape: every column and the project join, in order."""
    home = await create_project(alice, "Home", color="#ff0000")
    task_id = await create_task(
        alice,
        title="Buy milk",
        description="desc",
        category="home",
        priority="high",
        estimated_hours=2.5,
        due_date="2026-12-31",
        tags=["errand", "x"],
        status="completed",
        time_horizon="today",
    )
    row = await task_row(alice, task_id)
    stamp = row["created_at"]
    assert ISO_MS.match(stamp)
    assert stamp.startswith(standin.clock.now.date().isoformat())
    assert row == {
        "id": task_id,
        "project_id": home,
        "title": "Buy milk",
        "description": "desc",
        "priority": "high",
        "estimated_hours": "2.50",
        "actual_hours": None,
        "status": "pending",
        "due_date": "2026-12-31T00:00:00.000Z",
        "completed_date": None,
        "tags": ["errand", "x"],
        "context": None,
        "created_at": stamp,
        "updated_at": stamp,
        "user_id": 1,
        "time_horizon": None,
        "project_name": "Home",
        "project_color": "#ff0000",
    }


async def test_the_list_shape_and_defaults(standin: Standin, alice: TestClient) -> None:
    """§4.2 list shape: dates only, "" description, category = project name."""
    await create_task(alice, title="Minimal todo")
    [task] = await listed(alice)
    today = standin.clock.now.date().isoformat()
    assert task == {
        "id": 1,
        "title": "Minimal todo",
        "description": "",
        "due_date": None,
        "status": "pending",
        "category": None,
        "project_name": None,
        "project_color": None,
        "priority": None,
        "tags": [],
        "created_at": today,
        "updated_at": today,
    }
    row = await task_row(alice, 1)
    assert (row["description"], row["priority"], row["tags"]) == (None, None, [])


@pytest.mark.parametrize(
    ("value", "stored"),
    [("2026-12-24T23:30:00-05:00", "2026-12-24"), ("2026-02-01T01:00:00Z", "2026-02-01")],
)
async def test_due_dates_keep_only_the_calendar_date(
    alice: TestClient, value: str, stored: str
) -> None:
    task_id = await create_task(alice, title="t", due_date=value)
    assert (await listed(alice))[0]["due_date"] == stored
    assert (await task_row(alice, task_id))["due_date"] == f"{stored}T00:00:00.000Z"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"priority": "nope"}, PRIORITY_CHECK),
        ({"estimated_hours": "abc"}, 'invalid input syntax for type numeric: "abc"'),
        ({"due_date": "tomorrow"}, 'invalid input syntax for type date: "tomorrow"'),
        ({"due_date": "2026-02-30"}, 'invalid input syntax for type date: "2026-02-30"'),
        ({"project_id": 999}, PROJECT_FKEY),
        ({"context": "c" * 51}, "value too long for type character varying(50)"),
    ],
)  # fmt: skip
async def test_values_the_database_refuses_are_500(
    alice: TestClient, revision: str, body: dict[str, Any], message: str
) -> None:
    response = await alice.post("/api/todos", json={"title": "t"} | body)
    await expect_500(response, revision, message)
    assert await listed(alice) == []


async def test_numeric_strings_are_hours(alice: TestClient) -> None:
    task_id = await create_task(alice, title="t", estimated_hours="4")
    assert (await task_row(alice, task_id))["estimated_hours"] == "4.00"


@pytest.mark.parametrize(
    ("revision", "body", "status"),
    [("dec", {}, 500), ("dec", {"title": ""}, 201), ("jan", {}, 400), ("jan", {"title": ""}, 400)],
)
async def test_missing_and_empty_titles(alice: TestClient, body: Any, status: int) -> None:
    response = await alice.post("/api/todos", json=body)
    assert response.status == status
    if status == 400:
        assert await response.json() == {
            "error": {
                "code": "VALIDATION_002",
                "message": "Title is required",
                "details": {"field": "Title"},
            }
        }


async def test_a_non_json_body_is_500(alice: TestClient, revision: str) -> None:
    response = await alice.post("/api/todos", data="title=x")
    await expect_500(response, revision, "Unexpected token 't', \"title=x\" is not valid JSON")


async def test_category_lookup_is_case_insensitive_and_silent_on_a_miss(alice: TestClient) -> None:
    home = await create_project(alice, "Home")
    work = await create_project(alice, "Work")
    by_name = await create_task(alice, title="a", category="HOME")
    missing = await create_task(alice, title="b", category="Nowhere")
    both = await create_task(alice, title="c", category="Home", project_id=work)
    assert (await task_row(alice, by_name))["project_id"] == home
    assert (await task_row(alice, missing))["project_id"] is None
    assert (await task_row(alice, both))["project_id"] == work


async def test_get_errors_per_revision(alice: TestClient, revision: str) -> None:
    missing = await alice.get("/api/todos/99")
    assert (missing.status, await missing.json()) == (404, NOT_FOUND[revision])
    bad = await alice.get("/api/todos/abc")
    assert (bad.status, await bad.json()) == (400, BAD_ID[revision])


# -- complete and delete (§4.2) ---------------------------------------------------------


async def test_complete_sets_status_and_completed_date_and_ignores_the_body(
    standin: Standin, alice: TestClient
) -> None:
    task_id = await create_task(alice, title="t")
    await alice.put(f"/api/todos/{task_id}", json={"status": "cancelled"})
    standin.clock.advance(minutes=1)
    response = await alice.post(f"/api/todos/{task_id}/complete", json={"actual_hours": 3})
    assert (response.status, await response.json()) == (200, {"success": True})
    row = await task_row(alice, task_id)
    assert (row["status"], row["actual_hours"]) == ("completed", None)
    assert row["completed_date"] == row["updated_at"] != row["created_at"]
    standin.clock.advance(minutes=1)
    await alice.post(f"/api/todos/{task_id}/complete")
    assert (await task_row(alice, task_id))["completed_date"] > row["completed_date"]


async def test_complete_always_answers_200(alice: TestClient) -> None:
    response = await alice.post("/api/todos/424242/complete")
    assert (response.status, await response.json()) == (200, {"success": True})


async def test_complete_with_a_non_integer_id_is_an_empty_500(alice: TestClient) -> None:
    response = await alice.post("/api/todos/abc/complete")
    assert (response.status, await response.read()) == (500, b"")
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize(
    ("revision", "body"), [("dec", {"success": True}), ("jan", {"deleted": True})]
)
async def test_delete_is_hard(alice: TestClient, revision: str, body: Any) -> None:
    task_id = await create_task(alice, title="t")
    response = await alice.delete(f"/api/todos/{task_id}")
    assert (response.status, await response.json()) == (200, body)
    again = await alice.delete(f"/api/todos/{task_id}")
    assert (again.status, await again.json()) == (404, NOT_FOUND[revision])
    assert (await alice.delete("/api/todos/abc")).status == 400
    assert await listed(alice) == []


async def test_numbers_outside_the_column_are_500(alice: TestClient, revision: str) -> None:
    response = await alice.post("/api/todos", json={"title": "t", "estimated_hours": 1e12})
    await expect_500(response, revision, "numeric field overflow")
    task_id = await create_task(alice, title="t", estimated_hours=0.005)
    assert (await task_row(alice, task_id))["estimated_hours"] == "0.01"
    project_id = await create_project(alice, "Home")
    whole = await create_task(alice, title="u", project_id=float(project_id))
    assert (await task_row(alice, whole))["project_id"] == project_id

"""Task tools against the stand-in, on both revisions: create, get, update, complete,
reopen, delete; each validation error; "not found" (issue #6, mcp-protocol §6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.tools.support import Agent, Upstream

JAN_ONLY = pytest.mark.parametrize("revision", ["jan"])


async def _project(agent: Agent, name: str) -> int:
    return (await agent.taskmanager.create_project(name)).id


async def _task(agent: Agent, title: str = "Buy milk", **fields: Any) -> int:
    return (await agent.ok("create_task", title=title, **fields))["task"]["id"]


async def test_create_task_returns_the_stored_task(alice: Agent, upstream: Upstream) -> None:
    home = await _project(alice, f"Home {upstream.revision}")
    task = (
        await alice.ok(
            "create_task",
            title="Buy milk",
            project_id=f"project_{home}",
            description="2 litres",
            priority="high",
            due_date="2026-12-31",
            tags=["errand", "shop", "errand"],
        )
    )["task"]
    assert task["title"] == "Buy milk"
    assert task["description"] == "2 litres"
    assert (task["status"], task["priority"], task["due_date"]) == ("pending", "high", "2026-12-31")
    assert (task["project_id"], task["project"]) == (home, f"Home {upstream.revision}")
    assert task["tags"] == ["errand", "shop"]
    assert task["completed_at"] is None
    assert task["created_at"].endswith("Z")


async def test_create_task_with_only_a_title_leaves_the_rest_empty(alice: Agent) -> None:
    task = (await alice.ok("create_task", title="Minimal", priority=None, due_date=None))["task"]
    assert task["priority"] is None
    assert task["due_date"] is None
    assert task["project"] is None
    assert task["tags"] == []
    assert task["description"] is None


@pytest.mark.parametrize(("word", "days"), [("today", 0), ("tomorrow", 1), ("Tomorrow", 1)])
async def test_relative_due_dates_are_utc_calendar_days(
    alice: Agent, upstream: Upstream, word: str, days: int
) -> None:
    task = (await alice.ok("create_task", title="Relative", due_date=word))["task"]
    assert task["due_date"] == (upstream.clock().date() + timedelta(days=days)).isoformat()


@JAN_ONLY
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "Missing required argument 'title'."),
        ({"title": "   "}, "title must not be blank."),
        ({"title": "x" * 501}, "title must be at most 500 characters long."),
        ({"title": 5}, "title must be a string."),
        (
            {"title": "t", "priority": "highest"},
            "priority must be one of 'low', 'medium', 'high' or 'urgent'.",
        ),
        (
            {"title": "t", "due_date": "31/12/2026"},
            "due_date must be a date as YYYY-MM-DD, 'today' or 'tomorrow'.",
        ),
        (
            {"title": "t", "due_date": "2026-02-30"},
            "due_date must be a date as YYYY-MM-DD, 'today' or 'tomorrow'.",
        ),
        (
            {"title": "t", "due_date": "2026-W01-1"},
            "due_date must be a date as YYYY-MM-DD, 'today' or 'tomorrow'.",
        ),
        ({"title": "t", "tags": "a,b"}, "tags must be a list."),
        ({"title": "t", "tags": ["ok", ""]}, "tags[1] must not be empty."),
        ({"title": "t", "tags": [str(n) for n in range(21)]}, "tags must have at most 20 items."),
        (
            {"title": "t", "project_id": "home"},
            "project_id must be a project id such as 42 or 'project_42'.",
        ),
        (
            {"title": "t", "project_id": True},
            "project_id must be a project id such as 42 or 'project_42'.",
        ),
        (
            {"title": "t", "status": "done"},
            "Unknown argument 'status'. Accepted arguments: title, project_id, description, "
            "priority, due_date, tags.",
        ),
    ],
)
async def test_create_task_argument_errors_are_one_sentence(
    alice: Agent, arguments: dict[str, Any], message: str
) -> None:
    result = await alice.call("create_task", arguments)
    assert result.is_error
    assert result.text == message
    assert await alice.taskmanager.list_tasks() == []


async def test_create_task_in_a_missing_project_is_not_found(alice: Agent) -> None:
    assert await alice.error("create_task", title="t", project_id=999) == (
        "Project 999 was not found."
    )
    assert await alice.taskmanager.list_tasks() == []


async def test_get_task_returns_every_field_and_accepts_both_id_forms(alice: Agent) -> None:
    description = "word " * 100
    task_id = await _task(alice, description=description)
    by_number = await alice.ok("get_task", task_id=task_id)
    by_name = await alice.ok("get_task", task_id=f"task_{task_id}")
    assert by_number == by_name
    assert by_number["task"]["description"] == description  # never shortened here
    assert set(by_number["task"]) >= {"estimated_hours", "context", "updated_at"}


@pytest.mark.parametrize("task_id", [999, "task_999", "999"])
async def test_get_task_for_a_missing_task_is_not_found(alice: Agent, task_id: object) -> None:
    assert await alice.error("get_task", task_id=task_id) == "Task 999 was not found."


@JAN_ONLY
@pytest.mark.parametrize("task_id", ["abc", "task_", 0, -3, 2**31, 1.5, None])
async def test_get_task_with_a_bad_id_is_an_argument_error(alice: Agent, task_id: object) -> None:
    assert await alice.error("get_task", task_id=task_id) == (
        "task_id must be a task id such as 42 or 'task_42'."
    )


async def test_update_task_changes_only_the_given_fields(alice: Agent) -> None:
    task_id = await _task(
        alice, description="keep me", priority="low", due_date="2026-12-31", tags=["a"]
    )
    task = (await alice.ok("update_task", task_id=task_id, title="Buy oat milk"))["task"]
    assert task["title"] == "Buy oat milk"
    assert (task["description"], task["priority"], task["due_date"], task["tags"]) == (
        "keep me",
        "low",
        "2026-12-31",
        ["a"],
    )


async def test_update_task_null_clears_and_empty_tags_remove_all(
    alice: Agent, upstream: Upstream
) -> None:
    home = await _project(alice, f"Clear {upstream.revision}")
    task_id = await _task(
        alice, project_id=home, description="d", priority="low", due_date="2026-12-31", tags=["a"]
    )
    changes = {"due_date": None, "priority": None, "description": None, "project_id": None}
    task = (await alice.ok("update_task", task_id=task_id, tags=[], **changes))["task"]
    assert task["due_date"] is None
    assert task["priority"] is None
    assert task["description"] is None
    assert task["project_id"] is None
    assert task["project"] is None
    assert task["tags"] == []


async def test_update_task_sets_tags_project_and_status(alice: Agent, upstream: Upstream) -> None:
    work = await _project(alice, f"Work {upstream.revision}")
    task_id = await _task(alice)
    task = (
        await alice.ok(
            "update_task",
            task_id=f"task_{task_id}",
            tags=["x", "y"],
            project_id=work,
            status="in_progress",
            due_date="tomorrow",
        )
    )["task"]
    assert task["tags"] == ["x", "y"]
    assert task["project_id"] == work
    assert task["status"] == "in_progress"
    assert task["due_date"] == (upstream.clock().date() + timedelta(days=1)).isoformat()


async def test_update_task_to_completed_records_the_completion(alice: Agent) -> None:
    task_id = await _task(alice)
    task = (await alice.ok("update_task", task_id=task_id, status="completed", priority="high"))[
        "task"
    ]
    assert task["status"] == "completed"
    assert task["priority"] == "high"
    assert task["completed_at"] is not None


@JAN_ONLY
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "Nothing to change: give at least one of title, description, priority, due_date, "
             "project_id, tags, status."),
        ({"title": None}, "title cannot be null."),
        ({"status": None}, "status cannot be null."),
        ({"status": "done"},
         "status must be one of 'pending', 'in_progress', 'completed' or 'cancelled'."),
        ({"due_date": "someday"}, "due_date must be a date as YYYY-MM-DD, 'today' or 'tomorrow'."),
        ({"project_id": 999}, "Project 999 was not found."),
    ],
)  # fmt: skip
async def test_update_task_refusals(alice: Agent, arguments: dict[str, Any], message: str) -> None:
    task_id = await _task(alice, title="Unchanged")
    assert await alice.error("update_task", task_id=task_id, **arguments) == message
    assert (await alice.taskmanager.get_task(task_id)).title == "Unchanged"


async def test_update_task_for_a_missing_task_is_not_found(alice: Agent) -> None:
    assert await alice.error("update_task", task_id=404, title="x") == "Task 404 was not found."


async def test_update_task_without_a_task_id_is_an_argument_error(alice: Agent) -> None:
    assert await alice.error("update_task", title="x") == "Missing required argument 'task_id'."


async def test_complete_and_reopen_round_trip(alice: Agent) -> None:
    task_id = await _task(alice)
    done = (await alice.ok("complete_task", task_id=task_id))["task"]
    assert done["status"] == "completed"
    assert done["completed_at"] is not None
    again = (await alice.ok("complete_task", task_id=f"task_{task_id}"))["task"]
    assert again["status"] == "completed"
    reopened = (await alice.ok("reopen_task", task_id=task_id))["task"]
    assert reopened["status"] == "pending"
    assert reopened["completed_at"] is None


@pytest.mark.parametrize("tool", ["complete_task", "reopen_task", "delete_task"])
async def test_status_tools_on_a_missing_task_are_not_found(alice: Agent, tool: str) -> None:
    assert await alice.error(tool, task_id="task_77") == "Task 77 was not found."


async def test_delete_task_removes_it_and_names_it(alice: Agent) -> None:
    task_id = await _task(alice, title="Old")
    assert await alice.ok("delete_task", task_id=task_id) == {
        "deleted": True,
        "id": task_id,
        "title": "Old",
    }
    assert await alice.error("get_task", task_id=task_id) == f"Task {task_id} was not found."
    assert await alice.error("delete_task", task_id=task_id) == f"Task {task_id} was not found."

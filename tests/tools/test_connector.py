"""``search`` and ``fetch`` in the ChatGPT connector / deep research shape
(clients-in-the-wild §7): ids ``task_<n>``/``project_<n>``, ``taskmanager://`` urls."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.support import Agent, Upstream

JAN_ONLY = pytest.mark.parametrize("revision", ["jan"])


async def test_search_returns_projects_then_tasks_as_id_title_url(
    alice: Agent, upstream: Upstream
) -> None:
    project = await alice.taskmanager.create_project(
        f"Garden plans {upstream.revision}", description="roses"
    )
    task = await alice.taskmanager.create_task("Plant roses", project_id=project.id)
    await alice.taskmanager.create_task("Buy milk")
    result = await alice.ok("search", query="Roses")
    assert result == {
        "results": [
            {
                "id": f"project_{project.id}",
                "title": project.name,
                "url": f"taskmanager://projects/{project.id}",
            },
            {
                "id": f"task_{task.id}",
                "title": "Plant roses",
                "url": f"taskmanager://tasks/{task.id}",
            },
        ]
    }


async def test_search_with_no_match_is_an_empty_list(alice: Agent) -> None:
    assert await alice.ok("search", query="nothing here") == {"results": []}


async def test_search_results_are_bounded(alice: Agent) -> None:
    for n in range(27):
        await alice.taskmanager.create_task(f"report {n}")
    assert len((await alice.ok("search", query="report"))["results"]) == 25


@JAN_ONLY
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "Missing required argument 'query'."),
        ({"query": " "}, "query must contain at least one word."),
        ({"query": "x", "limit": 3}, "Unknown argument 'limit'. Accepted arguments: query."),
    ],
)
async def test_search_argument_errors(
    alice: Agent, arguments: dict[str, Any], message: str
) -> None:
    assert await alice.error("search", **arguments) == message


async def test_fetch_a_task_gives_its_text_and_metadata(alice: Agent, upstream: Upstream) -> None:
    project = await alice.taskmanager.create_project(f"Home {upstream.revision}")
    task = await alice.taskmanager.create_task(
        "Buy milk",
        description="Two litres, oat.",
        project_id=project.id,
        priority="high",
        tags=["errand"],
    )
    for id_ in (f"task_{task.id}", str(task.id), task.id):
        result = await alice.ok("fetch", id=id_)
        assert result["id"] == f"task_{task.id}"
        assert result["url"] == f"taskmanager://tasks/{task.id}"
        assert result["title"] == "Buy milk"
        assert result["text"].splitlines() == [
            "Buy milk",
            "Status: pending",
            "Priority: high",
            f"Project: {project.name}",
            "Tags: errand",
            "",
            "Two litres, oat.",
        ]
        assert result["metadata"]["type"] == "task"
        assert result["metadata"]["project"] == project.name


async def test_fetch_a_project_lists_its_tasks(alice: Agent, upstream: Upstream) -> None:
    project = await alice.taskmanager.create_project(
        f"Move {upstream.revision}", description="New flat"
    )
    boxes = await alice.taskmanager.create_task("Pack boxes", project_id=project.id)
    await alice.taskmanager.create_task("Unrelated")
    result = await alice.ok("fetch", id=f"project_{project.id}")
    assert result["title"] == project.name
    assert result["url"] == f"taskmanager://projects/{project.id}"
    assert result["metadata"] == {"type": "project", "color": "#3b82f6", "task_count": "1"}
    assert result["text"].splitlines() == [
        project.name,
        "Description: New flat",
        "",
        "Tasks (1):",
        f"- Pack boxes (task_{boxes.id}, pending)",
    ]


@pytest.mark.parametrize(
    ("id_", "message"),
    [
        ("task_404", "Task 404 was not found."),
        ("project_404", "Project 404 was not found."),
    ],
)
async def test_fetch_of_a_missing_object_is_not_found(alice: Agent, id_: str, message: str) -> None:
    assert await alice.error("fetch", id=id_) == message


@JAN_ONLY
@pytest.mark.parametrize("id_", ["user_1", "project_x", "", None, True])
async def test_fetch_of_an_unknown_id_form_is_an_argument_error(alice: Agent, id_: object) -> None:
    assert await alice.error("fetch", id=id_) == (
        "id must be an id from search such as task_42 or project_7."
    )

"""``GET /api/tasks/search`` (taskmanager-api §4.4) and the stemmer behind it."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from taskmcp.standin.search import stem
from tests.standin.todo_helpers import create_project, create_task


async def _search(client: TestClient, query: str) -> tuple[int, Any]:
    response = await client.get(f"/api/tasks/search{query}")
    return response.status, await response.json()


async def _ids(client: TestClient, query: str) -> list[str]:
    status, body = await _search(client, query)
    assert status == 200
    assert isinstance(body, dict)
    assert body["count"] == len(body["tasks"])
    return [task["id"] for task in body["tasks"]]


async def test_the_search_shape(alice: TestClient) -> None:
    await create_project(alice, "Home", color="#00ff00")
    await create_task(alice, title="Minimal todo", category="Home", tags=["t"])
    status, body = await _search(alice, "?query=minimal")
    assert status == 200
    assert body == {
        "tasks": [
            {
                "id": "task_1",
                "title": "Minimal todo",
                "description": "",
                "due_date": None,
                "status": "pending",
                "category": "Home",
                "priority": None,
                "tags": ["t"],
                "created_at": body["tasks"][0]["created_at"],
                "updated_at": body["tasks"][0]["updated_at"],
            }
        ],
        "count": 1,
    }


@pytest.mark.parametrize("query", ["", "?query=", "?q=milk", "?category=Home"])
async def test_a_missing_query_is_the_flat_400_on_both_revisions(
    alice: TestClient, query: str
) -> None:
    assert await _search(alice, query) == (400, {"error": "Query parameter is required"})


async def test_matching_is_whole_words_case_insensitive_with_stemming(alice: TestClient) -> None:
    await create_task(alice, title="Alpha word", description="Running NOTES")
    await create_task(alice, title="Other", description="words about boxes", tags=["alpha"])
    assert await _ids(alice, "?query=ALPHA") == ["task_1"]
    assert await _ids(alice, "?query=alph") == []
    assert await _ids(alice, "?query=words") == ["task_1", "task_2"]
    assert await _ids(alice, "?query=run%20note") == ["task_1"]
    assert await _ids(alice, "?query=box") == ["task_2"]
    assert await _ids(alice, "?query=alpha%20boxes") == []
    assert await _ids(alice, "?query=nothing") == []


async def test_search_covers_every_status_filters_by_category_and_keeps_list_order(
    alice: TestClient,
) -> None:
    await create_project(alice, "Home")
    first = await create_task(alice, title="report low", priority="low")
    await create_task(alice, title="report urgent", priority="urgent", category="Home")
    await alice.post(f"/api/todos/{first}/complete")
    assert await _ids(alice, "?query=report") == ["task_2", "task_1"]
    assert await _ids(alice, "?query=report&category=Home") == ["task_2"]
    assert await _ids(alice, "?query=report&category=home") == []


async def test_search_sees_only_the_callers_tasks(alice: TestClient, bob: TestClient) -> None:
    await create_task(alice, title="secret plan")
    assert await _search(bob, "?query=secret") == (200, {"tasks": [], "count": 0})


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("word", "words"), True),
        (("note", "notes", "noted", "noting"), True),
        (("run", "running"), True),
        (("box", "boxes"), True),
        (("task", "tasks"), True),
        (("class", "classes"), True),
        (("alpha", "alph"), False),
        (("bus", "bu"), False),
    ],
)
def test_the_stemmer(words: tuple[str, ...], same: bool) -> None:
    assert (len({stem(word) for word in words}) == 1) is same

"""``GET /api/todos`` filters and ordering (taskmanager-api §4.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import Standin
from tests.standin.todo_helpers import (
    create_project,
    create_task,
    expect_500,
    listed,
    titles,
)


async def _filter_fixture(standin: Standin, alice: TestClient) -> dict[str, int]:
    today = standin.clock.now.date()
    home = await create_project(alice, "Home")
    work = await create_project(alice, "Work")
    ids = {
        "undated": await create_task(alice, title="undated", project_id=home),
        "past": await create_task(
            alice, title="past", due_date=(today - timedelta(days=1)).isoformat(), project_id=work
        ),
        "today": await create_task(alice, title="today", due_date=today.isoformat()),
        "future": await create_task(
            alice, title="future", due_date=(today + timedelta(days=3)).isoformat()
        ),
        "late_wip": await create_task(
            alice, title="late_wip", due_date=(today - timedelta(days=2)).isoformat()
        ),
    }
    await alice.put(f"/api/todos/{ids['late_wip']}", json={"status": "in_progress"})
    await alice.post(f"/api/todos/{ids['future']}/complete")
    return ids | {"home": home, "work": work}


async def test_status_filters(standin: Standin, alice: TestClient) -> None:
    await _filter_fixture(standin, alice)
    everything = ["undated", "past", "today", "future", "late_wip"]
    assert await titles(alice) == everything
    assert await titles(alice, "?status=all") == everything
    assert await titles(alice, "?status=") == everything
    assert await titles(alice, "?status=pending") == ["undated", "past", "today"]
    assert await titles(alice, "?status=completed") == ["future"]
    assert await titles(alice, "?status=in_progress") == ["late_wip"]
    assert await titles(alice, "?status=overdue") == ["past"]
    assert await titles(alice, "?status=done") == []


async def test_project_and_category_filters(standin: Standin, alice: TestClient) -> None:
    ids = await _filter_fixture(standin, alice)
    assert await titles(alice, f"?project_id={ids['home']}") == ["undated"]
    assert await titles(alice, f"?project_id={ids['home']}&category=Work") == ["undated"]
    assert await titles(alice, "?category=Work") == ["past"]
    assert await titles(alice, "?category=work") == []
    assert await titles(alice, "?project_id=999") == []


async def test_date_bounds_are_inclusive_and_drop_undated_tasks(
    standin: Standin, alice: TestClient
) -> None:
    await _filter_fixture(standin, alice)
    today = standin.clock.now.date()
    assert await titles(alice, f"?start_date={today}") == ["today", "future"]
    assert await titles(alice, f"?end_date={today}") == ["past", "today", "late_wip"]
    assert await titles(alice, f"?start_date={today}&end_date={today}") == ["today"]


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5"])
async def test_a_bad_limit_is_ignored(standin: Standin, alice: TestClient, limit: str) -> None:
    await _filter_fixture(standin, alice)
    assert len(await titles(alice, f"?limit={limit}")) == 5
    assert await titles(alice, "?limit=2") == ["undated", "past"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?project_id=abc", 'invalid input syntax for type integer: "abc"'),
        ("?start_date=soon", 'invalid input syntax for type date: "soon"'),
        ("?end_date=2026-13-01", 'invalid input syntax for type date: "2026-13-01"'),
    ],
)
async def test_bad_filter_values_are_500(
    alice: TestClient, revision: str, query: str, message: str
) -> None:
    await expect_500(await alice.get(f"/api/todos{query}"), revision, message)


async def test_ordering_is_priority_as_a_string_with_null_first(
    standin: Standin, alice: TestClient
) -> None:
    """§4.2: null, urgent, medium, low, high; then created_at ascending."""
    for priority in ["high", "low", None, "urgent", "medium", None]:
        body = {"title": f"{priority}-{standin.clock.now.microsecond}"}
        await create_task(alice, **body, **({"priority": priority} if priority else {}))
        standin.clock.advance(milliseconds=5)
    priorities = [task["priority"] for task in await listed(alice)]
    assert priorities == [None, None, "urgent", "medium", "low", "high"]
    nulls = [task["id"] for task in await listed(alice)][:2]
    assert nulls == [3, 6]

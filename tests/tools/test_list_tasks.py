"""``list_tasks``, ``search_tasks`` and ``get_all_tasks``: cursor pagination across pages,
every filter, ordering and result bounds (issue #6; clients-in-the-wild §5 on result
sizes; taskmanager-api §4.2, §4.4)."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from itertools import chain
from typing import Any

import pytest

from taskmcp.tools.pagination import INVALID_CURSOR
from tests.tools.support import Agent, Upstream

JAN_ONLY = pytest.mark.parametrize("revision", ["jan"])


async def _tasks(agent: Agent, count: int, **fields: Any) -> list[int]:
    return [
        (await agent.taskmanager.create_task(f"Task {n:03d}", **fields)).id for n in range(count)
    ]


async def _all_pages(agent: Agent, **arguments: Any) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        page = await agent.ok("list_tasks", **arguments, **extra)
        pages.append([task["id"] for task in page["tasks"]])
        assert page["count"] == len(page["tasks"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


async def test_thirty_tasks_come_in_pages_of_twenty_five(alice: Agent) -> None:
    created = await _tasks(alice, 30)
    first = await alice.ok("list_tasks")
    assert (first["count"], first["total"]) == (25, 30)
    assert isinstance(first["next_cursor"], str)
    pages = await _all_pages(alice)
    assert [len(page) for page in pages] == [25, 5]
    assert sorted(chain.from_iterable(pages)) == sorted(created)


async def test_a_smaller_limit_gives_more_pages_without_gaps_or_repeats(alice: Agent) -> None:
    created = await _tasks(alice, 26)
    pages = await _all_pages(alice, limit=10)
    assert [len(page) for page in pages] == [10, 10, 6]
    assert sorted(chain.from_iterable(pages)) == sorted(created)


@JAN_ONLY
async def test_the_cursor_survives_a_deletion_on_an_earlier_page(alice: Agent) -> None:
    """Keyset, not offset: deleting a task already shown does not skip the next one."""
    created = await _tasks(alice, 6)
    first = await alice.ok("list_tasks", limit=3)
    await alice.ok("delete_task", task_id=first["tasks"][0]["id"])
    second = await alice.ok("list_tasks", limit=3, cursor=first["next_cursor"])
    shown = [task["id"] for task in first["tasks"] + second["tasks"]]
    assert sorted(shown) == sorted(created)
    assert second["next_cursor"] is None


@JAN_ONLY
async def test_a_cursor_for_other_filters_or_a_garbled_one_is_refused(alice: Agent) -> None:
    await _tasks(alice, 3, priority="high")
    cursor = (await alice.ok("list_tasks", limit=1))["next_cursor"]
    assert await alice.error("list_tasks", limit=1, priority="high", cursor=cursor) == (
        INVALID_CURSOR
    )
    forged = base64.urlsafe_b64encode(json.dumps({"v": 1, "f": "x", "k": []}).encode()).decode()
    for bad in ["garbage!", "e30", forged, cursor[:-3]]:
        assert await alice.error("list_tasks", limit=1, cursor=bad) == INVALID_CURSOR
    # a different page size keeps the cursor valid
    assert (await alice.ok("list_tasks", limit=2, cursor=cursor))["count"] == 2


@JAN_ONLY
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"limit": 0}, "limit must be at least 1."),
        ({"limit": 101}, "limit must be at most 100."),
        ({"limit": True}, "limit must be an integer."),
        ({"limit": "ten"}, "limit must be an integer."),
        ({"cursor": ""}, "cursor must not be empty."),
        ({"status": "done"}, "status must be one of 'pending', 'in_progress', 'completed', "
                             "'cancelled', 'overdue' or 'all'."),
        ({"priority": "p1"}, "priority must be one of 'low', 'medium', 'high' or 'urgent'."),
        ({"due_before": "friday"}, "due_before must be a date as YYYY-MM-DD, 'today' or "
                                   "'tomorrow'."),
        ({"due_after": "2026-12-31", "due_before": "2026-12-01"},
         "The due_after date is later than due_before, so no task could match."),
        ({"project": "A", "project_id": 1}, "Give either project_id or project, not both."),
        ({"project": "Nowhere"}, "Project 'Nowhere' was not found."),
        ({"project_id": 999}, "Project 999 was not found."),
        ({"tag": ""}, "tag must not be empty."),
    ],
)  # fmt: skip
async def test_list_tasks_argument_errors(
    alice: Agent, arguments: dict[str, Any], message: str
) -> None:
    assert await alice.error("list_tasks", **arguments) == message


async def test_list_tasks_orders_by_due_date_then_priority_then_id(alice: Agent) -> None:
    tm = alice.taskmanager
    undated = (await tm.create_task("undated", priority="urgent")).id
    late_low = (await tm.create_task("late low", priority="low", due_date=date(2027, 1, 2))).id
    late_high = (await tm.create_task("late high", priority="high", due_date=date(2027, 1, 2))).id
    late_none = (await tm.create_task("late none", due_date=date(2027, 1, 2))).id
    early = (await tm.create_task("early", due_date=date(2026, 12, 1))).id
    tasks = (await alice.ok("list_tasks"))["tasks"]
    assert [task["id"] for task in tasks] == [early, late_high, late_low, late_none, undated]


async def test_list_tasks_filters_by_status(alice: Agent, upstream: Upstream) -> None:
    yesterday = upstream.clock().date() - timedelta(days=1)
    tm = alice.taskmanager
    overdue = (await tm.create_task("late", due_date=yesterday)).id
    due_today = (await tm.create_task("today", due_date=upstream.clock().date())).id
    done = (await tm.complete_task((await tm.create_task("done", due_date=yesterday)).id)).id
    busy = (await tm.update_task((await tm.create_task("busy")).id, {"status": "in_progress"})).id

    async def ids(status: str) -> set[int]:
        return {task["id"] for task in (await alice.ok("list_tasks", status=status))["tasks"]}

    assert await ids("pending") == {overdue, due_today}
    assert await ids("completed") == {done}
    assert await ids("in_progress") == {busy}
    assert await ids("overdue") == {overdue}
    assert await ids("cancelled") == set()
    assert await ids("all") == {overdue, due_today, done, busy}
    listed = await alice.ok("list_tasks")
    assert {task["id"] for task in listed["tasks"]} == await ids("all")


async def test_list_tasks_filters_by_project_id_or_name(alice: Agent, upstream: Upstream) -> None:
    name = f"Garden {upstream.revision}"
    garden = (await alice.taskmanager.create_project(name)).id
    inside = (await alice.taskmanager.create_task("weed", project_id=garden)).id
    await alice.taskmanager.create_task("elsewhere")
    for arguments in ({"project_id": garden}, {"project_id": f"project_{garden}"},
                      {"project": name}, {"project": name.upper()}):  # fmt: skip
        tasks = (await alice.ok("list_tasks", **arguments))["tasks"]
        assert [(task["id"], task["project"]) for task in tasks] == [(inside, name)]


async def test_list_tasks_filters_by_priority_and_tag_in_process(alice: Agent) -> None:
    tm = alice.taskmanager
    both = (await tm.create_task("both", priority="high", tags=["Home", "x"])).id
    await tm.create_task("wrong tag", priority="high", tags=["work"])
    await tm.create_task("wrong priority", priority="low", tags=["home"])
    tasks = (await alice.ok("list_tasks", priority="high", tag="home"))["tasks"]
    assert [task["id"] for task in tasks] == [both]
    page = await alice.ok("list_tasks", tag="HOME")
    assert page["total"] == 2


async def test_due_bounds_are_inclusive_and_drop_undated_tasks(alice: Agent) -> None:
    tm = alice.taskmanager
    ids = {
        day: (await tm.create_task(f"due {day}", due_date=date(2026, 12, day))).id
        for day in (1, 10, 20)
    }
    await tm.create_task("undated")

    async def listed(**bounds: str) -> list[int]:
        return [task["id"] for task in (await alice.ok("list_tasks", **bounds))["tasks"]]

    assert await listed(due_after="2026-12-10") == [ids[10], ids[20]]
    assert await listed(due_before="2026-12-10") == [ids[1], ids[10]]
    assert await listed(due_after="2026-12-02", due_before="2026-12-19") == [ids[10]]


async def test_list_records_are_compact_with_a_short_description(alice: Agent) -> None:
    await alice.taskmanager.create_task("long", description="x" * 5000)
    [task] = (await alice.ok("list_tasks"))["tasks"]
    assert set(task) == {
        "id", "title", "status", "priority", "due_date", "project", "tags", "description"
    }  # fmt: skip
    assert len(task["description"]) == 200
    assert task["description"].endswith("…")


@JAN_ONLY
async def test_get_all_tasks_is_bounded_and_says_so(alice: Agent) -> None:
    await _tasks(alice, 103)
    result = await alice.ok("get_all_tasks")
    assert (result["count"], result["total"], result["truncated"]) == (100, 103, True)
    assert "100 of 103" in result["note"]
    assert "list_tasks" in result["note"]


async def test_get_all_tasks_returns_every_status_when_few(alice: Agent) -> None:
    first, second = await _tasks(alice, 2)
    await alice.taskmanager.complete_task(second)
    result = await alice.ok("get_all_tasks")
    assert {task["id"] for task in result["tasks"]} == {first, second}
    assert (result["truncated"], result["note"]) == (False, None)


async def test_get_all_tasks_takes_no_arguments(alice: Agent) -> None:
    assert await alice.error("get_all_tasks", limit=5) == (
        "Unknown argument 'limit': this tool takes no arguments."
    )


async def test_search_tasks_finds_words_in_titles_and_descriptions(alice: Agent) -> None:
    tm = alice.taskmanager
    milk = (await tm.create_task("Buy milk")).id
    notes = (await tm.create_task("Call", description="about the milk delivery")).id
    await tm.create_task("Unrelated", tags=["milk"])  # tags are not searched
    result = await alice.ok("search_tasks", query="MILK")
    assert {task["id"] for task in result["tasks"]} == {milk, notes}
    assert (result["count"], result["total"]) == (2, 2)
    assert (await alice.ok("search_tasks", query="milk delivery"))["total"] == 1


async def test_search_tasks_within_a_project_and_limited(alice: Agent, upstream: Upstream) -> None:
    name = f"Errands {upstream.revision}"
    errands = (await alice.taskmanager.create_project(name)).id
    for n in range(3):
        await alice.taskmanager.create_task(f"shop {n}", project_id=errands)
    await alice.taskmanager.create_task("shop elsewhere")
    within = await alice.ok("search_tasks", query="shop", project=name.lower())
    assert within["total"] == 3
    assert {t["project"] for t in within["tasks"]} == {name}
    limited = await alice.ok("search_tasks", query="shop", limit=2)
    assert (limited["count"], limited["total"]) == (2, 4)


@JAN_ONLY
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "Missing required argument 'query'."),
        ({"query": ""}, "query must not be empty."),
        ({"query": "   "}, "query must contain at least one word."),
        ({"query": "x", "project": "Nope"}, "Project 'Nope' was not found."),
        ({"query": "x", "limit": 500}, "limit must be at most 100."),
    ],
)
async def test_search_tasks_argument_errors(
    alice: Agent, arguments: dict[str, Any], message: str
) -> None:
    assert await alice.error("search_tasks", **arguments) == message

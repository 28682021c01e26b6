"""The pure pieces under the tools: argument parsing into one sentence, and the opaque
keyset cursor (mcp-protocol §6 pagination: opaque cursors, invalid ones refused)."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest
from pydantic import Field

from taskmcp.taskmanager import Task
from taskmcp.tools.arguments import ArgumentError, Arguments, Day, parse, parse_prefixed_id
from taskmcp.tools.errors import ToolFailure
from taskmcp.tools.pagination import INVALID_CURSOR, fingerprint, paginate, sort_key

TODAY = date(2026, 12, 31)


class _Dated(Arguments):
    day: Day
    count: int = Field(default=1, ge=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, 42), ("42", 42), (" task_42 ", 42), ("task_007", 7), (2**31 - 1, 2**31 - 1)],
)
def test_ids_are_accepted_bare_or_prefixed(value: object, expected: int) -> None:
    assert parse_prefixed_id(value, "task") == expected


@pytest.mark.parametrize("value", [0, -1, 2**31, True, 4.0, "project_4", "4a", "٤", None, []])
def test_anything_else_is_not_an_id(value: object) -> None:
    with pytest.raises(ValueError, match="must be a task id"):
        parse_prefixed_id(value, "task")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("today", TODAY), ("TOMORROW", date(2027, 1, 1)), ("2027-02-28", date(2027, 2, 28))],
)
def test_days_resolve_against_the_given_today(value: str, expected: date) -> None:
    assert parse(_Dated, {"day": value}, today=TODAY).day == expected


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"day": "yesterday"}, "day must be a date as YYYY-MM-DD, 'today' or 'tomorrow'."),
        ({"day": 20261231}, "day must be a date as YYYY-MM-DD, 'today' or 'tomorrow'."),
        ({"day": "today", "count": 0}, "count must be at least 1."),
        ({"day": "today", "count": 1.5}, "count must be a whole number."),
        ({"count": 2}, "Missing required argument 'day'."),
        ({"dy": "today"}, "Unknown argument 'dy'. Accepted arguments: day, count."),
    ],
)
def test_the_first_problem_becomes_one_sentence(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ArgumentError) as info:
        parse(_Dated, arguments, today=TODAY)
    assert str(info.value) == message


def _task(task_id: int, due: str | None = None, priority: str | None = None) -> Task:
    return Task.model_validate(
        {"id": task_id, "title": f"t{task_id}", "due_date": due, "priority": priority}
    )


TASKS = [
    _task(1),
    _task(2, "2026-12-01", "low"),
    _task(3, "2026-12-01", "urgent"),
    _task(4, "2026-11-01"),
    _task(5, None, "high"),
]


def test_tasks_sort_by_due_date_then_priority_then_id() -> None:
    assert [task.id for task in sorted(TASKS, key=sort_key)] == [4, 3, 2, 5, 1]


def test_pages_chain_through_cursors() -> None:
    first = paginate(TASKS, limit=2, cursor=None, filters={"a": 1})
    assert [t.id for t in first.tasks] == [4, 3]
    assert first.total == 5
    second = paginate(TASKS, limit=2, cursor=first.next_cursor, filters={"a": 1})
    third = paginate(TASKS, limit=2, cursor=second.next_cursor, filters={"a": 1})
    assert [t.id for t in second.tasks + third.tasks] == [2, 5, 1]
    assert third.next_cursor is None


def test_the_cursor_is_unpadded_base64url_json() -> None:
    cursor = paginate(TASKS, limit=1, cursor=None, filters={}).next_cursor
    assert cursor is not None
    assert "=" not in cursor
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert decoded == {"v": 1, "f": fingerprint({}), "k": ["2026-11-01", 4, 4]}


def test_the_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": None}) == fingerprint({"b": None, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


@pytest.mark.parametrize(
    "payload",
    [
        {"v": 2, "f": fingerprint({}), "k": ["2026-01-01", 1, 1]},
        {"v": 1, "f": fingerprint({}), "k": ["2026-01-01", True, 1]},
        {"v": 1, "f": fingerprint({}), "k": [1, 1, 1]},
        {"v": 1, "f": fingerprint({}), "k": ["x", 1]},
        ["not", "an", "object"],
    ],
)
def test_tampered_cursors_are_refused(payload: object) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    with pytest.raises(ToolFailure) as info:
        paginate(TASKS, limit=1, cursor=cursor, filters={})
    assert str(info.value) == INVALID_CURSOR

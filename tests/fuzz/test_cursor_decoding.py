"""Cursor decoding under fuzzing (``taskmcp/tools/pagination.py``; mcp-protocol §6
"Pagination": opaque cursors, an invalid one is refused).

Any string a client sends as ``cursor`` either continues the listing it was issued
for or is the one ``invalid cursor`` tool error; nothing else can come out (before
the fix, a cursor holding deeply nested JSON escaped as a ``RecursionError``, i.e.
a -32603 internal error). And the cursors the server issues chain through every task
exactly once, in order.
"""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from taskmcp.taskmanager import Task
from taskmcp.tools.errors import ToolFailure
from taskmcp.tools.pagination import INVALID_CURSOR, fingerprint, paginate, sort_key

FILTERS = {"status": "all", "project_id": None}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


CURSORS = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=80).map(_b64),
    JSON.map(lambda v: _b64(json.dumps(v).encode())),
    st.fixed_dictionaries(
        {
            "v": st.sampled_from([1, 2, "1", True]),
            "f": st.sampled_from([fingerprint(FILTERS), fingerprint({}), "x"]),
            "k": st.one_of(JSON, st.tuples(st.text(max_size=10), st.integers(), st.integers())),
        },
    ).map(lambda v: _b64(json.dumps(v).encode())),
    st.integers(1, 200_000).map(lambda n: _b64(b"[" * n)),
)

TASKS = st.lists(
    st.builds(
        Task,
        id=st.integers(1, 10_000),
        title=st.just("t"),
        priority=st.sampled_from([None, "low", "medium", "high", "urgent", "odd"]),
        due_date=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
    ),
    max_size=30,
    unique_by=lambda task: task.id,
)


@settings(max_examples=400, deadline=None)
@given(cursor=CURSORS, tasks=TASKS)
@example(cursor=_b64(b"[" * 100_000), tasks=[])
@example(cursor=_b64(b'{"v": 1, "f": "x", "k": ' + b"9" * 5000 + b"}"), tasks=[])
@example(cursor="\udc80", tasks=[])
@example(cursor="\u00e9\u00e9\u00e9\u00e9", tasks=[])
def test_any_cursor_continues_a_listing_or_is_the_invalid_cursor_error(
    cursor: str, tasks: list[Task]
) -> None:
    try:
        page = paginate(tasks, limit=5, cursor=cursor, filters=FILTERS)
    except ToolFailure as failure:
        refusal = str(failure)
    else:
        refusal = None
    if refusal is not None:
        assert refusal == INVALID_CURSOR
        return
    assert len(page.tasks) <= 5
    assert page.total == len(tasks)
    keys = [sort_key(task) for task in page.tasks]
    assert keys == sorted(keys)


@settings(max_examples=200, deadline=None)
@given(tasks=TASKS, limit=st.integers(1, 7))
def test_issued_cursors_visit_every_task_once_in_order(tasks: list[Task], limit: int) -> None:
    seen: list[Task] = []
    cursor: str | None = None
    for _ in range(len(tasks) + 2):
        page = paginate(tasks, limit=limit, cursor=cursor, filters=FILTERS)
        seen += page.tasks
        cursor = page.next_cursor
        if cursor is None:
            break
    assert cursor is None
    assert seen == sorted(tasks, key=sort_key)


@settings(max_examples=100, deadline=None)
@given(
    tasks=TASKS.filter(lambda tasks: len(tasks) > 1),
    other=st.dictionaries(
        st.sampled_from(["status", "tag", "project_id"]), st.text(max_size=5), min_size=1
    ),
)
def test_a_cursor_is_refused_for_other_filters(tasks: list[Task], other: dict[str, str]) -> None:
    cursor = paginate(tasks, limit=1, cursor=None, filters=FILTERS).next_cursor
    assert cursor is not None
    if fingerprint(other) == fingerprint(FILTERS):
        return
    with pytest.raises(ToolFailure) as refused:
        paginate(tasks, limit=1, cursor=cursor, filters=other)
    assert str(refused.value) == INVALID_CURSOR

"""Cursor pagination of task lists, done in-process (mcp-protocol §6 "Pagination").

TaskManager's ``GET /api/todos`` has a ``limit`` but no offset (taskmanager-api §4.2), so
a list tool fetches every task matching the filters TaskManager supports, applies the
rest itself, sorts, and cuts one page.

* **Order**: due date (undated last), then priority (urgent, high, medium, low, none),
  then id. TaskManager's own order (priority as a string, NULL first) is not useful.
* **Cursor**: keyset, not offset: it holds the sort key of the last task shown, so a
  task created or deleted meanwhile does not shift the next page. It is
  ``base64url(JSON {"v": 1, "f": <filters fingerprint>, "k": [due, rank, id]})``,
  opaque to clients. A cursor that does not decode, or that was issued for other
  filters (the fingerprint is a hash of the normalised filter arguments), is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from taskmcp.taskmanager import Task
from taskmcp.tools.errors import ToolFailure

__all__ = ["INVALID_CURSOR", "Page", "fingerprint", "paginate", "sort_key"]

INVALID_CURSOR = (
    "Invalid cursor: it is garbled or was issued for different filters; "
    "list again without a cursor to start over."
)
UNDATED = "9999-12-31"
PRIORITY_RANK = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
VERSION = 1

SortKey = tuple[str, int, int]


@dataclass(frozen=True)
class Page:
    tasks: list[Task]
    total: int
    next_cursor: str | None


def sort_key(task: Task) -> SortKey:
    due = task.due_date.isoformat() if task.due_date else UNDATED
    return due, PRIORITY_RANK.get(task.priority or "", len(PRIORITY_RANK)), task.id


def fingerprint(filters: Mapping[str, Any]) -> str:
    """A short hash of the normalised filters a cursor belongs to."""
    canonical = json.dumps(filters, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _encode(stamp: str, key: SortKey) -> str:
    data = json.dumps({"v": VERSION, "f": stamp, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def _decode(cursor: str, stamp: str) -> SortKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):  # deep nesting: still just garbled
        raise ToolFailure(INVALID_CURSOR) from None
    if not isinstance(data, dict) or data.get("v") != VERSION or data.get("f") != stamp:
        raise ToolFailure(INVALID_CURSOR)
    key = data.get("k")
    if (
        not isinstance(key, list)
        or len(key) != 3
        or not isinstance(key[0], str)
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in key[1:])
    ):
        raise ToolFailure(INVALID_CURSOR)
    return key[0], key[1], key[2]


def paginate(
    tasks: Sequence[Task], *, limit: int, cursor: str | None, filters: Mapping[str, Any]
) -> Page:
    """The page after ``cursor`` (or the first), at most ``limit`` tasks long."""
    stamp = fingerprint(filters)
    ordered = sorted(tasks, key=sort_key)
    if cursor is not None:
        after = _decode(cursor, stamp)
        ordered = [task for task in ordered if sort_key(task) > after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return Page(
        tasks=page,
        total=len(tasks),
        next_cursor=_encode(stamp, sort_key(page[-1])) if more else None,
    )

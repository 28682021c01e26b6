"""The three task shapes (§4.2, §5.1).

* Row (``GET /api/todos/{id}``): every column plus ``project_name``/``project_color``;
  ``due_date`` as midnight UTC with milliseconds; ``tags`` exactly as stored (a JAN
  string update shows as a string).
* List (``GET /api/todos``): dates ``YYYY-MM-DD``, ``description`` ``""`` when null,
  ``category`` = ``project_name``, ``tags`` parsed back into an array when stored as
  a JSON string; no hours, no ``completed_date``.
* Search: the list shape without ``project_name``/``project_color``, and the id as
  ``"task_<n>"``.
"""

from __future__ import annotations

import json
from datetime import date

from pydantic import JsonValue

from taskmcp.standin.clock import midnight_iso
from taskmcp.standin.envelopes import JsonObject
from taskmcp.standin.store import Task

__all__ = ["list_item", "row", "search_item"]

_ROW_FIELDS = (
    "id", "project_id", "title", "description", "priority", "estimated_hours",
    "actual_hours", "status", "due_date", "completed_date", "tags", "context",
    "created_at", "updated_at", "user_id", "time_horizon", "project_name", "project_color",
)  # fmt: skip


def row(task: Task) -> JsonObject:
    shown: JsonObject = {name: getattr(task, name) for name in _ROW_FIELDS}
    if task.due_date is not None:
        shown["due_date"] = midnight_iso(date.fromisoformat(task.due_date))
    return shown


def _listed_tags(tags: JsonValue) -> JsonValue:
    """A tags value stored as a string is parsed back, as upstream's list does."""
    if not isinstance(tags, str):
        return tags
    try:
        parsed: JsonValue = json.loads(tags)
    except ValueError:
        return tags  # upstream would fail the whole list here (§4.2 "Poisoning")
    return parsed


def list_item(task: Task) -> JsonObject:
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description or "",
        "due_date": task.due_date,
        "status": task.status,
        "category": task.project_name,
        "project_name": task.project_name,
        "project_color": task.project_color,
        "priority": task.priority,
        "tags": _listed_tags(task.tags),
        "created_at": task.created_at[:10],
        "updated_at": task.updated_at[:10],
    }


def search_item(task: Task) -> JsonObject:
    item = list_item(task)
    del item["project_name"], item["project_color"]
    return item | {"id": f"task_{task.id}"}

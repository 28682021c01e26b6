"""What the tools return about tasks and projects, and the matching output schemas.

Results stay small (clients-in-the-wild §5: Claude Code truncates around 25k tokens):

* a task **summary** (lists and search): id, title, status, priority, due date, project
  name, tags and the description cut to ``SUMMARY_DESCRIPTION`` characters;
* a **full** task (``get_task`` and the write tools): every field TaskManager keeps;
* a **project**: id, name, description, colour and timestamps, plus ``task_count``
  (tasks of every status) in ``list_projects``.

Ids are integers here; every tool also accepts ``"task_42"``/``"project_7"``. Dates are
``YYYY-MM-DD``, timestamps ISO 8601 in UTC. ``completed_at`` is shown only while a task
is completed: TaskManager keeps the old value after a reopen (taskmanager-api §4.2).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from taskmcp.taskmanager import PRIORITIES, STATUSES, Project, Task
from taskmcp.tools.schema import (
    JsonObject,
    array,
    enum,
    integer,
    nullable,
    obj,
    string,
)

__all__ = [
    "PROJECT_SCHEMA",
    "PROJECT_WITH_COUNT_SCHEMA",
    "SUMMARY_DESCRIPTION",
    "TASK_SCHEMA",
    "TASK_SUMMARY_SCHEMA",
    "full_task",
    "project_record",
    "shorten",
    "task_summary",
    "timestamp",
]

SUMMARY_DESCRIPTION = 200


def shorten(text: str | None, limit: int = SUMMARY_DESCRIPTION) -> str | None:
    """``text`` cut to at most ``limit`` characters, marked with an ellipsis."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds: ``2026-11-26T14:11:40.506Z``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def task_summary(task: Task) -> JsonObject:
    return {
        "id": task.id,
        "title": task.title,
        "status": task.status,
        "priority": task.priority,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "project": task.project_name,
        "tags": list(task.tags),
        "description": shorten(task.description),
    }


def full_task(task: Task) -> JsonObject:
    completed = task.completed_at if task.status == "completed" else None
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "project_id": task.project_id,
        "project": task.project_name,
        "tags": list(task.tags),
        "estimated_hours": _number(task.estimated_hours),
        "actual_hours": _number(task.actual_hours),
        "context": task.context,
        "completed_at": timestamp(completed),
        "created_at": timestamp(task.created_at),
        "updated_at": timestamp(task.updated_at),
    }


def project_record(project: Project, task_count: int | None = None) -> JsonObject:
    record: JsonObject = {
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "color": project.color,
        "created_at": timestamp(project.created_at),
        "updated_at": timestamp(project.updated_at),
    }
    if task_count is not None:
        record["task_count"] = task_count
    return record


_ID = integer(minimum=1)
_TEXT = nullable(string())
_DAY = nullable(string(format="date"))
_MOMENT = nullable(string(format="date-time"))
_STATUS = enum(STATUSES)
_PRIORITY = nullable(enum(PRIORITIES))
_TAGS = array(string())

_SUMMARY_FIELDS: JsonObject = {
    "id": _ID,
    "title": string(),
    "status": _STATUS,
    "priority": _PRIORITY,
    "due_date": _DAY,
    "project": nullable(string("Project name")),
    "tags": _TAGS,
    "description": nullable(string(f"At most {SUMMARY_DESCRIPTION} characters")),
}
TASK_SUMMARY_SCHEMA = obj(_SUMMARY_FIELDS, required=_SUMMARY_FIELDS)

_TASK_FIELDS: JsonObject = {
    "id": _ID,
    "title": string(),
    "description": _TEXT,
    "status": _STATUS,
    "priority": _PRIORITY,
    "due_date": _DAY,
    "project_id": nullable(integer(minimum=1)),
    "project": nullable(string("Project name")),
    "tags": _TAGS,
    "estimated_hours": nullable({"type": "number"}),
    "actual_hours": nullable({"type": "number"}),
    "context": _TEXT,
    "completed_at": _MOMENT,
    "created_at": _MOMENT,
    "updated_at": _MOMENT,
}
TASK_SCHEMA = obj(_TASK_FIELDS, required=_TASK_FIELDS)

_PROJECT_FIELDS: JsonObject = {
    "id": _ID,
    "name": string(),
    "description": _TEXT,
    "color": nullable(string("Colour, usually #RRGGBB")),
    "created_at": _MOMENT,
    "updated_at": _MOMENT,
}
PROJECT_SCHEMA = obj(_PROJECT_FIELDS, required=_PROJECT_FIELDS)
_COUNTED_FIELDS = _PROJECT_FIELDS | {
    "task_count": integer("Tasks in the project, any status", minimum=0)
}
PROJECT_WITH_COUNT_SCHEMA = obj(_COUNTED_FIELDS, required=_COUNTED_FIELDS)

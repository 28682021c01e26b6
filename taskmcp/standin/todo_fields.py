"""Task fields from request bodies: create and partial update (§4.2).

Create ignores ``status`` and ``time_horizon`` (new tasks are ``pending``), defaults
``priority`` to null and ``tags`` to ``[]``, and maps ``category`` (when no
``project_id`` is given) to the caller's active project of that name, compared
case-insensitively; a miss silently leaves the task without a project.

Update accepts JAN's whitelist on both revisions. JAN drops every other key. DEC
refuses unknown keys with 500 (it writes any column upstream); the real columns
``id``, ``user_id``, ``created_at`` and ``updated_at`` are ignored here instead of
written (upstream's rewrite bug is deliberately not reproduced), and DEC also writes
``time_horizon``. ``tags``: DEC takes only a JSON-encoded string (an array → 500);
JAN stores an array as an array and a string as a string.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from taskmcp.standin import columns
from taskmcp.standin import envelopes as e
from taskmcp.standin.bodies import js_truthy
from taskmcp.standin.envelopes import Revision
from taskmcp.standin.errors import ApiError, DatabaseFailure

__all__ = ["NO_FIELDS", "WRITABLE", "creation_fields", "update_fields"]

Value = str | int | None
FindProject = Callable[[str], Awaitable[int | None]]

NO_FIELDS = "No valid fields to update"
WRITABLE = (
    "project_id", "title", "description", "priority", "status", "estimated_hours",
    "actual_hours", "due_date", "completed_date", "tags", "context",
)  # fmt: skip
DEC_IGNORED = ("id", "user_id", "created_at", "updated_at")
TITLE_LIMIT, CONTEXT_LIMIT = 500, 50


def _not_null(value: Value, column: str) -> Value:
    if value is None:
        raise DatabaseFailure(
            f'null value in column "{column}" of relation "todos" violates not-null constraint'
        )
    return value


_COERCE: Mapping[str, Callable[[object], Value]] = {
    "project_id": columns.integer,
    "title": lambda v: _not_null(columns.text(v, "title", TITLE_LIMIT), "title"),
    "description": lambda v: columns.text(v, "description"),
    "priority": lambda v: columns.checked(v, columns.PRIORITIES, "todos_priority_check"),
    "status": lambda v: _not_null(
        columns.checked(v, columns.STATUSES, "todos_status_check"), "status"
    ),
    "estimated_hours": columns.hours,
    "actual_hours": columns.hours,
    "due_date": columns.calendar_date,
    "completed_date": columns.timestamp,
    "context": lambda v: columns.text(v, "context", CONTEXT_LIMIT),
    "time_horizon": lambda v: columns.checked(v, columns.TIME_HORIZONS, "todos_time_horizon_check"),
}


async def _category_project(body: Mapping[str, object], find: FindProject) -> int | None:
    category = body.get("category")
    return await find(category) if isinstance(category, str) and category else None


async def creation_fields(
    body: Mapping[str, object], revision: Revision, find: FindProject
) -> dict[str, Value]:
    title = body.get("title")
    if revision.is_jan and not js_truthy(title):
        raise ApiError(e.TITLE_REQUIRED, details={"field": "Title"})
    fields = {
        name: _COERCE[name](body.get(name))
        for name in ("title", "description", "priority", "estimated_hours", "due_date", "context")
    }
    fields["tags"] = columns.tags([] if body.get("tags") is None else body["tags"])
    if body.get("project_id") is not None:
        fields["project_id"] = columns.integer(body["project_id"])
    else:
        fields["project_id"] = await _category_project(body, find)
    return fields


def _updatable(key: str, revision: Revision, *, legacy: bool) -> bool:
    """Whether ``key`` is written; raises for DEC's unknown columns."""
    if key in WRITABLE or (key == "time_horizon" and not revision.is_jan):
        return True
    if revision.is_jan or key in DEC_IGNORED or (key == "category" and not legacy):
        return False
    raise DatabaseFailure(f'column "{key}" of relation "todos" does not exist')


async def update_fields(
    body: Mapping[str, object], revision: Revision, find: FindProject, *, legacy: bool = False
) -> dict[str, Value]:
    """The columns a PUT writes; may be empty (the caller decides what that means)."""
    fields: dict[str, Value] = {}
    for key, value in body.items():
        if not _updatable(key, revision, legacy=legacy):
            continue
        if key == "tags":
            fields[key] = columns.tags(value, decode_strings=not revision.is_jan)
        else:
            fields[key] = _COERCE[key](value)
    if "category" in body and "project_id" not in body and not (legacy and not revision.is_jan):
        project_id = await _category_project(body, find)
        if project_id is not None:
            fields["project_id"] = project_id
    return fields

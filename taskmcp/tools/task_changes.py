"""Write tools for tasks: ``create_task``, ``update_task``, ``complete_task``,
``reopen_task``, ``delete_task``. Each returns the task as TaskManager stored it.

* ``project_id`` is checked before it is written (``taskmcp.tools.lookups``): TaskManager
  would accept another user's project and answers 500 for a missing one (§5.5).
* ``update_task`` changes only the arguments given; ``null`` clears ``description``,
  ``priority``, ``due_date`` and ``project_id``, ``tags: []`` removes every tag.
  ``status: "completed"`` goes through TaskManager's complete endpoint, which is the
  only way ``completed_at`` gets set (§4.2).
* ``reopen_task`` sets the status back to ``pending``.
* ``delete_task`` is a hard delete in TaskManager (§4.2); the result names what was
  deleted.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from taskmcp.taskmanager import Priority, TaskStatus
from taskmcp.tools.arguments import Arguments, Day, ProjectId, Tag, TaskId
from taskmcp.tools.base import WRITE, JsonObject, ToolContext
from taskmcp.tools.define import ADDITIVE, DESTRUCTIVE, IDEMPOTENT_WRITE, define_tool
from taskmcp.tools.errors import ToolFailure, not_found
from taskmcp.tools.lookups import project_by_id
from taskmcp.tools.records import full_task
from taskmcp.tools.schema import (
    DAY,
    PRIORITY,
    PROJECT_ID,
    STATUS,
    TAGS,
    TASK_ID,
    boolean,
    integer,
    nullable,
    obj,
    string,
)
from taskmcp.tools.task_queries import TASK_RESULT_SCHEMA, TaskArguments

__all__ = ["COMPLETE_TASK", "CREATE_TASK", "DELETE_TASK", "REOPEN_TASK", "UPDATE_TASK"]

TITLE_MAX, DESCRIPTION_MAX = 500, 10_000
_TITLE = string("Task title", minLength=1, maxLength=TITLE_MAX)
_DESCRIPTION = string("Task description", maxLength=DESCRIPTION_MAX)


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


def _has_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Title = Annotated[str, AfterValidator(_has_text), Field(max_length=TITLE_MAX)]
Tags = Annotated[list[Tag], AfterValidator(_unique), Field(max_length=20)]


# -- create_task (seed, plus tags) ---------------------------------------------------


class CreateTaskArguments(Arguments):
    title: Title
    project_id: ProjectId | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    priority: Priority | None = None
    due_date: Day | None = None
    tags: Tags | None = None


async def _create_task(context: ToolContext, arguments: CreateTaskArguments) -> JsonObject:
    if arguments.project_id is not None:
        await project_by_id(context.taskmanager, arguments.project_id)
    task = await context.taskmanager.create_task(
        arguments.title,
        description=arguments.description or None,
        project_id=arguments.project_id,
        priority=arguments.priority,
        due_date=arguments.due_date,
        tags=arguments.tags,
    )
    return {"task": full_task(task)}


CREATE_TASK = define_tool(
    name="create_task",
    title="Create task",
    description="Create a task (status pending) with an optional project, description, "
    "priority, due date and tags. Returns the stored task with its id.",
    arguments=CreateTaskArguments,
    input_schema=obj(
        {
            "title": _TITLE,
            "project_id": PROJECT_ID,
            "description": _DESCRIPTION,
            "priority": PRIORITY,
            "due_date": DAY | {"description": "Due date: YYYY-MM-DD, 'today' or 'tomorrow' (UTC)"},
            "tags": TAGS,
        },
        required=("title",),
    ),
    output_schema=TASK_RESULT_SCHEMA,
    annotations=ADDITIVE,
    scope=WRITE,
    run=_create_task,
)


# -- update_task ---------------------------------------------------------------------


class UpdateTaskArguments(Arguments):
    task_id: TaskId
    title: Title | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    priority: Priority | None = None
    due_date: Day | None = None
    project_id: ProjectId | None = None
    tags: Tags | None = None
    status: TaskStatus | None = None

    @field_validator("title", "status")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields given, as TaskManager update keys (``None`` clears)."""
        given = self.model_fields_set - {"task_id"}
        changes: dict[str, Any] = {name: getattr(self, name) for name in sorted(given)}
        if "description" in changes:
            changes["description"] = changes["description"] or None
        if "tags" in changes:
            changes["tags"] = changes["tags"] or []
        return changes


UPDATABLE = ("title", "description", "priority", "due_date", "project_id", "tags", "status")


async def _update_task(context: ToolContext, arguments: UpdateTaskArguments) -> JsonObject:
    changes, task_id = arguments.changes(), arguments.task_id
    if not changes:
        raise ToolFailure(f"Nothing to change: give at least one of {', '.join(UPDATABLE)}.")
    if changes.get("project_id") is not None:
        await project_by_id(context.taskmanager, changes["project_id"])
    complete = changes.get("status") == "completed"
    if complete:
        del changes["status"]
    with not_found(f"Task {task_id}"):
        task = await context.taskmanager.get_task(task_id)
        if changes:
            task = await context.taskmanager.update_task(task_id, changes)
        if complete:
            task = await context.taskmanager.complete_task(task_id)
    return {"task": full_task(task)}


UPDATE_TASK = define_tool(
    name="update_task",
    title="Update task",
    description="Change some fields of a task; fields not given stay as they are. "
    "null clears description, priority, due_date or project_id; tags replaces all tags "
    "([] removes them). Returns the updated task.",
    arguments=UpdateTaskArguments,
    input_schema=obj(
        {
            "task_id": TASK_ID,
            "title": _TITLE,
            "description": nullable(_DESCRIPTION),
            "priority": nullable(PRIORITY),
            "due_date": nullable(DAY | {"description": "Due date; null removes it"}),
            "project_id": nullable(PROJECT_ID | {"description": "Project; null removes it"}),
            "tags": TAGS | {"description": "The complete new list of tags"},
            "status": STATUS,
        },
        required=("task_id",),
    ),
    output_schema=TASK_RESULT_SCHEMA,
    annotations=DESTRUCTIVE,
    scope=WRITE,
    run=_update_task,
)


# -- complete_task, reopen_task -------------------------------------------------------


async def _complete_task(context: ToolContext, arguments: TaskArguments) -> JsonObject:
    with not_found(f"Task {arguments.task_id}"):
        return {"task": full_task(await context.taskmanager.complete_task(arguments.task_id))}


async def _reopen_task(context: ToolContext, arguments: TaskArguments) -> JsonObject:
    with not_found(f"Task {arguments.task_id}"):
        return {"task": full_task(await context.taskmanager.reopen_task(arguments.task_id))}


COMPLETE_TASK = define_tool(
    name="complete_task",
    title="Complete task",
    description="Mark a task as completed (records the completion time). Returns the task.",
    arguments=TaskArguments,
    input_schema=obj({"task_id": TASK_ID}, required=("task_id",)),
    output_schema=TASK_RESULT_SCHEMA,
    annotations=IDEMPOTENT_WRITE,
    scope=WRITE,
    run=_complete_task,
)

REOPEN_TASK = define_tool(
    name="reopen_task",
    title="Reopen task",
    description="Set a completed or cancelled task back to pending. Returns the task.",
    arguments=TaskArguments,
    input_schema=obj({"task_id": TASK_ID}, required=("task_id",)),
    output_schema=TASK_RESULT_SCHEMA,
    annotations=IDEMPOTENT_WRITE,
    scope=WRITE,
    run=_reopen_task,
)


# -- delete_task ---------------------------------------------------------------------


async def _delete_task(context: ToolContext, arguments: TaskArguments) -> JsonObject:
    with not_found(f"Task {arguments.task_id}"):
        task = await context.taskmanager.get_task(arguments.task_id)
        await context.taskmanager.delete_task(arguments.task_id)
    return {"deleted": True, "id": task.id, "title": task.title}


DELETE_TASK = define_tool(
    name="delete_task",
    title="Delete task",
    description="Delete a task permanently (TaskManager has no trash). Returns the id "
    "and title of the deleted task.",
    arguments=TaskArguments,
    input_schema=obj({"task_id": TASK_ID}, required=("task_id",)),
    output_schema=obj(
        {"deleted": boolean(), "id": integer(minimum=1), "title": string()},
        required=("deleted", "id", "title"),
    ),
    annotations=DESTRUCTIVE,
    scope=WRITE,
    run=_delete_task,
)

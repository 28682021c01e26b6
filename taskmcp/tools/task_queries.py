"""Read tools for tasks: ``list_tasks``, ``search_tasks``, ``get_task``, ``get_all_tasks``.

``list_tasks`` sends TaskManager the filters it has (``status``, ``project_id``,
``start_date``/``end_date``; taskmanager-api §4.2), applies ``priority`` and ``tag``
itself, then pages in-process (``taskmcp.tools.pagination``). Due-date bounds are
inclusive, and undated tasks drop out whenever one is given, as in TaskManager.
A ``project`` name is resolved to its id first (``taskmcp.tools.lookups``), so an
unknown name is an error rather than an empty list. ``search_tasks`` is TaskManager's
full-text search (§4.4: whole words, stemmed, every word must match, tags not searched).
``get_all_tasks`` is the seed tool kept for existing prompts: at most ``MAX_LIMIT``
tasks, and says how many more there are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from taskmcp.taskmanager import Priority, Task
from taskmcp.tools.arguments import Arguments, Day, Limit, ProjectId, Tag, TaskId
from taskmcp.tools.base import READ, JsonObject, ToolContext
from taskmcp.tools.define import READ_ONLY, define_tool
from taskmcp.tools.errors import not_found
from taskmcp.tools.lookups import project_by_id, project_by_name
from taskmcp.tools.pagination import paginate, sort_key
from taskmcp.tools.records import TASK_SCHEMA, TASK_SUMMARY_SCHEMA, full_task, task_summary
from taskmcp.tools.schema import (
    CURSOR,
    DAY,
    DEFAULT_LIMIT,
    LIMIT,
    LIST_STATUS,
    MAX_LIMIT,
    PRIORITY,
    PROJECT_ID,
    TASK_ID,
    array,
    boolean,
    integer,
    nullable,
    obj,
    string,
)

__all__ = ["GET_ALL_TASKS", "GET_TASK", "LIST_TASKS", "SEARCH_TASKS"]

ListStatus = Literal["pending", "in_progress", "completed", "cancelled", "overdue", "all"]
ProjectName = str
_TASKS = array(TASK_SUMMARY_SCHEMA)
_COUNT = integer("Tasks in this result", minimum=0)
_TOTAL = integer("Tasks matching the request", minimum=0)


# -- list_tasks ---------------------------------------------------------------------


class ListTasksArguments(Arguments):
    status: ListStatus | None = None
    project_id: ProjectId | None = None
    project: ProjectName | None = Field(default=None, min_length=1)
    priority: Priority | None = None
    due_before: Day | None = None
    due_after: Day | None = None
    tag: Tag | None = None
    limit: Limit = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ListTasksArguments:
        if self.project_id is not None and self.project is not None:
            raise ValueError("give either project_id or project, not both")
        if self.due_before and self.due_after and self.due_after > self.due_before:
            raise ValueError("the due_after date is later than due_before, so no task could match")
        return self


def _matches(task: Task, arguments: ListTasksArguments) -> bool:
    if arguments.priority is not None and task.priority != arguments.priority:
        return False
    tag = arguments.tag.casefold() if arguments.tag else None
    return tag is None or any(t.casefold() == tag for t in task.tags)


async def _list_tasks(context: ToolContext, arguments: ListTasksArguments) -> JsonObject:
    taskmanager = context.taskmanager
    project_id = arguments.project_id
    if project_id is not None:
        await project_by_id(taskmanager, project_id)
    elif arguments.project is not None:
        project_id = (await project_by_name(taskmanager, arguments.project)).id
    tasks = await taskmanager.list_tasks(
        status=arguments.status,
        project_id=project_id,
        start_date=arguments.due_after,
        end_date=arguments.due_before,
    )
    wanted = [task for task in tasks if _matches(task, arguments)]
    filters = arguments.model_dump(mode="json", exclude={"limit", "cursor"})
    page = paginate(wanted, limit=arguments.limit, cursor=arguments.cursor, filters=filters)
    return {
        "tasks": [task_summary(task) for task in page.tasks],
        "count": len(page.tasks),
        "total": page.total,
        "next_cursor": page.next_cursor,
    }


LIST_TASKS = define_tool(
    name="list_tasks",
    title="List tasks",
    description="List the user's tasks, filtered by status, project, priority, tag and "
    "due-date range (inclusive), ordered by due date then priority. Returns compact "
    f"records (description cut to 200 characters), {DEFAULT_LIMIT} per page by default "
    f"(at most {MAX_LIMIT}), the total number of matches, and next_cursor for the next "
    "page (null on the last page).",
    arguments=ListTasksArguments,
    input_schema=obj(
        {
            "status": LIST_STATUS,
            "project_id": PROJECT_ID,
            "project": string(
                "Project name (case-insensitive); instead of project_id", minLength=1
            ),
            "priority": PRIORITY,
            "due_before": DAY | {"description": "Only tasks due on or before this date"},
            "due_after": DAY | {"description": "Only tasks due on or after this date"},
            "tag": string("Only tasks with this tag (case-insensitive)", minLength=1, maxLength=50),
            "limit": LIMIT,
            "cursor": CURSOR,
        }
    ),
    output_schema=obj(
        {
            "tasks": _TASKS,
            "count": _COUNT,
            "total": _TOTAL,
            "next_cursor": nullable(string("Cursor for the next page; null on the last page")),
        },
        required=("tasks", "count", "total", "next_cursor"),
    ),
    annotations=READ_ONLY,
    scope=READ,
    run=_list_tasks,
)


# -- search_tasks -------------------------------------------------------------------


class SearchTasksArguments(Arguments):
    query: str = Field(min_length=1, max_length=500)
    project: ProjectName | None = Field(default=None, min_length=1)
    limit: Limit = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    @field_validator("query")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must contain at least one word")
        return value


async def _search_tasks(context: ToolContext, arguments: SearchTasksArguments) -> JsonObject:
    category = None
    if arguments.project is not None:
        category = (await project_by_name(context.taskmanager, arguments.project)).name
    found = await context.taskmanager.search_tasks(arguments.query.strip(), category=category)
    shown = sorted(found, key=sort_key)[: arguments.limit]
    return {
        "tasks": [task_summary(task) for task in shown],
        "count": len(shown),
        "total": len(found),
    }


SEARCH_TASKS = define_tool(
    name="search_tasks",
    title="Search tasks",
    description="Full-text search over task titles and descriptions (whole words, "
    "case-insensitive, word stems; every word must match; tags are not searched), "
    "optionally within one project, across all statuses. Returns compact records, "
    f"at most limit (default {DEFAULT_LIMIT}, max {MAX_LIMIT}), and the total number "
    "of matches.",
    arguments=SearchTasksArguments,
    input_schema=obj(
        {
            "query": string("Words to find", minLength=1, maxLength=500),
            "project": string("Project name (case-insensitive)", minLength=1),
            "limit": LIMIT,
        },
        required=("query",),
    ),
    output_schema=obj(
        {"tasks": _TASKS, "count": _COUNT, "total": _TOTAL},
        required=("tasks", "count", "total"),
    ),
    annotations=READ_ONLY,
    scope=READ,
    run=_search_tasks,
)


# -- get_task -----------------------------------------------------------------------


class TaskArguments(Arguments):
    task_id: TaskId


async def _get_task(context: ToolContext, arguments: TaskArguments) -> JsonObject:
    with not_found(f"Task {arguments.task_id}"):
        return {"task": full_task(await context.taskmanager.get_task(arguments.task_id))}


TASK_RESULT_SCHEMA = obj({"task": TASK_SCHEMA}, required=("task",))

GET_TASK = define_tool(
    name="get_task",
    title="Get task",
    description="Get one task with all its fields: full description, project id and "
    "name, tags, hours, context and timestamps.",
    arguments=TaskArguments,
    input_schema=obj({"task_id": TASK_ID}, required=("task_id",)),
    output_schema=TASK_RESULT_SCHEMA,
    annotations=READ_ONLY,
    scope=READ,
    run=_get_task,
)


# -- get_all_tasks (seed) -----------------------------------------------------------


class NoArguments(Arguments):
    pass


async def _get_all_tasks(context: ToolContext, arguments: NoArguments) -> JsonObject:
    tasks = sorted(await context.taskmanager.list_tasks(), key=sort_key)
    shown = tasks[:MAX_LIMIT]
    more = len(tasks) > len(shown)
    note = (
        f"Showing the first {len(shown)} of {len(tasks)} tasks; list_tasks pages through "
        "all of them and filters by status, project, priority, tag and due date."
    )
    return {
        "tasks": [task_summary(task) for task in shown],
        "count": len(shown),
        "total": len(tasks),
        "truncated": more,
        "note": note if more else None,
    }


GET_ALL_TASKS = define_tool(
    name="get_all_tasks",
    title="Get all tasks",
    description="Get every task of the user in any status as compact records, ordered "
    f"by due date then priority, up to {MAX_LIMIT}; when there are more, truncated is "
    "true and note says how many (list_tasks pages through all of them).",
    arguments=NoArguments,
    input_schema=obj(),
    output_schema=obj(
        {
            "tasks": _TASKS,
            "count": _COUNT,
            "total": integer("All tasks of the user", minimum=0),
            "truncated": boolean("True when more tasks exist than are shown"),
            "note": nullable(string()),
        },
        required=("tasks", "count", "total", "truncated", "note"),
    ),
    annotations=READ_ONLY,
    scope=READ,
    run=_get_all_tasks,
)

"""``search`` and ``fetch`` in the shape ChatGPT connectors and deep research expect
(clients-in-the-wild §7): ``search(query)`` → ``{"results": [{"id", "title", "url"}]}``,
``fetch(id)`` → ``{"id", "title", "text", "url", "metadata"}``.

* Ids are ``task_<n>`` and ``project_<n>`` (a bare number is a task).
* URLs: TaskManager has no per-task or per-project page (taskmanager-api §2.3: unknown
  paths are 404 pages), so every object gets the stable, non-HTTP identifier
  ``taskmanager://tasks/<n>`` / ``taskmanager://projects/<n>``.
* ``search`` matches tasks with TaskManager's full-text search (all statuses) and
  projects whose name or description contains every query word; projects come first,
  at most ``SEARCH_RESULTS`` results in all.
* ``fetch`` of a project lists up to ``MAX_LIMIT`` of its tasks in ``text``.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from taskmcp.taskmanager import Project, Task
from taskmcp.tools.arguments import Arguments, parse_prefixed_id
from taskmcp.tools.base import READ, JsonObject, ToolContext
from taskmcp.tools.define import READ_ONLY, define_tool
from taskmcp.tools.errors import ToolFailure, not_found
from taskmcp.tools.pagination import sort_key
from taskmcp.tools.records import timestamp
from taskmcp.tools.schema import MAX_LIMIT, array, obj, string

__all__ = ["FETCH", "SEARCH", "object_url"]

SEARCH_RESULTS = 25
URL_SCHEME = "taskmanager"


def object_url(kind: str, number: int) -> str:
    """The stable identifier of a task (``kind="tasks"``) or project (``"projects"``)."""
    return f"{URL_SCHEME}://{kind}/{number}"


def _hit(kind: str, number: int, title: str) -> JsonObject:
    return {"id": f"{kind}_{number}", "title": title, "url": object_url(f"{kind}s", number)}


# -- search --------------------------------------------------------------------------


class SearchArguments(Arguments):
    query: str = Field(min_length=1, max_length=500)

    @field_validator("query")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must contain at least one word")
        return value.strip()


def _project_matches(project: Project, words: list[str]) -> bool:
    text = f"{project.name} {project.description or ''}".casefold()
    return all(word in text for word in words)


async def _search(context: ToolContext, arguments: SearchArguments) -> JsonObject:
    words = arguments.query.casefold().split()
    projects = [
        _hit("project", p.id, p.name)
        for p in await context.taskmanager.list_projects()
        if _project_matches(p, words)
    ]
    tasks = sorted(await context.taskmanager.search_tasks(arguments.query), key=sort_key)
    hits = projects + [_hit("task", task.id, task.title) for task in tasks]
    return {"results": hits[:SEARCH_RESULTS]}


_HIT = obj(
    {
        "id": string("task_<n> or project_<n>", pattern="^(task|project)_[0-9]+$"),
        "title": string(),
        "url": string("Stable identifier of the object", format="uri"),
    },
    required=("id", "title", "url"),
)

SEARCH = define_tool(
    name="search",
    title="Search tasks and projects",
    description="Search the user's tasks (full text over title and description, whole "
    "words, every word must match) and projects (name or description contains every "
    f"word). Returns up to {SEARCH_RESULTS} results with id (task_<n> or project_<n>), "
    "title and url, projects first.",
    arguments=SearchArguments,
    input_schema=obj(
        {"query": string("Words to search for", minLength=1, maxLength=500)},
        required=("query",),
    ),
    output_schema=obj({"results": array(_HIT)}, required=("results",)),
    annotations=READ_ONLY,
    scope=READ,
    run=_search,
)


# -- fetch ---------------------------------------------------------------------------


class FetchArguments(Arguments):
    id: str

    @field_validator("id", mode="before")
    @classmethod
    def _known(cls, value: object) -> str:
        kind = (
            "project" if isinstance(value, str) and value.strip().startswith("project_") else "task"
        )
        try:
            return f"{kind}_{parse_prefixed_id(value, kind)}"
        except ValueError:
            raise ValueError("must be an id from search such as task_42 or project_7") from None


def _lines(pairs: list[tuple[str, str | None]]) -> list[str]:
    return [f"{label}: {value}" for label, value in pairs if value]


def _task_text(task: Task) -> str:
    due = task.due_date.isoformat() if task.due_date else None
    tags = ", ".join(task.tags) or None
    head = _lines(
        [("Status", task.status), ("Priority", task.priority), ("Due", due),
         ("Project", task.project_name), ("Tags", tags)]
    )  # fmt: skip
    body = ["", task.description] if task.description else []
    return "\n".join([task.title, *head, *body])


def _task_metadata(task: Task) -> dict[str, str]:
    values = {
        "type": "task",
        "status": task.status,
        "priority": task.priority,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "project": task.project_name,
        "tags": ", ".join(task.tags) or None,
        "updated_at": timestamp(task.updated_at),
    }
    return {key: value for key, value in values.items() if value}


def _task_line(task: Task) -> str:
    details = [f"task_{task.id}", task.status]
    details += [f"due {task.due_date.isoformat()}"] if task.due_date else []
    details += [f"priority {task.priority}"] if task.priority else []
    return f"- {task.title} ({', '.join(details)})"


def _project_text(project: Project, tasks: list[Task]) -> str:
    shown = sorted(tasks, key=sort_key)[:MAX_LIMIT]
    lines = [project.name, *_lines([("Description", project.description)]), ""]
    lines.append(f"Tasks ({len(tasks)}):" if tasks else "No tasks.")
    lines += [_task_line(task) for task in shown]
    if len(tasks) > len(shown):
        lines.append(f"… and {len(tasks) - len(shown)} more.")
    return "\n".join(lines)


async def _fetch_task(context: ToolContext, task_id: int) -> JsonObject:
    with not_found(f"Task {task_id}"):
        task = await context.taskmanager.get_task(task_id)
    return _hit("task", task.id, task.title) | {
        "text": _task_text(task),
        "metadata": _task_metadata(task),
    }


async def _fetch_project(context: ToolContext, project_id: int) -> JsonObject:
    with not_found(f"Project {project_id}"):
        project = await context.taskmanager.get_project(project_id)
    tasks = await context.taskmanager.list_tasks(project_id=project_id)
    metadata = {"type": "project", "color": project.color, "task_count": str(len(tasks))}
    return _hit("project", project.id, project.name) | {
        "text": _project_text(project, tasks),
        "metadata": {key: value for key, value in metadata.items() if value},
    }


async def _fetch(context: ToolContext, arguments: FetchArguments) -> JsonObject:
    kind, _, number = arguments.id.partition("_")
    if kind == "project":
        return await _fetch_project(context, int(number))
    if kind == "task":
        return await _fetch_task(context, int(number))
    raise ToolFailure(f"Unknown id {arguments.id}.")  # pragma: no cover - validated


FETCH = define_tool(
    name="fetch",
    title="Fetch task or project",
    description="Fetch one task or project by the id search returned (task_<n> or "
    "project_<n>): title, full text (a task's fields and description; a project's "
    "description and its tasks), url and metadata.",
    arguments=FetchArguments,
    input_schema=obj(
        {"id": string("task_<n> or project_<n>", pattern="^((task|project)_)?[0-9]+$")},
        required=("id",),
    ),
    output_schema=obj(
        {
            "id": string(pattern="^(task|project)_[0-9]+$"),
            "title": string(),
            "text": string(),
            "url": string(format="uri"),
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        required=("id", "title", "text", "url", "metadata"),
    ),
    annotations=READ_ONLY,
    scope=READ,
    run=_fetch,
)

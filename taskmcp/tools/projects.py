"""Project tools: ``list_projects``, ``get_all_projects`` (seed), ``create_project``,
``update_project``, ``delete_project`` (taskmanager-api §4.1, §4.3).

* ``list_projects`` joins ``GET /api/categories`` for the task counts (tasks of every
  status, by project name); ``get_all_projects`` is the seed tool, one request, no
  counts.
* Project names are unique across **all** TaskManager users, deleted projects included,
  and a duplicate is a 500 upstream (§4.1). A clash with one of the caller's own
  projects is found first and named; any other refusal of a name is worded as "taken".
* ``delete_project`` is a soft delete: the project's tasks keep it (and its name), and
  the name stays reserved.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from taskmcp.taskmanager import InvalidRequestError, Project, TaskManagerClient
from taskmcp.tools.arguments import Arguments, ProjectId
from taskmcp.tools.base import READ, WRITE, JsonObject, ToolContext
from taskmcp.tools.define import ADDITIVE, DESTRUCTIVE, READ_ONLY, define_tool
from taskmcp.tools.errors import ToolFailure, not_found
from taskmcp.tools.lookups import project_by_id
from taskmcp.tools.records import PROJECT_SCHEMA, PROJECT_WITH_COUNT_SCHEMA, project_record
from taskmcp.tools.schema import PROJECT_ID, array, boolean, integer, nullable, obj, string

__all__ = [
    "CREATE_PROJECT",
    "DELETE_PROJECT",
    "GET_ALL_PROJECTS",
    "LIST_PROJECTS",
    "UPDATE_PROJECT",
]

NAME_MAX, DESCRIPTION_MAX = 255, 1_000
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"


def _has_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Name = Annotated[str, AfterValidator(_has_text), Field(max_length=NAME_MAX)]


def _hex_color(value: str) -> str:
    if not re.fullmatch(COLOR_PATTERN, value):
        raise ValueError("must be a colour as #RRGGBB, such as #3b82f6")
    return value


Color = Annotated[str, AfterValidator(_hex_color)]

_NAME = string("Project name, unique across TaskManager", minLength=1, maxLength=NAME_MAX)
_DESCRIPTION = string("Project description", maxLength=DESCRIPTION_MAX)
_COLOR = string("Colour as #RRGGBB", pattern=COLOR_PATTERN)
_PROJECT_RESULT = obj({"project": PROJECT_SCHEMA}, required=("project",))


class NoArguments(Arguments):
    pass


# -- list_projects, get_all_projects --------------------------------------------------


async def _list_projects(context: ToolContext, arguments: NoArguments) -> JsonObject:
    projects = await context.taskmanager.list_projects()
    counts = {c.name: c.task_count for c in await context.taskmanager.list_categories()}
    records = [project_record(p, counts.get(p.name, 0)) for p in projects]
    return {"projects": records, "count": len(records)}


async def _get_all_projects(context: ToolContext, arguments: NoArguments) -> JsonObject:
    records = [project_record(p) for p in await context.taskmanager.list_projects()]
    return {"projects": records, "count": len(records)}


def _projects_schema(item: JsonObject) -> JsonObject:
    count = integer("Number of projects", minimum=0)
    return obj({"projects": array(item), "count": count}, required=("projects", "count"))


LIST_PROJECTS = define_tool(
    name="list_projects",
    title="List projects",
    description="List the user's active projects ordered by name, each with its number "
    "of tasks (any status).",
    arguments=NoArguments,
    input_schema=obj(),
    output_schema=_projects_schema(PROJECT_WITH_COUNT_SCHEMA),
    annotations=READ_ONLY,
    scope=READ,
    run=_list_projects,
)

GET_ALL_PROJECTS = define_tool(
    name="get_all_projects",
    title="Get all projects",
    description="Get every active project of the user (id, name, description, colour), "
    "ordered by name.",
    arguments=NoArguments,
    input_schema=obj(),
    output_schema=_projects_schema(PROJECT_SCHEMA),
    annotations=READ_ONLY,
    scope=READ,
    run=_get_all_projects,
)


# -- create_project, update_project ---------------------------------------------------


async def _refuse_own_duplicate(
    taskmanager: TaskManagerClient, name: str, project_id: int | None = None
) -> None:
    for project in await taskmanager.list_projects():
        if project.name == name and project.id != project_id:
            raise ToolFailure(f"You already have a project named '{name}' (project {project.id}).")


def _name_taken(name: str) -> ToolFailure:
    return ToolFailure(
        f"The project name '{name}' is already taken in TaskManager (names are unique "
        "across all users, deleted projects included)."
    )


class CreateProjectArguments(Arguments):
    name: Name
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    color: Color | None = None


async def _create_project(context: ToolContext, arguments: CreateProjectArguments) -> JsonObject:
    await _refuse_own_duplicate(context.taskmanager, arguments.name)
    try:
        project = await context.taskmanager.create_project(
            arguments.name, description=arguments.description or None, color=arguments.color
        )
    except InvalidRequestError:
        raise _name_taken(arguments.name) from None
    return {"project": project_record(project)}


CREATE_PROJECT = define_tool(
    name="create_project",
    title="Create project",
    description="Create a project with an optional description and colour (default "
    "#3b82f6). Names are unique across all TaskManager users. Returns the project.",
    arguments=CreateProjectArguments,
    input_schema=obj(
        {"name": _NAME, "description": _DESCRIPTION, "color": _COLOR}, required=("name",)
    ),
    output_schema=_PROJECT_RESULT,
    annotations=ADDITIVE,
    scope=WRITE,
    run=_create_project,
)


class UpdateProjectArguments(Arguments):
    project_id: ProjectId
    name: Name | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    color: Color | None = None

    @field_validator("name", "color")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("cannot be null")
        return value


async def _update_project(context: ToolContext, arguments: UpdateProjectArguments) -> JsonObject:
    given = arguments.model_fields_set - {"project_id"}
    if not given:
        raise ToolFailure("Nothing to change: give at least one of name, description, color.")
    taskmanager, project_id = context.taskmanager, arguments.project_id
    current = await project_by_id(taskmanager, project_id)
    if arguments.name is not None and arguments.name != current.name:
        await _refuse_own_duplicate(taskmanager, arguments.name, project_id)
    description = (arguments.description or "") if "description" in given else None
    try:
        with not_found(f"Project {project_id}"):
            project = await taskmanager.update_project(
                project_id, name=arguments.name, description=description, color=arguments.color
            )
    except InvalidRequestError:
        raise _name_taken(arguments.name or current.name) from None
    return {"project": project_record(project)}


UPDATE_PROJECT = define_tool(
    name="update_project",
    title="Update project",
    description="Rename a project or change its description or colour; fields not given "
    "stay as they are, description null or '' clears it. Returns the project.",
    arguments=UpdateProjectArguments,
    input_schema=obj(
        {
            "project_id": PROJECT_ID,
            "name": _NAME,
            "description": nullable(_DESCRIPTION),
            "color": _COLOR,
        },
        required=("project_id",),
    ),
    output_schema=_PROJECT_RESULT,
    annotations=DESTRUCTIVE,
    scope=WRITE,
    run=_update_project,
)


# -- delete_project --------------------------------------------------------------------


class ProjectArguments(Arguments):
    project_id: ProjectId


async def _delete_project(context: ToolContext, arguments: ProjectArguments) -> JsonObject:
    project: Project = await project_by_id(context.taskmanager, arguments.project_id)
    with not_found(f"Project {arguments.project_id}"):
        await context.taskmanager.delete_project(arguments.project_id)
    return {"deleted": True, "id": project.id, "name": project.name}


DELETE_PROJECT = define_tool(
    name="delete_project",
    title="Delete project",
    description="Delete a project. Its tasks are kept and still show the project name; "
    "the name stays reserved in TaskManager. Returns the id and name of the deleted "
    "project.",
    arguments=ProjectArguments,
    input_schema=obj({"project_id": PROJECT_ID}, required=("project_id",)),
    output_schema=obj(
        {"deleted": boolean(), "id": integer(minimum=1), "name": string()},
        required=("deleted", "id", "name"),
    ),
    annotations=DESTRUCTIVE,
    scope=WRITE,
    run=_delete_project,
)

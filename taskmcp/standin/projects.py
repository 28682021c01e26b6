"""``/api/projects`` and ``/api/categories`` (§4.1, §4.3, §5.5).

* Names are unique across all users, deleted projects included; a duplicate → 500.
* Create: defaults ``description ""`` and ``color #3b82f6`` (not validated, up to 7
  characters). A missing name: DEC 500 (an empty name is accepted), JAN 400.
* PUT: DEC answers 200 even for a missing or foreign project (nothing changes);
  JAN 404. Nothing to update → 500 (JAN "No valid fields to update").
* DELETE is soft: the project leaves lists and categories; its name stays taken.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.standin import columns
from taskmcp.standin import envelopes as e
from taskmcp.standin.auth_gate import caller
from taskmcp.standin.bodies import json_object
from taskmcp.standin.clock import iso_ms
from taskmcp.standin.envelopes import json_response
from taskmcp.standin.errors import ApiError, DatabaseFailure
from taskmcp.standin.ids import path_id
from taskmcp.standin.keys import CLOCK, REVISION, STORE
from taskmcp.standin.store import PROJECT_COLUMNS

__all__ = [
    "categories",
    "create_project",
    "delete_project",
    "get_project",
    "list_projects",
    "update_project",
]

DEFAULT_COLOR = "#3b82f6"
NAME_LIMIT, COLOR_LIMIT = 255, 7
NO_FIELDS = "No valid fields to update"


def _not_null(column: str) -> DatabaseFailure:
    return DatabaseFailure(
        f'null value in column "{column}" of relation "projects" violates not-null constraint'
    )


def _column(column: str, value: object) -> str:
    """A project column value as the database would store it."""
    if column == "description":
        return columns.text(value, column) or ""
    stored = columns.text(value, column, NAME_LIMIT if column == "name" else COLOR_LIMIT)
    if stored is None:
        raise _not_null(column)
    return stored


async def list_projects(request: web.Request) -> web.Response:
    projects = await request.app[STORE].projects.active(caller(request).user_id)
    return json_response([project.model_dump() for project in projects])


async def get_project(request: web.Request) -> web.Response:
    project_id = path_id(request, e.BAD_PROJECT_ID)
    project = await request.app[STORE].projects.get(project_id, caller(request).user_id)
    if project is None:
        raise ApiError(e.PROJECT_NOT_FOUND)
    return json_response(project.model_dump())


async def create_project(request: web.Request) -> web.Response:
    body, revision = await json_object(request), request.app[REVISION]
    name = body.get("name")
    if revision.is_jan and (not isinstance(name, str) or not name.strip()):
        raise ApiError(e.PROJECT_NAME_REQUIRED)
    project = await request.app[STORE].projects.create(
        caller(request).user_id,
        name=_column("name", name),
        description=_column("description", body.get("description")),
        color=_column("color", body.get("color") or DEFAULT_COLOR),
        now=iso_ms(request.app[CLOCK]()),
    )
    return json_response(revision.created_project(project.id, project.name), status=201)


async def update_project(request: web.Request) -> web.Response:
    project_id, user_id = path_id(request, e.BAD_PROJECT_ID), caller(request).user_id
    body, revision, store = await json_object(request), request.app[REVISION], request.app[STORE]
    if revision.is_jan and await store.projects.get(project_id, user_id) is None:
        raise ApiError(e.PROJECT_NOT_FOUND)
    fields = {name: _column(name, body[name]) for name in PROJECT_COLUMNS if name in body}
    if not fields:
        raise DatabaseFailure(NO_FIELDS)
    now = iso_ms(request.app[CLOCK]())
    await store.projects.update(project_id, user_id, fields, now=now)
    return json_response(revision.updated())


async def delete_project(request: web.Request) -> web.Response:
    project_id, now = path_id(request, e.BAD_PROJECT_ID), iso_ms(request.app[CLOCK]())
    if not await request.app[STORE].projects.deactivate(
        project_id, caller(request).user_id, now=now
    ):
        raise ApiError(e.PROJECT_NOT_FOUND)
    return json_response(request.app[REVISION].deleted())


async def categories(request: web.Request) -> web.Response:
    rows = await request.app[STORE].projects.categories(caller(request).user_id)
    return json_response({"categories": [{"name": n, "task_count": c} for n, c in rows]})

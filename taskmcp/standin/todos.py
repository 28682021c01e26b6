"""``/api/todos`` (§4.2, §5.5): list, read, create, update, complete, delete.

* ``complete`` always answers 200 ``{"success":true}``, also for a missing or foreign
  id (nothing happens then); a non-integer id → 500 with an empty body on both
  revisions. It sets ``completed_date``; PUT never does on its own.
* PUT echoes every key of the body in ``updated_fields``, ignored ones included.
* The legacy ``PUT /api/todos`` (id in the body): DEC always 200 (a no-op for a
  missing or foreign id); JAN 400 without an id, 404 for a missing or foreign one.
* DELETE is a hard delete.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from taskmcp.standin import columns
from taskmcp.standin import envelopes as e
from taskmcp.standin.auth_gate import caller
from taskmcp.standin.bodies import json_object
from taskmcp.standin.clock import iso_ms
from taskmcp.standin.envelopes import json_response
from taskmcp.standin.errors import ApiError, BareFailure, DatabaseFailure
from taskmcp.standin.ids import path_id
from taskmcp.standin.keys import CLOCK, REVISION, STORE
from taskmcp.standin.todo_fields import NO_FIELDS, creation_fields, update_fields
from taskmcp.standin.todo_filters import parse_task_query
from taskmcp.standin.todo_shapes import list_item, row

__all__ = [
    "complete_todo",
    "create_todo",
    "delete_todo",
    "get_todo",
    "legacy_update_todo",
    "list_todos",
    "update_todo",
]


def _finder(request: web.Request) -> Callable[[str], Awaitable[int | None]]:
    """Category lookup among the caller's active projects."""
    projects, user_id = request.app[STORE].projects, caller(request).user_id
    return lambda name: projects.find_by_name(user_id, name)


async def list_todos(request: web.Request) -> web.Response:
    query = parse_task_query(request.query, today=request.app[CLOCK]().date())
    tasks = await request.app[STORE].tasks.find(caller(request).user_id, query)
    return json_response({"tasks": [list_item(task) for task in tasks]})


async def get_todo(request: web.Request) -> web.Response:
    task_id = path_id(request, e.BAD_TODO_ID)
    task = await request.app[STORE].tasks.get(task_id, caller(request).user_id)
    if task is None:
        raise ApiError(e.TASK_NOT_FOUND)
    return json_response(row(task))


async def create_todo(request: web.Request) -> web.Response:
    body, revision = await json_object(request), request.app[REVISION]
    fields = await creation_fields(body, revision, _finder(request))
    now = iso_ms(request.app[CLOCK]())
    task_id = await request.app[STORE].tasks.create(caller(request).user_id, fields, now=now)
    return json_response(revision.created_task(task_id, str(fields["title"])), status=201)


async def _update(request: web.Request, task_id: int, body: dict[str, object]) -> None:
    """The shared body of both PUTs, once the task is known to be the caller's."""
    fields = await update_fields(body, request.app[REVISION], _finder(request))
    if not fields:
        raise DatabaseFailure(NO_FIELDS)
    now, user_id = iso_ms(request.app[CLOCK]()), caller(request).user_id
    await request.app[STORE].tasks.update(task_id, user_id, fields, now=now)


async def update_todo(request: web.Request) -> web.Response:
    task_id = path_id(request, e.BAD_TODO_ID)
    body = await json_object(request)
    if await request.app[STORE].tasks.get(task_id, caller(request).user_id) is None:
        raise ApiError(e.TASK_NOT_FOUND)
    await _update(request, task_id, body)
    return json_response({"id": task_id, "updated_fields": list(body), "status": "updated"})


def _body_id(body: dict[str, object]) -> int | None:
    """The legacy PUT's ``id``, when it is an integer."""
    try:
        return columns.integer(body.get("id"))
    except DatabaseFailure:
        return None


async def legacy_update_todo(request: web.Request) -> web.Response:
    body, revision = await json_object(request), request.app[REVISION]
    if not revision.is_jan:
        return await _dec_legacy_update(request, body)
    task_id = _body_id(body)
    if task_id is None:
        raise ApiError(e.BAD_TODO_ID)
    if await request.app[STORE].tasks.get(task_id, caller(request).user_id) is None:
        raise ApiError(e.TASK_NOT_FOUND)
    await _update(request, task_id, body)
    return json_response(revision.updated())


async def _dec_legacy_update(request: web.Request, body: dict[str, object]) -> web.Response:
    """DEC: bad fields → 500; otherwise 200 whether or not anything was updated."""
    fields = await update_fields(body, request.app[REVISION], _finder(request), legacy=True)
    task_id = _body_id(body)
    if fields and task_id is not None:
        now, user_id = iso_ms(request.app[CLOCK]()), caller(request).user_id
        await request.app[STORE].tasks.update(task_id, user_id, fields, now=now)
    return json_response(request.app[REVISION].updated())


async def complete_todo(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    if not raw.isascii() or not raw.isdigit() or int(raw) > columns.INT4_MAX:
        raise BareFailure
    now = iso_ms(request.app[CLOCK]())
    await request.app[STORE].tasks.complete(int(raw), caller(request).user_id, now=now)
    return json_response({"success": True})


async def delete_todo(request: web.Request) -> web.Response:
    task_id = path_id(request, e.BAD_TODO_ID)
    if not await request.app[STORE].tasks.delete(task_id, caller(request).user_id):
        raise ApiError(e.TASK_NOT_FOUND)
    return json_response(request.app[REVISION].deleted())

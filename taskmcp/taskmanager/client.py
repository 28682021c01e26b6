"""The typed async TaskManager REST client (taskmanager-api §4), for both revisions.

A ``TaskManagerClient`` acts as exactly one principal, given by its ``Credential``
(a user's token, or the service account). It never follows redirects, maps every
failure to ``taskmcp.taskmanager.errors``, retries an idempotent read once after a
connection error, never retries a write blindly, and retries any request once after a
login redirect only when the credential could log in again (nothing was executed).

Where a 2xx does not prove that something happened (§6.13: ``complete`` and DEC's
project PUT succeed for ids that are missing or not the caller's), the client reads
the object first so that "not found" is reported as such.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import aiohttp

from taskmcp.taskmanager.credentials import Credential
from taskmcp.taskmanager.errors import (
    InvalidRequestError,
    UpstreamUnavailableError,
    error_for_response,
    is_login_redirect,
)
from taskmcp.taskmanager.http import RawResponse, send
from taskmcp.taskmanager.models import PRIORITIES, STATUSES, Category, Project, Task
from taskmcp.taskmanager.wire import list_of, new_id, parse_json, unwrap

__all__ = ["LIST_STATUSES", "TASK_FIELDS", "TaskManagerClient"]

LIST_STATUSES = (*STATUSES, "all", "overdue")
TASK_FIELDS = frozenset(
    {"title", "description", "priority", "status", "due_date", "project_id", "category",
     "tags", "estimated_hours", "actual_hours", "context"}
)  # fmt: skip
Method = Literal["GET", "POST", "PUT", "DELETE"]


class TaskManagerClient:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, credential: Credential):
        self._http = http
        self._base = base_url.rstrip("/")
        self._credential = credential

    # -- transport -------------------------------------------------------------------

    async def _call(
        self,
        method: Method,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: object = None,
    ) -> Any:
        """Send, authenticate, retry as allowed, map errors; return the parsed body."""
        generation = await self._credential.prepare(self._http, self._base)
        resp = await self._send_once(method, path, params, body)
        if _needs_login(resp) and await self._credential.renew(self._http, self._base, generation):
            resp = await self._send_once(method, path, params, body)
        if 200 <= resp.status < 300:
            return parse_json(resp.body) if resp.body.strip() else None
        if 300 <= resp.status < 400 and not _needs_login(resp):
            raise UpstreamUnavailableError(f"TaskManager answered HTTP {resp.status}")
        raise error_for_response(
            status=resp.status,
            method=method,
            body=resp.body,
            content_type=resp.content_type,
            location=resp.location,
            retry_after=resp.retry_after,
        )

    async def _send_once(
        self, method: Method, path: str, params: Mapping[str, str] | None, body: object
    ) -> RawResponse:
        url = f"{self._base}{path}"
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                return await send(
                    self._http,
                    method,
                    url,
                    headers=self._credential.headers(),
                    params=params,
                    json=body,
                )
            except aiohttp.ClientConnectionError as exc:
                if attempt + 1 == attempts:
                    raise UpstreamUnavailableError("TaskManager is unreachable") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # -- tasks -----------------------------------------------------------------------

    async def list_tasks(
        self,
        *,
        status: str | None = None,
        project_id: int | None = None,
        category: str | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
        limit: int | None = None,
    ) -> list[Task]:
        """``GET /api/todos`` with every filter it has (§4.2); ``project_id`` wins over
        ``category`` upstream, so only one of them is sent."""
        params: dict[str, str] = {}
        if status is not None:
            params["status"] = _one_of(status, LIST_STATUSES, "status")
        if project_id is not None:
            params["project_id"] = str(project_id)
        elif category is not None:
            params["category"] = category
        if start_date is not None:
            params["start_date"] = start_date.isoformat()
        if end_date is not None:
            params["end_date"] = end_date.isoformat()
        if limit is not None:
            if limit < 1:
                raise InvalidRequestError("limit must be a positive integer")
            params["limit"] = str(limit)
        data = await self._call("GET", "/api/todos", params=params)
        return [Task.model_validate(item) for item in list_of(data, "tasks")]

    async def get_task(self, task_id: int) -> Task:
        return Task.model_validate(unwrap(await self._call("GET", f"/api/todos/{task_id}")))

    async def create_task(
        self,
        title: str,
        *,
        description: str | None = None,
        project_id: int | None = None,
        category: str | None = None,
        priority: str | None = None,
        due_date: date | None = None,
        tags: list[str] | None = None,
        estimated_hours: float | None = None,
        context: str | None = None,
    ) -> Task:
        """``POST /api/todos``, then re-read the stored task (§6.3)."""
        if not title.strip():
            raise InvalidRequestError("title must not be empty")
        body: dict[str, object] = {"title": title}
        optional = {
            "description": description, "project_id": project_id, "category": category,
            "priority": priority and _one_of(priority, PRIORITIES, "priority"),
            "due_date": due_date and due_date.isoformat(), "tags": tags,
            "estimated_hours": estimated_hours, "context": context,
        }  # fmt: skip
        body.update({key: value for key, value in optional.items() if value is not None})
        created = await self._call("POST", "/api/todos", body=body)
        return await self.get_task(new_id(created))

    async def update_task(self, task_id: int, changes: Mapping[str, object]) -> Task:
        """Partial update: only the keys in ``changes`` (``due_date: None`` clears it)."""
        body = _task_changes(changes)
        if "tags" in body:
            await self._credential.prepare(self._http, self._base)  # learn the revision
            if self._credential.revision == "dec":
                body["tags"] = json.dumps(body["tags"] or [])  # §6.10: DEC wants a string
        await self._call("PUT", f"/api/todos/{task_id}", body=body)
        return await self.get_task(task_id)

    async def complete_task(self, task_id: int) -> Task:
        await self.get_task(task_id)  # §6.13: complete says 200 for any id
        await self._call("POST", f"/api/todos/{task_id}/complete")
        return await self.get_task(task_id)

    async def reopen_task(self, task_id: int) -> Task:
        return await self.update_task(task_id, {"status": "pending"})

    async def delete_task(self, task_id: int) -> None:
        await self._call("DELETE", f"/api/todos/{task_id}")

    async def search_tasks(self, query: str, *, category: str | None = None) -> list[Task]:
        """``GET /api/tasks/search`` (§4.4): whole-word, stemmed, all words must match."""
        if not query.strip():
            raise InvalidRequestError("query must not be empty")
        params = {"query": query} | ({"category": category} if category is not None else {})
        data = await self._call("GET", "/api/tasks/search", params=params)
        return [Task.model_validate(item) for item in list_of(data, "tasks")]

    # -- projects and categories -----------------------------------------------------

    async def list_projects(self) -> list[Project]:
        data = await self._call("GET", "/api/projects")
        return [Project.model_validate(item) for item in list_of(data, "projects")]

    async def get_project(self, project_id: int) -> Project:
        data = await self._call("GET", f"/api/projects/{project_id}")
        return Project.model_validate(unwrap(data))

    async def create_project(
        self, name: str, *, description: str | None = None, color: str | None = None
    ) -> Project:
        if not name.strip():
            raise InvalidRequestError("name must not be empty")
        body = {"name": name, "description": description, "color": color}
        created = await self._call(
            "POST", "/api/projects", body={k: v for k, v in body.items() if v is not None}
        )
        return await self.get_project(new_id(created))

    async def update_project(
        self,
        project_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        color: str | None = None,
    ) -> Project:
        body = {"name": name, "description": description, "color": color}
        body = {key: value for key, value in body.items() if value is not None}
        if not body:
            raise InvalidRequestError("nothing to update")
        await self.get_project(project_id)  # §6.13: DEC says 200 for any id
        await self._call("PUT", f"/api/projects/{project_id}", body=body)
        return await self.get_project(project_id)

    async def delete_project(self, project_id: int) -> None:
        await self._call("DELETE", f"/api/projects/{project_id}")

    async def list_categories(self) -> list[Category]:
        data = await self._call("GET", "/api/categories")
        return [Category.model_validate(item) for item in list_of(data, "categories")]


def _task_changes(changes: Mapping[str, object]) -> dict[str, object]:
    unknown = set(changes) - TASK_FIELDS
    if unknown:
        raise InvalidRequestError(f"cannot update {', '.join(sorted(unknown))}")
    if not changes:
        raise InvalidRequestError("nothing to update")
    body = dict(changes)
    due = body.get("due_date")
    if isinstance(due, date):
        body["due_date"] = due.isoformat()
    if body.get("status") is not None:
        _one_of(str(body["status"]), STATUSES, "status")
    if body.get("priority") is not None:
        _one_of(str(body["priority"]), PRIORITIES, "priority")
    return body


def _needs_login(resp: RawResponse) -> bool:
    return resp.status == 401 or is_login_redirect(resp.status, resp.location)


def _one_of(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise InvalidRequestError(f"{name} must be one of {', '.join(allowed)}")
    return value

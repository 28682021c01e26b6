"""Who the user is, as far as TaskManager will tell (taskmanager-api §2.2, §6.17).

TaskManager has no ``/me`` endpoint and no userinfo: the user's id appears only in
the login response and in the ``user_id`` of the rows the user owns. After the
upstream OAuth exchange the authorization server calls, as the user, the cheapest
endpoints that carry ``user_id``: the project list, then the first task's row. Lists
only ever contain the caller's own rows (§5.5), so the id found is the caller's.

A user with no projects and no tasks, or a DEC deployment (where the REST API ignores
OAuth tokens), yields ``None``; the caller then uses a pseudonymous subject.
"""

from __future__ import annotations

from taskmcp.taskmanager.client import TaskManagerClient
from taskmcp.taskmanager.errors import NotAuthenticatedError, NotFoundError

__all__ = ["discover_user_id"]


async def discover_user_id(client: TaskManagerClient) -> int | None:
    try:
        for project in await client.list_projects():
            if project.user_id is not None:
                return project.user_id
        for listed in await client.list_tasks(status="all", limit=1):
            task = await client.get_task(listed.id)
            if task.user_id is not None:
                return task.user_id
    except (NotAuthenticatedError, NotFoundError):
        return None
    return None

"""Finding projects before acting on them.

* By name: TaskManager's ``category`` filters are exact and case-sensitive
  (taskmanager-api §4.2, §6.15), so a name is first matched among the caller's active
  projects (exactly, else case-insensitively when that is unambiguous) and the tools
  then filter by id or by the stored spelling.
* By id: TaskManager accepts another user's ``project_id`` on task create and update
  (§5.5, a leak) and answers 500 for a missing one, so write tools check the id with
  ``GET /api/projects/{id}`` (404 for missing, deleted or foreign projects) first.
"""

from __future__ import annotations

from taskmcp.taskmanager import Project, TaskManagerClient
from taskmcp.tools.errors import ToolFailure, not_found

__all__ = ["project_by_id", "project_by_name"]


async def project_by_name(taskmanager: TaskManagerClient, name: str) -> Project:
    projects = await taskmanager.list_projects()
    exact = [project for project in projects if project.name == name]
    if exact:
        return exact[0]
    folded = [project for project in projects if project.name.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    if folded:
        names = ", ".join(repr(project.name) for project in folded)
        raise ToolFailure(f"Project name '{name}' is ambiguous: it matches {names}.")
    raise ToolFailure(f"Project '{name}' was not found.")


async def project_by_id(taskmanager: TaskManagerClient, project_id: int) -> Project:
    with not_found(f"Project {project_id}"):
        return await taskmanager.get_project(project_id)

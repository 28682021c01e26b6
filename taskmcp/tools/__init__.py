"""The MCP tools: the registry and the task and project tools (issue #6).

``default_registry()`` is what ``taskmcp resource`` serves. ``tools/list`` shows the
tools in this fixed order, grouped by subject, reads before writes:

1. tasks, read: ``list_tasks``, ``search_tasks``, ``get_task``, ``get_all_tasks``;
2. tasks, write: ``create_task``, ``update_task``, ``complete_task``, ``reopen_task``,
   ``delete_task``;
3. projects: ``list_projects``, ``get_all_projects``, ``create_project``,
   ``update_project``, ``delete_project``;
4. connector (ChatGPT ``search``/``fetch``): ``search``, ``fetch``;
5. ``get_time``.

The seed tools (``get_time``, ``get_all_projects``, ``get_all_tasks``, ``create_task``)
keep their names and parameters. Read tools need ``tasks:read``, write tools
``tasks:write``.
"""

from __future__ import annotations

from taskmcp.tools.base import (
    READ,
    WRITE,
    Caller,
    Progress,
    Scope,
    Tool,
    ToolAnnotations,
    ToolContext,
    ToolHandler,
    ToolRegistry,
    ToolResult,
)
from taskmcp.tools.clock import GET_TIME
from taskmcp.tools.connector import FETCH, SEARCH
from taskmcp.tools.projects import (
    CREATE_PROJECT,
    DELETE_PROJECT,
    GET_ALL_PROJECTS,
    LIST_PROJECTS,
    UPDATE_PROJECT,
)
from taskmcp.tools.task_changes import (
    COMPLETE_TASK,
    CREATE_TASK,
    DELETE_TASK,
    REOPEN_TASK,
    UPDATE_TASK,
)
from taskmcp.tools.task_queries import GET_ALL_TASKS, GET_TASK, LIST_TASKS, SEARCH_TASKS

__all__ = [
    "ALL_TOOLS",
    "READ",
    "WRITE",
    "Caller",
    "Progress",
    "Scope",
    "Tool",
    "ToolAnnotations",
    "ToolContext",
    "ToolHandler",
    "ToolRegistry",
    "ToolResult",
    "default_registry",
]

ALL_TOOLS: tuple[Tool, ...] = (
    LIST_TASKS,
    SEARCH_TASKS,
    GET_TASK,
    GET_ALL_TASKS,
    CREATE_TASK,
    UPDATE_TASK,
    COMPLETE_TASK,
    REOPEN_TASK,
    DELETE_TASK,
    LIST_PROJECTS,
    GET_ALL_PROJECTS,
    CREATE_PROJECT,
    UPDATE_PROJECT,
    DELETE_PROJECT,
    SEARCH,
    FETCH,
    GET_TIME,
)


def default_registry() -> ToolRegistry:
    """The tools the resource server offers, in ``tools/list`` order."""
    return ToolRegistry.of(ALL_TOOLS)

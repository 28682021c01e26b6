"""Cross-user access through every tool over the real chain (taskmanager-api §5.5;
mcp-protocol §8.1): Bob's token, Alice's ids, on ``/mcp``.

``tests/tools/test_isolation.py`` runs the same idea one layer down (tool functions
against the stand-in, both TaskManager revisions). Here Bob goes through our
authorization server, introspection and the transport, calls **every** tool in the
registry with Alice's ids and names, and each answer is either Bob's own (empty)
data or an ``isError`` result naming only what Bob sent; Alice's data is unchanged
afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from taskmcp.tools import default_registry
from tests.security.support import McpHttp, user_tokens
from tests.support.stack import Stack

SECRET = "Alice secret"
TAKEN = (
    "The project name '{name}' is already taken in TaskManager "
    "(names are unique across all users, deleted projects included)."
)


def _error_text(result: dict[str, Any]) -> str:
    assert result.get("isError") is True, result
    text: str = result["content"][0]["text"]
    return text


async def test_bob_gets_nothing_of_alices_through_any_tool(mcp_stack: Stack) -> None:
    (_, alice_tokens), (_, bob_tokens) = (
        await user_tokens(mcp_stack, "alice"),
        await user_tokens(mcp_stack, "bob"),
    )
    mcp = McpHttp(mcp_stack.http, mcp_stack.resource)
    alice, bob = str(alice_tokens["access_token"]), str(bob_tokens["access_token"])
    project = (await mcp.call_tool(alice, "create_project", name=f"{SECRET} project"))[
        "structuredContent"
    ]["project"]
    task = (
        await mcp.call_tool(
            alice, "create_task", title=f"{SECRET} task", project_id=project["id"], tags=["x"]
        )
    )["structuredContent"]["task"]
    pid, tid = project["id"], task["id"]
    own = (await mcp.call_tool(bob, "create_task", title="Bob's errand"))["structuredContent"][
        "task"
    ]["id"]
    no_task, no_project = f"Task {tid} was not found.", f"Project {pid} was not found."

    errors: dict[str, tuple[dict[str, Any], str]] = {
        "get_task": ({"task_id": tid}, no_task),
        "update_task": ({"task_id": tid, "title": "pwned"}, no_task),
        "complete_task": ({"task_id": tid}, no_task),
        "reopen_task": ({"task_id": tid}, no_task),
        "delete_task": ({"task_id": tid}, no_task),
        "create_task": ({"title": "sneak", "project_id": pid}, no_project),
        "update_project": ({"project_id": pid, "name": "pwned"}, no_project),
        "delete_project": ({"project_id": pid}, no_project),
        "fetch": ({"id": f"task_{tid}"}, no_task),
        "list_tasks": ({"project_id": pid}, no_project),
    }
    for name, (arguments, message) in errors.items():
        assert _error_text(await mcp.call_tool(bob, name, **arguments)) == message, name
    moved = await mcp.call_tool(bob, "update_task", task_id=own, project_id=pid)
    assert _error_text(moved) == no_project
    fetched = await mcp.call_tool(bob, "fetch", id=f"project_{pid}")
    assert _error_text(fetched) == no_project

    empty: dict[str, tuple[dict[str, Any], str, list[Any]]] = {
        "list_tasks": ({"status": "all"}, "tasks", [own]),
        "get_all_tasks": ({}, "tasks", [own]),
        "search_tasks": ({"query": "secret"}, "tasks", []),
        "list_projects": ({}, "projects", []),
        "get_all_projects": ({}, "projects", []),
        "search": ({"query": "secret"}, "results", []),
    }
    for name, (arguments, key, expected) in empty.items():
        result = await mcp.call_tool(bob, name, **arguments)
        assert "isError" not in result, (name, result)
        items = result["structuredContent"][key]
        assert [item["id"] for item in items] == expected, name
        assert SECRET not in json.dumps(result), name
    by_name = await mcp.call_tool(bob, "list_tasks", project=f"{SECRET} project")
    assert _error_text(by_name) == f"Project '{SECRET} project' was not found."
    clock = await mcp.call_tool(bob, "get_time")
    assert SECRET not in json.dumps(clock)
    # Project names are unique across TaskManager users (README "Errors"): Bob learns
    # that the name he typed is taken, and nothing else (not the owner, not the id).
    taken = await mcp.call_tool(bob, "create_project", name=f"{SECRET} project")
    assert _error_text(taken) == TAKEN.format(name=f"{SECRET} project")

    called = {*errors, *empty, "get_time", "create_project"}
    assert called == {tool.name for tool in default_registry().tools}

    mine = await mcp.call_tool(alice, "get_task", task_id=tid)
    assert mine["structuredContent"]["task"]["title"] == f"{SECRET} task"
    assert mine["structuredContent"]["task"]["status"] == "pending"
    assert mine["structuredContent"]["task"]["project_id"] == pid
    listed = await mcp.call_tool(alice, "list_projects")
    assert [p["name"] for p in listed["structuredContent"]["projects"]] == [f"{SECRET} project"]

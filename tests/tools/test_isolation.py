"""User B never sees or touches user A's tasks and projects through any tool
(taskmanager-api §5.5), on JAN with each user's own OAuth token and on DEC with one
service-account session per user. Includes TaskManager's leak: a task may be created
in another user's project upstream; the tools refuse it."""

from __future__ import annotations

from tests.tools.support import Agent, Upstream


async def _alices_things(alice: Agent, upstream: Upstream) -> tuple[int, int]:
    project = await alice.taskmanager.create_project(f"Secret plans {upstream.revision}")
    task = await alice.taskmanager.create_task(
        "Secret surprise party", project_id=project.id, tags=["secret"]
    )
    return project.id, task.id


async def test_bob_sees_none_of_alices_data(alice: Agent, bob: Agent, upstream: Upstream) -> None:
    project_id, task_id = await _alices_things(alice, upstream)
    assert (await bob.ok("list_tasks", status="all"))["tasks"] == []
    assert (await bob.ok("get_all_tasks"))["tasks"] == []
    assert (await bob.ok("search_tasks", query="surprise"))["tasks"] == []
    assert (await bob.ok("list_projects"))["projects"] == []
    assert (await bob.ok("get_all_projects"))["projects"] == []
    assert (await bob.ok("search", query="secret"))["results"] == []
    assert await bob.error("get_task", task_id=task_id) == f"Task {task_id} was not found."
    assert await bob.error("fetch", id=f"task_{task_id}") == f"Task {task_id} was not found."
    assert await bob.error("fetch", id=f"project_{project_id}") == (
        f"Project {project_id} was not found."
    )
    assert await bob.error("list_tasks", project_id=project_id) == (
        f"Project {project_id} was not found."
    )
    # alice still sees her own
    assert (await alice.ok("list_tasks"))["total"] == 1


async def test_bob_cannot_change_alices_tasks(alice: Agent, bob: Agent, upstream: Upstream) -> None:
    _, task_id = await _alices_things(alice, upstream)
    missing = f"Task {task_id} was not found."
    assert await bob.error("update_task", task_id=task_id, title="pwned") == missing
    assert await bob.error("complete_task", task_id=task_id) == missing
    assert await bob.error("reopen_task", task_id=task_id) == missing
    assert await bob.error("delete_task", task_id=task_id) == missing
    task = await alice.taskmanager.get_task(task_id)
    assert (task.title, task.status) == ("Secret surprise party", "pending")


async def test_bob_cannot_use_or_change_alices_projects(
    alice: Agent, bob: Agent, upstream: Upstream
) -> None:
    project_id, _ = await _alices_things(alice, upstream)
    missing = f"Project {project_id} was not found."
    assert await bob.error("create_task", title="sneak", project_id=project_id) == missing
    own = (await bob.ok("create_task", title="mine"))["task"]["id"]
    assert await bob.error("update_task", task_id=own, project_id=project_id) == missing
    assert await bob.error("update_project", project_id=project_id, name="taken") == missing
    assert await bob.error("delete_project", project_id=project_id) == missing
    assert (await alice.taskmanager.get_project(project_id)).name.startswith("Secret plans")
    assert (await alice.ok("list_tasks"))["total"] == 1

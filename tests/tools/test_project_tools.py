"""Project tools against the stand-in, on both revisions (taskmanager-api §4.1, §4.3):
counts, the global name namespace, partial updates and the soft delete."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.support import Agent, Upstream

JAN_ONLY = pytest.mark.parametrize("revision", ["jan"])


def _name(upstream: Upstream, base: str) -> str:
    """Project names are global across users; keep them distinct per revision."""
    return f"{base} {upstream.revision}"


async def test_create_project_with_defaults_and_with_everything(
    alice: Agent, upstream: Upstream
) -> None:
    plain = (await alice.ok("create_project", name=_name(upstream, "Plain")))["project"]
    assert plain["color"] == "#3b82f6"
    assert plain["description"] is None
    full = (
        await alice.ok(
            "create_project",
            name=_name(upstream, "Full"),
            description="all of it",
            color="#FF0000",
        )
    )["project"]
    assert (full["description"], full["color"]) == ("all of it", "#FF0000")
    assert full["id"] != plain["id"]


async def test_list_projects_counts_tasks_of_every_status(alice: Agent, upstream: Upstream) -> None:
    busy = (await alice.taskmanager.create_project(_name(upstream, "Busy"))).id
    idle = (await alice.taskmanager.create_project(_name(upstream, "Idle"))).id
    for title in ("a", "b"):
        await alice.taskmanager.create_task(title, project_id=busy)
    done = await alice.taskmanager.create_task("c", project_id=busy)
    await alice.taskmanager.complete_task(done.id)
    listed = await alice.ok("list_projects")
    counts = {project["id"]: project["task_count"] for project in listed["projects"]}
    assert counts == {busy: 3, idle: 0}
    assert listed["count"] == 2
    plain = await alice.ok("get_all_projects")
    assert [p["id"] for p in plain["projects"]] == [p["id"] for p in listed["projects"]]
    assert all("task_count" not in project for project in plain["projects"])


async def test_a_duplicate_of_ones_own_project_is_named(alice: Agent, upstream: Upstream) -> None:
    name = _name(upstream, "Mine")
    first = (await alice.ok("create_project", name=name))["project"]["id"]
    assert await alice.error("create_project", name=name) == (
        f"You already have a project named '{name}' (project {first})."
    )


async def test_a_name_taken_by_another_user_is_explained(
    alice: Agent, bob: Agent, upstream: Upstream
) -> None:
    name = _name(upstream, "Shared")
    await bob.ok("create_project", name=name)
    assert await alice.error("create_project", name=name) == (
        f"The project name '{name}' is already taken in TaskManager (names are unique "
        "across all users, deleted projects included)."
    )
    assert (await alice.ok("list_projects"))["projects"] == []


@JAN_ONLY
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "Missing required argument 'name'."),
        ({"name": " "}, "name must not be blank."),
        ({"name": "n" * 256}, "name must be at most 255 characters long."),
        ({"name": "x", "color": "blue"}, "color must be a colour as #RRGGBB, such as #3b82f6."),
        ({"name": "x", "description": "d" * 1001},
         "description must be at most 1000 characters long."),
    ],
)  # fmt: skip
async def test_create_project_argument_errors(
    alice: Agent, arguments: dict[str, Any], message: str
) -> None:
    assert await alice.error("create_project", **arguments) == message


async def test_update_project_changes_only_what_is_given(alice: Agent, upstream: Upstream) -> None:
    project = await alice.taskmanager.create_project(
        _name(upstream, "Before"), description="keep", color="#000000"
    )
    renamed = (
        await alice.ok(
            "update_project", project_id=f"project_{project.id}", name=_name(upstream, "After")
        )
    )["project"]
    assert (renamed["name"], renamed["description"], renamed["color"]) == (
        _name(upstream, "After"),
        "keep",
        "#000000",
    )
    cleared = await alice.ok("update_project", project_id=project.id, description=None)
    assert cleared["project"]["description"] is None
    recolored = await alice.ok("update_project", project_id=project.id, color="#123abc")
    assert recolored["project"]["color"] == "#123abc"


async def test_update_project_refusals(alice: Agent, bob: Agent, upstream: Upstream) -> None:
    mine = (await alice.taskmanager.create_project(_name(upstream, "One"))).id
    other = (await alice.taskmanager.create_project(_name(upstream, "Two"))).id
    await bob.taskmanager.create_project(_name(upstream, "Bobs"))
    assert await alice.error("update_project", project_id=mine) == (
        "Nothing to change: give at least one of name, description, color."
    )
    assert await alice.error("update_project", project_id=mine, name=None) == (
        "name cannot be null."
    )
    assert await alice.error("update_project", project_id=999, color="#000000") == (
        "Project 999 was not found."
    )
    assert await alice.error("update_project", project_id=mine, name=_name(upstream, "Two")) == (
        f"You already have a project named '{_name(upstream, 'Two')}' (project {other})."
    )
    taken = await alice.error("update_project", project_id=mine, name=_name(upstream, "Bobs"))
    assert taken.startswith(f"The project name '{_name(upstream, 'Bobs')}' is already taken")
    assert (await alice.taskmanager.get_project(mine)).name == _name(upstream, "One")


async def test_renaming_a_project_to_its_own_name_is_allowed(
    alice: Agent, upstream: Upstream
) -> None:
    project = await alice.taskmanager.create_project(_name(upstream, "Same"))
    result = await alice.ok("update_project", project_id=project.id, name=project.name)
    assert result["project"]["name"] == project.name


async def test_delete_project_keeps_its_tasks(alice: Agent, upstream: Upstream) -> None:
    name = _name(upstream, "Gone")
    project = await alice.taskmanager.create_project(name)
    task = await alice.taskmanager.create_task("survivor", project_id=project.id)
    assert await alice.ok("delete_project", project_id=project.id) == {
        "deleted": True,
        "id": project.id,
        "name": name,
    }
    assert (await alice.ok("list_projects"))["projects"] == []
    assert (await alice.ok("get_task", task_id=task.id))["task"]["project"] == name
    assert await alice.error("delete_project", project_id=project.id) == (
        f"Project {project.id} was not found."
    )
    assert (await alice.error("create_project", name=name)).startswith("The project name")


async def test_delete_project_needs_a_valid_id(alice: Agent) -> None:
    assert await alice.error("delete_project", project_id="seven") == (
        "project_id must be a project id such as 42 or 'project_42'."
    )
    assert await alice.error("delete_project") == "Missing required argument 'project_id'."

"""Projects and categories (taskmanager-api §4.1, §4.3, §5.2)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DUPLICATE = 'duplicate key value violates unique constraint "projects_name_key"'


def server_error(message: str) -> dict[str, Any]:
    return {"error": {"code": "SERVER_001", "message": message}}


async def _create(client: TestClient, **body: Any) -> Any:
    response = await client.post("/api/projects", json=body)
    assert response.status == 201, await response.text()
    created = await response.json()
    return created["data"]["id"] if "data" in created else created["id"]


async def expect_500(response: Any, revision: str, message: str) -> None:
    """DEC: empty body, no headers at all; JAN: SERVER_001 with the database message."""
    assert response.status == 500
    if revision == "dec":
        assert await response.read() == b""
        assert "Content-Type" not in response.headers
        assert "X-Frame-Options" not in response.headers
    else:
        assert await response.json() == server_error(message)


@pytest.mark.parametrize(
    ("revision", "body"),
    [("dec", {"id": 1}), ("jan", {"data": {"id": 1, "name": "Home"}})],
)
async def test_create_answers_the_revision_envelope(alice: TestClient, body: Any) -> None:
    response = await alice.post("/api/projects", json={"name": "Home"})
    assert (response.status, await response.json()) == (201, body)


async def test_a_project_row_has_the_documented_fields_and_defaults(alice: TestClient) -> None:
    project_id = await _create(alice, name="Home")
    response = await alice.get(f"/api/projects/{project_id}")
    project = await response.json()
    assert response.status == 200
    assert list(project) == [
        "id", "name", "description", "color", "created_at", "updated_at", "is_active", "user_id",
    ]  # fmt: skip
    assert (project["description"], project["color"]) == ("", "#3b82f6")
    assert (project["is_active"], project["user_id"]) == (True, 1)
    assert ISO_MS.match(project["created_at"])
    assert project["updated_at"] == project["created_at"]


async def test_the_list_is_active_projects_in_byte_order(alice: TestClient) -> None:
    for name in ["beta", "Alpha", "alpha", "Zed"]:
        await _create(alice, name=name)
    gone = await _create(alice, name="Gone")
    assert (await alice.delete(f"/api/projects/{gone}")).status == 200
    names = [p["name"] for p in await (await alice.get("/api/projects")).json()]
    assert names == ["Alpha", "Zed", "alpha", "beta"]


async def test_colours_are_not_validated_but_limited_to_seven_characters(
    alice: TestClient, revision: str
) -> None:
    blue = await _create(alice, name="Blue", color="blue")
    assert (await (await alice.get(f"/api/projects/{blue}")).json())["color"] == "blue"
    response = await alice.post("/api/projects", json={"name": "Long", "color": "#1234567"})
    await expect_500(response, revision, "value too long for type character varying(7)")


async def test_names_are_unique_across_users_and_deleted_projects(
    alice: TestClient, bob: TestClient, revision: str
) -> None:
    """§4.1: case-sensitive, global, deleted ones still reserved → 500."""
    first = await _create(alice, name="Shared Name")
    await _create(bob, name="shared name")
    await expect_500(
        await bob.post("/api/projects", json={"name": "Shared Name"}), revision, DUPLICATE
    )
    await alice.delete(f"/api/projects/{first}")
    await expect_500(
        await alice.post("/api/projects", json={"name": "Shared Name"}), revision, DUPLICATE
    )


@pytest.mark.parametrize(
    ("revision", "body", "status"),
    [("dec", {}, 500), ("dec", {"name": ""}, 201), ("jan", {}, 400), ("jan", {"name": ""}, 400)],
)
async def test_missing_and_empty_names(alice: TestClient, body: Any, status: int) -> None:
    response = await alice.post("/api/projects", json=body)
    assert response.status == status
    if status == 400:
        assert await response.json() == {
            "error": {"code": "VALIDATION_002", "message": "Project name is required"}
        }


@pytest.mark.parametrize(
    ("revision", "not_found", "bad_id"),
    [
        ("dec", {"error": "Project not found"}, {"error": "Invalid project ID"}),
        (
            "jan",
            {"error": {"code": "NOT_FOUND_001", "message": "Project not found"}},
            {"error": {"code": "VALIDATION_003", "message": "Project ID must be a valid integer"}},
        ),
    ],
)
async def test_get_and_delete_errors(alice: TestClient, not_found: Any, bad_id: Any) -> None:
    for method in ("GET", "DELETE"):
        missing = await alice.request(method, "/api/projects/999")
        assert (missing.status, await missing.json()) == (404, not_found)
        bad = await alice.request(method, "/api/projects/abc")
        assert (bad.status, await bad.json()) == (400, bad_id)
    assert (await alice.put("/api/projects/abc", json={"name": "x"})).status == 400


@pytest.mark.parametrize(
    ("revision", "body"), [("dec", {"success": True}), ("jan", {"updated": True})]
)
async def test_put_is_a_partial_update(alice: TestClient, body: Any) -> None:
    project_id = await _create(alice, name="Home", description="d", color="#000000")
    response = await alice.put(f"/api/projects/{project_id}", json={"color": "#ffffff", "x": 1})
    assert (response.status, await response.json()) == (200, body)
    project = await (await alice.get(f"/api/projects/{project_id}")).json()
    assert (project["name"], project["description"], project["color"]) == ("Home", "d", "#ffffff")


@pytest.mark.parametrize(
    ("revision", "status", "body"),
    [
        ("dec", 200, {"success": True}),
        ("jan", 404, {"error": {"code": "NOT_FOUND_001", "message": "Project not found"}}),
    ],
)
async def test_put_on_a_missing_or_deleted_project(
    alice: TestClient, status: int, body: Any
) -> None:
    """§4.1: DEC 200 with nothing changed; JAN 404."""
    gone = await _create(alice, name="Gone")
    await alice.delete(f"/api/projects/{gone}")
    for project_id in (999, gone):
        response = await alice.put(f"/api/projects/{project_id}", json={"name": "Back"})
        assert (response.status, await response.json()) == (status, body)
    assert await (await alice.get("/api/projects")).json() == []


async def test_put_with_nothing_to_update_or_a_taken_name_is_500(
    alice: TestClient, revision: str
) -> None:
    project_id = await _create(alice, name="Home")
    await _create(alice, name="Work")
    for body in ({}, {"bogus": 1}):
        response = await alice.put(f"/api/projects/{project_id}", json=body)
        await expect_500(response, revision, "No valid fields to update")
    taken = await alice.put(f"/api/projects/{project_id}", json={"name": "Work"})
    await expect_500(taken, revision, DUPLICATE)


@pytest.mark.parametrize(
    ("revision", "body"), [("dec", {"success": True}), ("jan", {"deleted": True})]
)
async def test_delete_is_soft(alice: TestClient, body: Any) -> None:
    project_id = await _create(alice, name="Home")
    task = await alice.post("/api/todos", json={"title": "t", "project_id": project_id})
    task_id = (await task.json()).get("id") or (await task.json())["data"]["id"]
    response = await alice.delete(f"/api/projects/{project_id}")
    assert (response.status, await response.json()) == (200, body)
    assert (await alice.get(f"/api/projects/{project_id}")).status == 404
    assert (await alice.delete(f"/api/projects/{project_id}")).status == 404
    assert await (await alice.get("/api/categories")).json() == {"categories": []}
    kept = await (await alice.get(f"/api/todos/{task_id}")).json()
    assert (kept["project_id"], kept["project_name"]) == (project_id, "Home")
    listed = await (await alice.get(f"/api/todos?project_id={project_id}")).json()
    assert [t["category"] for t in listed["tasks"]] == ["Home"]
    created = await alice.post("/api/todos", json={"title": "u", "category": "Home"})
    new_id = (await created.json()).get("id") or (await created.json())["data"]["id"]
    assert (await (await alice.get(f"/api/todos/{new_id}")).json())["project_id"] is None


async def test_a_non_json_body_is_500(alice: TestClient, revision: str) -> None:
    response = await alice.post("/api/projects", data="name=x")
    await expect_500(response, revision, "Unexpected token 'n', \"name=x\" is not valid JSON")


async def test_categories_count_tasks_of_every_status(alice: TestClient, bob: TestClient) -> None:
    """§4.3: active projects by name, with the caller's task counts, zero included."""
    home = await _create(alice, name="Home")
    await _create(alice, name="Empty")
    for title in ("a", "b"):
        created = await alice.post("/api/todos", json={"title": title, "project_id": home})
        body = await created.json()
        task_id = body.get("id") or body["data"]["id"]
    await alice.post(f"/api/todos/{task_id}/complete")
    await bob.post("/api/todos", json={"title": "bob's", "project_id": home})
    response = await alice.get("/api/categories")
    assert await response.json() == {
        "categories": [{"name": "Empty", "task_count": 0}, {"name": "Home", "task_count": 2}]
    }
    assert await (await bob.get("/api/categories")).json() == {"categories": []}

"""Task helpers for the stand-in tests (both revisions' create envelopes)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient


async def create_task(client: TestClient, **body: Any) -> int:
    response = await client.post("/api/todos", json=body)
    assert response.status == 201, await response.text()
    created = await response.json()
    task_id: int = created["data"]["id"] if "data" in created else created["id"]
    return task_id


async def create_project(client: TestClient, name: str, **body: Any) -> int:
    response = await client.post("/api/projects", json={"name": name} | body)
    assert response.status == 201, await response.text()
    created = await response.json()
    project_id: int = created["data"]["id"] if "data" in created else created["id"]
    return project_id


async def task_row(client: TestClient, task_id: int) -> Any:
    response = await client.get(f"/api/todos/{task_id}")
    assert response.status == 200, await response.text()
    return await response.json()


async def listed(client: TestClient, query: str = "") -> list[Any]:
    response = await client.get(f"/api/todos{query}")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert list(body) == ["tasks"]
    tasks: list[Any] = body["tasks"]
    return tasks


async def titles(client: TestClient, query: str = "") -> list[str]:
    return [task["title"] for task in await listed(client, query)]


async def expect_500(response: Any, revision: str, message: str) -> None:
    """DEC: empty body, no headers at all; JAN: SERVER_001 with the database message."""
    assert response.status == 500
    if revision == "dec":
        assert await response.read() == b""
        assert "Content-Type" not in response.headers
    else:
        assert await response.json() == {"error": {"code": "SERVER_001", "message": message}}


# Error bodies the stand-in imitates (PostgreSQL messages; per-revision envelopes).
PRIORITY_CHECK = 'new row for relation "todos" violates check constraint "todos_priority_check"'
PROJECT_FKEY = (
    'insert or update on table "todos" violates foreign key constraint "todos_project_id_fkey"'
)
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
NOT_FOUND = {
    "dec": {"error": "Todo not found"},
    "jan": {"error": {"code": "NOT_FOUND_004", "message": "Task not found"}},
}
BAD_ID = {
    "dec": {"error": "Invalid todo ID"},
    "jan": {"error": {"code": "VALIDATION_003", "message": "Todo ID must be a valid integer"}},
}

"""Tasks ("todos") (§4.2, §4.4, §5.1).

Rows come back joined with their project (deleted projects included), in the list
order of §4.2: ``priority`` descending *as a string* with NULL first (the effective
order is null, urgent, medium, low, high), then ``created_at`` ascending.

Values arrive already checked and formatted by ``taskmcp.standin.columns``; this
module only checks the ``project_id`` foreign key, with PostgreSQL's message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aiosqlite

from taskmcp.standin.store.db import ConstraintError, Database, Params, fetch_one
from taskmcp.standin.store.models import Task

__all__ = ["TASK_COLUMNS", "TaskQuery", "TaskRepo"]

Value = str | int | None

TASK_COLUMNS = frozenset(
    {
        "project_id", "title", "description", "priority", "estimated_hours",
        "actual_hours", "status", "due_date", "completed_date", "tags", "context",
        "time_horizon",
    }
)  # fmt: skip
FK_MESSAGE = (
    'insert or update on table "todos" violates foreign key constraint "todos_project_id_fkey"'
)
_SELECT = """SELECT t.*, p.name AS project_name, p.color AS project_color
    FROM todos t LEFT JOIN projects p ON p.id = t.project_id WHERE t.user_id = :user"""
_ORDER = " ORDER BY t.priority IS NULL DESC, t.priority DESC, t.created_at, t.id"


@dataclass(frozen=True)
class TaskQuery:
    """Filters of ``GET /api/todos`` once parsed; ``None`` means "no filter"."""

    project_id: int | None = None
    category: str | None = None
    status: str | None = None
    overdue_on: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    limit: int | None = None

    def where(self) -> tuple[str, dict[str, object]]:
        clauses = {
            "project_id": " AND t.project_id = :project_id",
            "category": " AND p.name = :category",
            "status": " AND t.status = :status",
            "overdue_on": " AND t.status = 'pending' AND t.due_date < :overdue_on",
            "start_date": " AND t.due_date >= :start_date",
            "end_date": " AND t.due_date <= :end_date",
        }
        given = {key: getattr(self, key) for key in clauses if getattr(self, key) is not None}
        sql = "".join(clauses[key] for key in given) + _ORDER
        if self.limit is not None:
            sql, given["limit"] = sql + " LIMIT :limit", self.limit
        return sql, given


def _assignments(fields: Mapping[str, Value]) -> str:
    if not set(fields) <= TASK_COLUMNS:
        raise ValueError("unknown task column")
    return ", ".join(f"{column} = :{column}" for column in fields)


async def _check_project(conn: aiosqlite.Connection, fields: Mapping[str, Value]) -> None:
    project_id = fields.get("project_id")
    if project_id is None:
        return
    if await fetch_one(conn, "SELECT 1 FROM projects WHERE id = :id", {"id": project_id}) is None:
        raise ConstraintError(FK_MESSAGE)


class TaskRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, user_id: int, fields: Mapping[str, Value], *, now: str) -> int:
        columns = ", ".join(["user_id", "created_at", "updated_at", *fields])
        values = ", ".join([":user", ":now", ":now", *(f":{column}" for column in fields)])
        _assignments(fields)  # validates the column names
        sql = f"INSERT INTO todos ({columns}) VALUES ({values}) RETURNING id"  # noqa: S608
        async with self._db.write() as conn:
            await _check_project(conn, fields)
            row = await fetch_one(conn, sql, {**fields, "user": user_id, "now": now})
        assert row is not None
        return int(row["id"])

    async def get(self, task_id: int, user_id: int) -> Task | None:
        row = await self._db.one(_SELECT + " AND t.id = :id", {"user": user_id, "id": task_id})
        return None if row is None else Task.from_row(row)

    async def find(self, user_id: int, query: TaskQuery) -> list[Task]:
        where, params = query.where()
        rows = await self._db.all(_SELECT + where, {**params, "user": user_id})
        return [Task.from_row(row) for row in rows]

    async def update(
        self, task_id: int, user_id: int, fields: Mapping[str, Value], *, now: str
    ) -> bool:
        sql = (
            f"UPDATE todos SET {_assignments(fields)}, updated_at = :now"  # noqa: S608
            " WHERE id = :id AND user_id = :user RETURNING id"
        )
        params: Params = {**fields, "now": now, "id": task_id, "user": user_id}
        async with self._db.write() as conn:
            await _check_project(conn, fields)
            return await fetch_one(conn, sql, params) is not None

    async def complete(self, task_id: int, user_id: int, *, now: str) -> None:
        """Mark the user's task completed now; silently nothing for another's (§4.2)."""
        sql = """UPDATE todos SET status = 'completed', completed_date = :now,
            updated_at = :now WHERE id = :id AND user_id = :user"""
        async with self._db.write() as conn:
            await conn.execute(sql, {"id": task_id, "user": user_id, "now": now})

    async def delete(self, task_id: int, user_id: int) -> bool:
        sql = "DELETE FROM todos WHERE id = :id AND user_id = :user RETURNING id"
        async with self._db.write() as conn:
            return await fetch_one(conn, sql, {"id": task_id, "user": user_id}) is not None

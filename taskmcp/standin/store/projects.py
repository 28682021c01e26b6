"""Projects (§4.1, §4.3, §5.2).

Names are unique across all users, case-sensitively, deleted projects included (the
UNIQUE constraint reports PostgreSQL's ``projects_name_key``). Deleting is soft. Lists
are ordered by name in byte order, like the upstream database collation.
"""

from __future__ import annotations

from collections.abc import Mapping

from taskmcp.standin.store.db import Database, fetch_one
from taskmcp.standin.store.models import Project

__all__ = ["PROJECT_COLUMNS", "ProjectRepo"]

PROJECT_COLUMNS = ("name", "description", "color")

_INSERT = """INSERT INTO projects (name, description, color, created_at, updated_at, user_id)
    VALUES (:name, :description, :color, :now, :now, :user) RETURNING *"""
_CATEGORIES = """SELECT p.name AS name,
        (SELECT count(*) FROM todos t WHERE t.project_id = p.id AND t.user_id = :u)
        AS task_count
    FROM projects p WHERE p.user_id = :u AND p.is_active = 1 ORDER BY p.name"""


class ProjectRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def active(self, user_id: int) -> list[Project]:
        sql = "SELECT * FROM projects WHERE user_id = :u AND is_active = 1 ORDER BY name"
        return [Project.from_row(row) for row in await self._db.all(sql, {"u": user_id})]

    async def get(self, project_id: int, user_id: int) -> Project | None:
        """The user's project if it is still active."""
        sql = "SELECT * FROM projects WHERE id = :id AND user_id = :u AND is_active = 1"
        row = await self._db.one(sql, {"id": project_id, "u": user_id})
        return None if row is None else Project.from_row(row)

    async def exists(self, project_id: int) -> bool:
        """Any project with this id, anyone's, deleted or not (a foreign-key check)."""
        row = await self._db.one("SELECT 1 FROM projects WHERE id = :id", {"id": project_id})
        return row is not None

    async def find_by_name(self, user_id: int, name: str) -> int | None:
        """Case-insensitive lookup among the user's active projects (§4.2 ``category``)."""
        wanted = name.lower()
        return next((p.id for p in await self.active(user_id) if p.name.lower() == wanted), None)

    async def create(
        self, user_id: int, *, name: str, description: str, color: str, now: str
    ) -> Project:
        params = {"name": name, "description": description, "color": color}
        async with self._db.write() as conn:
            row = await fetch_one(conn, _INSERT, {**params, "now": now, "user": user_id})
        assert row is not None
        return Project.from_row(row)

    async def update(
        self, project_id: int, user_id: int, fields: Mapping[str, str], *, now: str
    ) -> bool:
        """Set ``fields`` (a subset of ``PROJECT_COLUMNS``) on the user's active project."""
        if not fields or not set(fields) <= set(PROJECT_COLUMNS):
            raise ValueError("fields must be a non-empty subset of PROJECT_COLUMNS")
        assignments = ", ".join(f"{column} = :{column}" for column in fields)
        sql = (
            f"UPDATE projects SET {assignments}, updated_at = :now"  # noqa: S608 (fixed names)
            " WHERE id = :id AND user_id = :u AND is_active = 1 RETURNING id"
        )
        async with self._db.write() as conn:
            row = await fetch_one(conn, sql, {**fields, "now": now, "id": project_id, "u": user_id})
        return row is not None

    async def deactivate(self, project_id: int, user_id: int, *, now: str) -> bool:
        sql = """UPDATE projects SET is_active = 0, updated_at = :now
            WHERE id = :id AND user_id = :u AND is_active = 1 RETURNING id"""
        async with self._db.write() as conn:
            row = await fetch_one(conn, sql, {"id": project_id, "u": user_id, "now": now})
        return row is not None

    async def categories(self, user_id: int) -> list[tuple[str, int]]:
        """(name, the user's task count across all statuses) per active project."""
        rows = await self._db.all(_CATEGORIES, {"u": user_id})
        return [(str(row["name"]), int(row["task_count"])) for row in rows]

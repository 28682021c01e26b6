"""Typed TaskManager records, normalised from every shape the API returns.

TaskManager returns tasks in three shapes (row, list, search; taskmanager-api §4.2)
and is inconsistent about types (§6). The validators here absorb every quirk so that
the rest of taskmcp sees one shape:

* ids: ``6`` or ``"task_6"`` → ``6`` (§6.6);
* decimals as strings: ``"2.50"`` → ``Decimal("2.50")`` (§6.7);
* dates: ``"2026-12-31"`` or ``"2026-12-31T00:00:00.000Z"`` → ``date(2026, 12, 31)``;
  timestamps with or without a time part → aware ``datetime`` (a date-only value is
  midnight UTC) (§6.8);
* ``tags`` as a list, a JSON-encoded string, or null → ``list[str]`` (§6.10);
* ``description`` ``""`` or null → ``None``; ``category`` → ``project_name`` (§6.9).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "PRIORITIES",
    "STATUSES",
    "Category",
    "Priority",
    "Project",
    "Task",
    "TaskStatus",
    "User",
    "parse_task_id",
]

Priority = Literal["low", "medium", "high", "urgent"]
TaskStatus = Literal["pending", "in_progress", "completed", "cancelled"]
PRIORITIES: tuple[Priority, ...] = ("low", "medium", "high", "urgent")
STATUSES: tuple[TaskStatus, ...] = ("pending", "in_progress", "completed", "cancelled")


def parse_task_id(value: object) -> int:
    """``42``, ``"42"`` or ``"task_42"`` → ``42``; anything else raises ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError("task id must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().removeprefix("task_")
        if text.isascii() and text.isdigit():
            return int(text)
    raise ValueError("task id must be an integer or 'task_<n>'")


def _to_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise ValueError("not a date")


def _to_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value
    raise ValueError("not a timestamp")


def _to_tags(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(tag) for tag in value]
    return [str(value)]


def _to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class User(_Record):
    id: int
    username: str
    email: str | None = None


class Project(_Record):
    id: int
    name: str
    description: str | None = None
    color: str | None = None
    is_active: bool = True
    user_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("created_at", "updated_at", mode="before")
    @classmethod
    def _times(cls, value: object) -> datetime | None:
        return _to_datetime(value)

    @field_validator("description", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


class Category(_Record):
    """A TaskManager "category": the name of an active project, with its task count."""

    name: str
    task_count: int = 0


class Task(_Record):
    id: int
    title: str
    description: str | None = None
    status: str = "pending"
    priority: str | None = None
    due_date: date | None = None
    project_id: int | None = None
    project_name: str | None = None
    project_color: str | None = None
    tags: list[str] = Field(default_factory=list)
    estimated_hours: Decimal | None = None
    actual_hours: Decimal | None = None
    completed_at: datetime | None = None
    context: str | None = None
    time_horizon: str | None = None
    user_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "id" in data:
            data["id"] = parse_task_id(data["id"])
        if data.get("project_name") is None and data.get("category") is not None:
            data["project_name"] = data["category"]
        if "completed_at" not in data and "completed_date" in data:
            data["completed_at"] = data["completed_date"]
        if data.get("description") == "":
            data["description"] = None
        return data

    @field_validator("due_date", mode="before")
    @classmethod
    def _date(cls, value: object) -> date | None:
        return _to_date(value)

    @field_validator("created_at", "updated_at", "completed_at", mode="before")
    @classmethod
    def _times(cls, value: object) -> datetime | None:
        return _to_datetime(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> list[str]:
        return _to_tags(value)

    @field_validator("estimated_hours", "actual_hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> Decimal | None:
        return _to_decimal(value)

"""Records of the stand-in store: immutable pydantic models built from SQLite rows.

Timestamps stay in their wire format (ISO text with milliseconds and ``Z``); ``tags``
holds the stored JSON value, which is an array or, after a JAN string update, a string
(§4.2).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, JsonValue, field_validator

__all__ = ["AuthCode", "OAuthClient", "Project", "Task", "User"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Self:
        return cls.model_validate(dict(row))


class User(_Record):
    id: int
    username: str
    email: str
    password_hash: str


class OAuthClient(_Record):
    id: int
    client_id: str
    secret_hash: str | None
    name: str
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    is_public: bool
    is_active: bool
    created_at: str
    user_id: int

    @field_validator("redirect_uris", "grant_types", "scopes", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        """The columns hold JSON arrays, as TaskManager returns them (§3.2)."""
        return json.loads(value) if isinstance(value, str) else value


class AuthCode(_Record):
    client_id: str
    user_id: int
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None


class Project(_Record):
    id: int
    name: str
    description: str
    color: str
    created_at: str
    updated_at: str
    is_active: bool
    user_id: int


class Task(_Record):
    id: int
    project_id: int | None
    title: str
    description: str | None
    priority: str | None
    estimated_hours: str | None
    actual_hours: str | None
    status: str
    due_date: str | None
    completed_date: str | None
    tags: JsonValue
    context: str | None
    created_at: str
    updated_at: str
    user_id: int
    time_horizon: str | None
    project_name: str | None
    project_color: str | None

    @field_validator("tags", mode="before")
    @classmethod
    def _decode_tags(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

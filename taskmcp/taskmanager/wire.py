"""Reading TaskManager's success bodies: JSON parsing and envelope unwrapping (§1.1, §6.2)."""

from __future__ import annotations

import json
from typing import Any

from taskmcp.taskmanager.errors import UpstreamUnavailableError

__all__ = ["list_of", "new_id", "parse_json", "unwrap"]


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise UpstreamUnavailableError("TaskManager sent an unreadable response") from exc


def unwrap(data: Any) -> Any:
    """JAN wraps some bodies in ``{"data": …}``; DEC does not."""
    if isinstance(data, dict) and "data" in data:
        return data["data"]
    return data


def list_of(data: Any, key: str) -> list[dict[str, Any]]:
    """A bare array, ``{key: [...]}`` or ``{"data": …}`` of either → the list of objects."""
    data = unwrap(data)
    if isinstance(data, dict):
        data = data.get(key)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UpstreamUnavailableError("TaskManager sent an unexpected response")
    return data


def new_id(data: Any) -> int:
    """The id of a created object from a minimal create response (§6.3)."""
    data = unwrap(data)
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UpstreamUnavailableError("TaskManager did not return the new object's id")
    try:
        return int(str(value).removeprefix("task_"))
    except ValueError as exc:
        raise UpstreamUnavailableError("TaskManager did not return the new object's id") from exc

"""Small builders for the tools' JSON Schemas (dialect 2020-12, mcp-protocol §6).

Every ``inputSchema`` is an object schema with ``additionalProperties: false``; the
argument models in ``taskmcp.tools.arguments`` enforce the same rules (the transport
does not validate arguments against the schema). The property schemas shared by
several tools live here so that every tool describes an id, a date or a priority the
same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from taskmcp.taskmanager import PRIORITIES, STATUSES

__all__ = [
    "CURSOR",
    "DAY",
    "DIALECT",
    "LIMIT",
    "LIST_STATUS",
    "PRIORITY",
    "PROJECT_ID",
    "STATUS",
    "TAGS",
    "TASK_ID",
    "JsonObject",
    "array",
    "boolean",
    "enum",
    "integer",
    "nullable",
    "obj",
    "string",
]

JsonObject = dict[str, Any]
DIALECT = "https://json-schema.org/draft/2020-12/schema"
INT4_MAX = 2**31 - 1
MAX_LIMIT = 100
DEFAULT_LIMIT = 25


def obj(
    properties: Mapping[str, JsonObject] | None = None,
    *,
    required: Iterable[str] = (),
    description: str | None = None,
) -> JsonObject:
    """A closed object schema; ``properties`` keep their order (it is what clients show)."""
    schema: JsonObject = {"type": "object"}
    if description:
        schema["description"] = description
    if properties:
        schema["properties"] = dict(properties)
    needed = list(required)
    if needed:
        schema["required"] = needed
    schema["additionalProperties"] = False
    return schema


def string(description: str | None = None, **keywords: object) -> JsonObject:
    return _with_description({"type": "string", **keywords}, description)


def integer(description: str | None = None, **keywords: object) -> JsonObject:
    return _with_description({"type": "integer", **keywords}, description)


def boolean(description: str | None = None) -> JsonObject:
    return _with_description({"type": "boolean"}, description)


def enum(values: Iterable[str], description: str | None = None) -> JsonObject:
    return _with_description({"type": "string", "enum": list(values)}, description)


def array(items: JsonObject, description: str | None = None, **keywords: object) -> JsonObject:
    return _with_description({"type": "array", "items": items, **keywords}, description)


def nullable(schema: JsonObject) -> JsonObject:
    """``schema`` or ``null``; the description moves to the outside."""
    inner = {key: value for key, value in schema.items() if key != "description"}
    return _with_description({"anyOf": [inner, {"type": "null"}]}, schema.get("description"))


def _with_description(schema: JsonObject, description: object) -> JsonObject:
    return {"description": description, **schema} if description else schema


def _prefixed_id(prefix: str, description: str) -> JsonObject:
    return {
        "description": description,
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": INT4_MAX},
            {"type": "string", "pattern": f"^({prefix}_)?[0-9]+$"},
        ],
    }


TASK_ID = _prefixed_id("task", "Task id: 42 or 'task_42'")
PROJECT_ID = _prefixed_id("project", "Project id: 7 or 'project_7'")
DAY = {
    "description": "A date as YYYY-MM-DD, or 'today' / 'tomorrow' (UTC)",
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "enum": ["today", "tomorrow"]},
    ],
}
PRIORITY = enum(PRIORITIES, "Priority")
STATUS = enum(STATUSES, "Task status")
LIST_STATUS = enum(
    (*STATUSES, "overdue", "all"),
    "Task status; 'overdue' = pending and due before today (UTC); 'all' (default) = any",
)
TAGS = array(
    string(minLength=1, maxLength=50),
    "Tags (labels) of the task",
    maxItems=20,
    uniqueItems=True,
)
LIMIT = integer(
    f"Maximum number of tasks to return (default {DEFAULT_LIMIT})",
    minimum=1,
    maximum=MAX_LIMIT,
    default=DEFAULT_LIMIT,
)
CURSOR = string("Opaque cursor from a previous result's next_cursor", minLength=1)

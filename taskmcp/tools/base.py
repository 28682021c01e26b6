"""The interface between the MCP transport and the tools (mcp-protocol §6).

The transport owns JSON-RPC, authentication and scope checks; a tool owns its schema,
argument validation and result shaping, and talks to TaskManager only through the
``TaskManagerClient`` it is handed (architecture: tools never touch HTTP requests or
tokens).

Contract:

* ``tools/list`` lists ``ToolRegistry.tools`` in registration order (deterministic).
* Before ``Tool.call`` the transport has checked that ``tool.scope`` is among the
  caller's scopes; if not, it answers HTTP 403 ``insufficient_scope`` (step-up).
* ``Tool.call`` returns a ``ToolResult``. Invalid arguments and business failures
  (not found, validation, TaskManager unreachable) are ``ToolResult.error(...)``,
  i.e. ``isError: true`` with one clear sentence. A tool lets
  ``taskmcp.taskmanager.NotAuthenticatedError`` propagate: the transport turns it
  into HTTP 401 with ``WWW-Authenticate`` so that the client re-authenticates
  (clients-in-the-wild §5: never hide an auth failure inside a tool result).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from taskmcp.taskmanager import TaskManagerClient

__all__ = [
    "READ",
    "WRITE",
    "Caller",
    "Progress",
    "Scope",
    "Tool",
    "ToolAnnotations",
    "ToolContext",
    "ToolHandler",
    "ToolRegistry",
    "ToolResult",
]

Scope = Literal["tasks:read", "tasks:write"]
READ: Scope = "tasks:read"
WRITE: Scope = "tasks:write"
JsonObject = dict[str, Any]
# One encoder for every result: ``json.dumps`` with options builds a new one per call.
_as_text = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True)
class Caller:
    """Who is calling, from the introspection result."""

    user_id: str
    client_id: str
    scopes: frozenset[str]


class Progress(Protocol):
    """Progress and log notifications for the current request. The transport hands a
    no-op implementation when the client asked for neither; a tool may always call it."""

    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None: ...

    async def log(self, level: str, data: object) -> None: ...


@dataclass(frozen=True)
class ToolContext:
    caller: Caller
    taskmanager: TaskManagerClient
    progress: Progress
    clock: Callable[[], datetime]


@dataclass(frozen=True)
class ToolResult:
    """A ``tools/call`` result: structured content plus the same JSON as text for
    clients that predate ``structuredContent`` (2025-06-18).

    ``content``, when given, replaces the single text block with these content blocks
    (``image``, ``audio``, ``resource``, ``resource_link``…), used as they are."""

    text: str
    structured: JsonObject | None = None
    is_error: bool = False
    content: Sequence[JsonObject] | None = None

    @classmethod
    def ok(cls, structured: JsonObject) -> ToolResult:
        return cls(text=_as_text(structured), structured=structured)

    @classmethod
    def error(cls, message: str) -> ToolResult:
        return cls(text=message, is_error=True)

    def to_wire(self) -> JsonObject:
        blocks = [{"type": "text", "text": self.text}] if self.content is None else self.content
        result: JsonObject = {"content": list(blocks)}
        if self.structured is not None:
            result["structuredContent"] = self.structured
        if self.is_error:
            result["isError"] = True
        return result


@dataclass(frozen=True)
class ToolAnnotations:
    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool = False

    def to_wire(self, title: str) -> JsonObject:
        return {
            "title": title,
            "readOnlyHint": self.read_only,
            "destructiveHint": self.destructive,
            "idempotentHint": self.idempotent,
            "openWorldHint": self.open_world,
        }


ToolHandler = Callable[[ToolContext, JsonObject], Awaitable[ToolResult]]


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    input_schema: JsonObject
    annotations: ToolAnnotations
    scope: Scope
    handler: ToolHandler
    output_schema: JsonObject | None = None
    client_capabilities: frozenset[str] = frozenset()
    """Client capabilities the tool relies on (e.g. ``"sampling"``). The transport
    refuses the call with -32021 when the client did not declare them (2026-07-28
    ``basic/lifecycle``: a server MUST NOT rely on undeclared capabilities)."""

    def descriptor(self) -> JsonObject:
        """The ``tools/list`` entry."""
        entry: JsonObject = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema,
            "annotations": self.annotations.to_wire(self.title),
        }
        if self.output_schema is not None:
            entry["outputSchema"] = self.output_schema
        return entry

    async def call(self, context: ToolContext, arguments: JsonObject) -> ToolResult:
        return await self.handler(context, arguments)


@dataclass(frozen=True)
class ToolRegistry:
    """An ordered, immutable set of tools with unique names."""

    tools: Sequence[Tool]
    _by_name: Mapping[str, Tool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_name = {tool.name: tool for tool in self.tools}
        if len(by_name) != len(self.tools):
            raise ValueError("tool names must be unique")
        object.__setattr__(self, "_by_name", by_name)

    @classmethod
    def of(cls, tools: Iterable[Tool]) -> ToolRegistry:
        return cls(tuple(tools))

    def get(self, name: str) -> Tool | None:
        return self._by_name.get(name)

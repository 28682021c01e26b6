"""Building a ``Tool`` from its parts: the pipeline every task and project tool runs.

``define_tool`` wires the steps each call goes through (style rule 27)::

    parse the arguments (ArgumentError → isError)
      → run the operation against ctx.taskmanager (ToolFailure → isError)
      → map TaskManager failures (taskmcp.tools.errors; NotAuthenticatedError propagates)
      → ToolResult.ok(structured), which also carries the JSON as a text block

so a tool module holds only its schema, its argument model and its operation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date
from typing import TypeVar

from taskmcp.taskmanager import NotAuthenticatedError, TaskManagerError
from taskmcp.tools.arguments import ArgumentError, Arguments, parse
from taskmcp.tools.base import (
    JsonObject,
    Scope,
    Tool,
    ToolAnnotations,
    ToolContext,
    ToolResult,
)
from taskmcp.tools.errors import ToolFailure, failure_result

__all__ = ["ADDITIVE", "DESTRUCTIVE", "IDEMPOTENT_WRITE", "READ_ONLY", "define_tool", "today"]

M = TypeVar("M", bound=Arguments)
Operation = Callable[[ToolContext, M], Awaitable[JsonObject]]

READ_ONLY = ToolAnnotations(read_only=True, destructive=False, idempotent=True)
ADDITIVE = ToolAnnotations(read_only=False, destructive=False, idempotent=False)
IDEMPOTENT_WRITE = ToolAnnotations(read_only=False, destructive=False, idempotent=True)
DESTRUCTIVE = ToolAnnotations(read_only=False, destructive=True, idempotent=True)


def today(context: ToolContext) -> date:
    """The calendar date of the context clock in UTC: what ``today`` means."""
    return context.clock().astimezone(UTC).date()


def define_tool(
    *,
    name: str,
    title: str,
    description: str,
    arguments: type[M],
    input_schema: JsonObject,
    output_schema: JsonObject,
    annotations: ToolAnnotations,
    scope: Scope,
    run: Operation[M],
) -> Tool:
    async def handler(context: ToolContext, raw: JsonObject) -> ToolResult:
        try:
            parsed = parse(arguments, raw, today=today(context))
            return ToolResult.ok(await run(context, parsed))
        except (ArgumentError, ToolFailure) as exc:
            return ToolResult.error(str(exc))
        except NotAuthenticatedError:
            raise
        except TaskManagerError as exc:
            return failure_result(name, exc)

    return Tool(
        name=name,
        title=title,
        description=description,
        input_schema=input_schema,
        annotations=annotations,
        scope=scope,
        handler=handler,
        output_schema=output_schema,
    )

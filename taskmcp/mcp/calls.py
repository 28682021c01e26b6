"""``tools/call``: the checks between a request and ``Tool.call`` (mcp-protocol §6, §8.1).

In order: the params shape (-32602), the tool exists (-32602 ``Unknown tool``), the
``Mcp-Param-*`` headers agree with the arguments (modern, -32020), the client declared
the capabilities the tool relies on (-32021), the caller holds the tool's scope
(HTTP 403 ``insufficient_scope``, step-up), a TaskManager client for the caller
(HTTP 401 if there is no upstream authorization). Then the tool runs.

A ``NotAuthenticatedError`` from the tool means the upstream credential is dead. In
``user`` mode that is the caller's to fix: HTTP 401 ``invalid_token`` so the client
re-authenticates (never an ``isError`` result hiding it, clients-in-the-wild §5), and
the cached introspection result is dropped. In ``service`` (or ``--no-auth``) mode it is
a server misconfiguration: logged, and a JSON-RPC internal error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from multidict import CIMultiDictProxy

from taskmcp.mcp.jsonrpc import (
    Era,
    InternalError,
    InvalidParams,
    JsonObject,
    MissingClientCapability,
)
from taskmcp.mcp.outbox import Outbox
from taskmcp.mcp.params import check_param_headers
from taskmcp.mcp.sessions import Session, SessionStore
from taskmcp.resource.access import AccessInfo, Upstream
from taskmcp.resource.errors import InsufficientScope, InvalidToken
from taskmcp.taskmanager import NotAuthenticatedError
from taskmcp.tools.base import Caller, Tool, ToolContext, ToolRegistry

__all__ = ["CallContext", "call_tool"]

log = logging.getLogger(__name__)


def _no_op() -> None:
    return None


@dataclass(frozen=True)
class CallContext:
    """Everything one request's dispatch may use."""

    era: Era
    protocol_version: str
    access: AccessInfo
    outbox: Outbox
    upstream: Upstream
    clock: Callable[[], datetime]
    client_capabilities: Mapping[str, Any] = field(default_factory=dict)
    headers: CIMultiDictProxy[str] | None = None  # modern only: Mcp-Param-* checks
    session: Session | None = None
    sessions: SessionStore | None = None
    forget_token: Callable[[], None] = _no_op


def _call_params(params: JsonObject) -> tuple[str, JsonObject]:
    name, arguments = params.get("name"), params.get("arguments")
    if not isinstance(name, str):
        raise InvalidParams("Invalid params: name must be a string")
    if arguments is None:
        return name, {}
    if not isinstance(arguments, dict):
        raise InvalidParams("Invalid params: arguments must be an object")
    return name, arguments


def _require_capabilities(tool: Tool, declared: Mapping[str, Any]) -> None:
    missing = sorted(cap for cap in tool.client_capabilities if cap not in declared)
    if missing:
        raise MissingClientCapability(
            f"The {tool.name} tool needs client capabilities: {', '.join(missing)}",
            data={"requiredCapabilities": {cap: {} for cap in missing}},
        )


def _require_scope(tool: Tool, access: AccessInfo) -> None:
    if tool.scope not in access.scopes:
        raise InsufficientScope(
            f"The {tool.name} tool needs the {tool.scope} scope", scope=tool.scope
        )


def _upstream_auth_failed(ctx: CallContext, tool: Tool) -> InvalidToken | InternalError:
    if ctx.upstream.auth_failure_is_client_error:
        ctx.forget_token()
        log.info(
            "TaskManager rejected the upstream token of %s; asking for sign-in", ctx.access.sub
        )
        return InvalidToken("TaskManager rejected the stored authorization; sign in again")
    log.error("TaskManager refused the configured credential during %s", tool.name)
    return InternalError("Internal error: the server's TaskManager credential was refused")


async def call_tool(ctx: CallContext, tools: ToolRegistry, params: JsonObject) -> JsonObject:
    name, arguments = _call_params(params)
    tool = tools.get(name)
    if tool is None:
        raise InvalidParams(f"Unknown tool: {name}", data={"name": name})
    if ctx.headers is not None:
        check_param_headers(tool.input_schema, arguments, ctx.headers)
    _require_capabilities(tool, ctx.client_capabilities)
    _require_scope(tool, ctx.access)
    context = ToolContext(
        caller=Caller(ctx.access.sub, ctx.access.client_id, ctx.access.scopes),
        taskmanager=ctx.upstream.client_for(ctx.access),
        progress=ctx.outbox,
        clock=ctx.clock,
    )
    try:
        result = await tool.call(context, arguments)
    except NotAuthenticatedError:
        raise _upstream_auth_failed(ctx, tool) from None
    return result.to_wire()

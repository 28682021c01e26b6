r"""The method table of each era, and running one request to its JSON-RPC reply.

==========================  ======  ======
method                      legacy  modern
==========================  ======  ======
tools/list, tools/call      yes     yes
resources/list, …/read,     yes     yes     (empty; see ``server_info``)
resources/templates/list
prompts/list, prompts/get   yes     yes     (empty)
ping, logging/setLevel      yes     404 -32601 (removed in 2026-07-28, §2)
server/discover             \-      yes
==========================  ======  ======

``initialize`` (legacy) and ``subscriptions/listen`` (modern) shape the HTTP exchange
itself, so the transport handles them before dispatch. Handlers raise
``JsonRpcError``; ``run`` turns that into the error reply with the era's HTTP status,
and any other exception into a generic -32603 with the traceback in the log.
Authorization errors (``AuthError``) pass through: they are HTTP 401/403 responses.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from taskmcp.mcp.calls import CallContext, call_tool
from taskmcp.mcp.jsonrpc import (
    Era,
    InternalError,
    InvalidParams,
    JsonObject,
    JsonRpcError,
    MethodNotFound,
    Request,
    ResourceNotFound,
    error_message,
    result_message,
)
from taskmcp.mcp.outbox import LOG_LEVELS
from taskmcp.mcp.server_info import discover_result, shape_result
from taskmcp.resource.errors import AuthError
from taskmcp.tools.base import ToolRegistry

__all__ = ["Handler", "McpServer", "Reply"]

log = logging.getLogger(__name__)

Handler = Callable[[CallContext, JsonObject], Awaitable[JsonObject]]


@dataclass(frozen=True)
class Reply:
    """The JSON-RPC response to a request, and the HTTP status it travels with."""

    message: JsonObject
    status: int = 200


def _no_cursor(params: JsonObject) -> None:
    """taskmcp lists fit on one page and never issue a cursor, so any cursor is invalid."""
    if params.get("cursor") is not None:
        raise InvalidParams("Invalid cursor")


async def _resources_list(ctx: CallContext, params: JsonObject) -> JsonObject:
    _no_cursor(params)
    return {"resources": []}


async def _templates_list(ctx: CallContext, params: JsonObject) -> JsonObject:
    _no_cursor(params)
    return {"resourceTemplates": []}


async def _resources_read(ctx: CallContext, params: JsonObject) -> JsonObject:
    uri = params.get("uri")
    if not isinstance(uri, str):
        raise InvalidParams("Invalid params: uri must be a string")
    raise ResourceNotFound("Resource not found", data={"uri": uri})


async def _prompts_list(ctx: CallContext, params: JsonObject) -> JsonObject:
    _no_cursor(params)
    return {"prompts": []}


async def _prompts_get(ctx: CallContext, params: JsonObject) -> JsonObject:
    raise InvalidParams(f"Unknown prompt: {params.get('name')}")


async def _ping(ctx: CallContext, params: JsonObject) -> JsonObject:
    return {}


async def _set_level(ctx: CallContext, params: JsonObject) -> JsonObject:
    level = params.get("level")
    if level not in LOG_LEVELS:
        raise InvalidParams(f"Invalid params: level must be one of {', '.join(LOG_LEVELS)}")
    if ctx.session is not None and ctx.sessions is not None:
        await ctx.sessions.save(dataclasses.replace(ctx.session, log_level=level))
    return {}


async def _discover(ctx: CallContext, params: JsonObject) -> JsonObject:
    return discover_result()


class McpServer:
    """The MCP methods over one tool registry."""

    def __init__(self, tools: ToolRegistry) -> None:
        self.tools = tools
        common: dict[str, Handler] = {
            "tools/list": self._tools_list,
            "tools/call": self._tools_call,
            "resources/list": _resources_list,
            "resources/templates/list": _templates_list,
            "resources/read": _resources_read,
            "prompts/list": _prompts_list,
            "prompts/get": _prompts_get,
        }
        self._methods: dict[Era, dict[str, Handler]] = {
            "legacy": {**common, "ping": _ping, "logging/setLevel": _set_level},
            "modern": {**common, "server/discover": _discover},
        }

    async def _tools_list(self, ctx: CallContext, params: JsonObject) -> JsonObject:
        _no_cursor(params)
        return {"tools": [tool.descriptor() for tool in self.tools.tools]}

    async def _tools_call(self, ctx: CallContext, params: JsonObject) -> JsonObject:
        return await call_tool(ctx, self.tools, params)

    async def dispatch(self, ctx: CallContext, method: str, params: JsonObject) -> JsonObject:
        handler = self._methods[ctx.era].get(method)
        if handler is None:
            raise MethodNotFound(f"Method not found: {method}")
        return shape_result(ctx.era, method, await handler(ctx, params))

    async def run(self, ctx: CallContext, request: Request) -> Reply:
        """The reply to ``request``; ``AuthError`` propagates (it is an HTTP answer)."""
        try:
            result = await self.dispatch(ctx, request.method, request.params)
        except AuthError:
            raise
        except JsonRpcError as exc:
            exc.request_id = request.id
            return Reply(error_message(exc, ctx.era), exc.status_for(ctx.era))
        except Exception:
            log.exception("%s failed", request.method)
            error = InternalError("Internal error", request_id=request.id)
            return Reply(error_message(error, ctx.era), error.status_for(ctx.era))
        finally:
            ctx.outbox.close()
        return Reply(result_message(request.id, result))

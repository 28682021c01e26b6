"""The HTTP side of one JSON-RPC request: a JSON response unless notifications come
first (mcp-protocol §3).

The request runs in its own task and posts its notifications (progress, log) to a
queue. Whatever comes first decides the response:

* the reply: ``application/json`` with the reply's HTTP status (so errors keep the
  statuses of §5.3);
* a notification: ``text/event-stream``; the notifications, then the reply, then EOF;
* neither within ``keepalive`` seconds: ``text/event-stream`` with comment keep-alives,
  so that proxies with idle timeouts do not cut a long call.

If the client goes away (the handler is cancelled, or a write fails) the task is
handed to ``abandon``: the modern era cancels it (closing the stream *is*
cancellation, §5.1), the legacy era lets it finish detached (§4.4). A task cancelled
through ``notifications/cancelled`` gets no response: its stream just ends (§4.4).
An authorization error raised before anything was sent is re-raised, to become an
HTTP 401/403; after the stream has started it can only be a JSON-RPC error.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import logging
from collections.abc import Callable, Mapping

from aiohttp import web

from taskmcp.mcp.dispatch import Reply
from taskmcp.mcp.jsonrpc import JsonObject, RequestId
from taskmcp.mcp.sse import SseStream, StreamClosed
from taskmcp.resource.errors import AuthError

__all__ = ["UPSTREAM_AUTH_CODE", "Exchange"]

UPSTREAM_AUTH_CODE = -32001  # an implementation code (-32000…-32019 are free, §5.3)

log = logging.getLogger(__name__)


class _Signal(enum.Enum):
    DONE = "done"
    IDLE = "idle"


class Exchange:
    def __init__(
        self,
        request: web.Request,
        request_id: RequestId,
        *,
        headers: Mapping[str, str],
        keepalive: float,
        abandon: Callable[[asyncio.Task[Reply]], None],
    ) -> None:
        self._request = request
        self._id = request_id
        self._headers = dict(headers)
        self._keepalive = keepalive
        self._abandon = abandon
        self._queue: collections.deque[JsonObject] = collections.deque()
        self._wakeup: asyncio.Future[None] | None = None

    def post(self, message: JsonObject) -> None:
        """The ``Outbox`` sink: queue a notification for this request's stream."""
        self._queue.append(message)
        self._wake()

    def _wake(self, *_: object) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def respond(self, task: asyncio.Task[Reply]) -> web.StreamResponse:
        try:
            # One turn of the loop lets the new task take its first step: a request that
            # needs no I/O is finished then, and nothing has to be woken up.
            await asyncio.sleep(0)
            first = await self._next(task)
            if first is _Signal.DONE:
                return await self._single(task)
            return await self._stream(task, first)
        except asyncio.CancelledError:
            self._abandon(task)
            raise

    async def _next(self, task: asyncio.Task[Reply]) -> JsonObject | _Signal:
        """The next queued notification (these go before the reply), DONE or IDLE.

        One future wakes this up: set by ``post``, by the task finishing, or by the
        keep-alive timer (cheaper than waiting on a queue getter and the task)."""
        if not self._queue and not task.done():
            loop = asyncio.get_running_loop()
            self._wakeup = loop.create_future()
            task.add_done_callback(self._wake)
            timer = loop.call_later(self._keepalive, self._wake)
            try:
                await self._wakeup
            finally:
                timer.cancel()
                task.remove_done_callback(self._wake)
                self._wakeup = None
        if self._queue:
            return self._queue.popleft()
        return _Signal.DONE if task.done() else _Signal.IDLE

    def _reply(self, task: asyncio.Task[Reply], *, streaming: bool) -> Reply | None:
        if task.cancelled():
            return None
        error = task.exception()
        if error is None:
            return task.result()
        if isinstance(error, AuthError) and not streaming:
            raise error
        if not isinstance(error, AuthError):
            log.error("request task failed", exc_info=error)
        message = {"code": UPSTREAM_AUTH_CODE, "message": "Authorization failed; sign in again"}
        return Reply({"jsonrpc": "2.0", "id": self._id, "error": message})

    async def _single(self, task: asyncio.Task[Reply]) -> web.StreamResponse:
        reply = self._reply(task, streaming=False)
        if reply is None:  # cancelled by the client: no response, the stream just ends
            stream = await SseStream.open(self._request, self._headers)
            await stream.close()
            return stream.response
        return web.json_response(reply.message, status=reply.status, headers=self._headers)

    async def _stream(
        self, task: asyncio.Task[Reply], first: JsonObject | _Signal
    ) -> web.StreamResponse:
        try:
            stream = await SseStream.open(self._request, self._headers)
        except StreamClosed:  # the client is gone already; nobody reads this response
            self._abandon(task)
            return web.Response(status=200)
        try:
            item = first
            while item is not _Signal.DONE:
                if item is _Signal.IDLE:
                    await stream.comment()
                else:
                    await stream.send(item)
                item = await self._next(task)
            reply = self._reply(task, streaming=True)
            if reply is not None:
                await stream.send(reply.message)
        except StreamClosed:
            self._abandon(task)
        finally:
            await stream.close()
        return stream.response

"""Process-local registries of what outlives a single await: long-lived SSE streams and
running requests (mcp-protocol §4.4, §5.1, §5.6).

* ``StreamHub`` holds the legacy GET streams (one per session) and the modern
  ``subscriptions/listen`` streams. Each stream loops until its ``closing`` event is
  set: by shutdown (``app.on_shutdown``, before aiohttp waits for handlers), by DELETE
  of its session, by ``notifications/cancelled`` for a listen request, or because the
  client went away.
* ``TaskRegistry`` holds running legacy requests by (session, JSON-RPC id), so that
  ``notifications/cancelled`` can stop them. Several requests may share an id (a buggy
  or hostile client): each keeps its own task and its own HTTP response, and a cancel
  stops all of them. Requests whose client disconnected keep running detached
  (legacy: "disconnection SHOULD NOT be interpreted as cancellation") until they end
  or the server shuts down.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from taskmcp.mcp.jsonrpc import RequestId

__all__ = ["LiveStream", "StreamHub", "TaskRegistry"]

CloseReason = Literal["shutdown", "ended", "cancelled"]


@dataclass(eq=False)
class LiveStream:
    kind: Literal["get", "listen"]
    owner: str
    session_id: str | None = None
    request_id: RequestId | None = None
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    reason: CloseReason | None = None

    def close(self, reason: CloseReason) -> None:
        if self.reason is None:
            self.reason = reason
        self.closing.set()


class StreamHub:
    def __init__(self) -> None:
        self._streams: set[LiveStream] = set()

    def __len__(self) -> int:
        return len(self._streams)

    def add(self, stream: LiveStream) -> None:
        self._streams.add(stream)

    def discard(self, stream: LiveStream) -> None:
        self._streams.discard(stream)

    def count(self, owner: str) -> int:
        """How many streams ``owner`` holds open (the per-user limit counts these)."""
        return sum(1 for s in self._streams if s.owner == owner)

    def session_stream(self, session_id: str) -> LiveStream | None:
        return next(
            (s for s in self._streams if s.kind == "get" and s.session_id == session_id), None
        )

    def close_session(self, session_id: str) -> None:
        for stream in list(self._streams):
            if stream.session_id == session_id:
                stream.close("ended")

    def close_listen(self, owner: str, request_id: RequestId) -> int:
        matches = [
            s
            for s in self._streams
            if s.kind == "listen" and s.owner == owner and s.request_id == request_id
        ]
        for stream in matches:
            stream.close("cancelled")
        return len(matches)

    def close_all(self) -> None:
        for stream in list(self._streams):
            stream.close("shutdown")


class TaskRegistry:
    def __init__(self) -> None:
        self._by_key: dict[tuple[str, RequestId], set[asyncio.Task[Any]]] = {}
        self._detached: set[asyncio.Task[Any]] = set()

    def track(self, key: tuple[str, RequestId], task: asyncio.Task[Any]) -> None:
        self._by_key.setdefault(key, set()).add(task)
        task.add_done_callback(lambda done: self._untrack(key, done))

    def _untrack(self, key: tuple[str, RequestId], task: asyncio.Task[Any]) -> None:
        tasks = self._by_key.get(key)
        if tasks is not None:
            tasks.discard(task)
            if not tasks:
                del self._by_key[key]

    def cancel(self, key: tuple[str, RequestId]) -> int:
        tasks = list(self._by_key.get(key, ()))
        for task in tasks:
            task.cancel()
        return len(tasks)

    def detach(self, task: asyncio.Task[Any]) -> None:
        if not task.done():
            self._detached.add(task)
            task.add_done_callback(self._detached.discard)

    def cancel_detached(self) -> None:
        """Shutdown: requests nobody waits for stop at once; the others get the
        server's shutdown grace period."""
        for task in list(self._detached):
            task.cancel()

    def cancel_all(self) -> None:
        self.cancel_detached()
        for task in [t for tasks in self._by_key.values() for t in tasks]:
            task.cancel()

"""Notifications a request may send on its own response stream (mcp-protocol §3, §6).

Only messages related to the originating request go out: ``notifications/progress``
when the request carried ``_meta.progressToken`` (progress strictly increasing), and
``notifications/message`` when the client asked for logging (legacy: the session's
``logging/setLevel``; modern: the request's ``_meta`` log level), at or above that
level (RFC 5424 order). Nothing is sent once the final response is ready.

``Outbox`` implements ``taskmcp.tools.Progress``: a tool may always call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taskmcp.mcp.jsonrpc import JsonObject, RequestId

__all__ = ["LOG_LEVELS", "Outbox", "progress_token_of"]

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
LOGGER = "taskmcp"


def progress_token_of(params: JsonObject) -> RequestId | None:
    meta = params.get("_meta")
    token: Any = meta.get("progressToken") if isinstance(meta, dict) else None
    if isinstance(token, bool) or not isinstance(token, str | int):
        return None
    return token


def _rank(level: str | None) -> int | None:
    return LOG_LEVELS.index(level) if level in LOG_LEVELS else None


class Outbox:
    def __init__(
        self,
        post: Callable[[JsonObject], None],
        *,
        progress_token: RequestId | None = None,
        log_level: str | None = None,
    ) -> None:
        self._post = post
        self._token = progress_token
        self._threshold = _rank(log_level)
        self._last_progress: float | None = None
        self._closed = False

    def close(self) -> None:
        self._closed = True

    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        if self._closed or self._token is None:
            return
        if self._last_progress is not None and progress <= self._last_progress:
            return  # §6: progress increases strictly
        self._last_progress = progress
        params: JsonObject = {"progressToken": self._token, "progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None:
            params["message"] = message
        self._send("notifications/progress", params)

    async def log(self, level: str, data: object) -> None:
        rank = _rank(level)
        if self._closed or self._threshold is None or rank is None or rank < self._threshold:
            return
        self._send("notifications/message", {"level": level, "logger": LOGGER, "data": data})

    def _send(self, method: str, params: JsonObject) -> None:
        self._post({"jsonrpc": "2.0", "method": method, "params": params})

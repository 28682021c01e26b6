"""Turning failures into tool results, in one place (mcp-protocol §6 ``isError``).

::

    ToolFailure                      a business failure the tool words itself
    TaskManagerError (taskmanager.errors)
    ├── NotAuthenticatedError        NOT a result: propagates, the transport answers 401
    ├── NotFoundError                "<Subject> was not found." (via ``not_found``)
    ├── InvalidRequestError          "TaskManager rejected the request: <detail>."
    ├── RateLimitedError             "... try again in N seconds."
    └── UpstreamUnavailableError     "TaskManager could not be reached ...", logged
        (and UpstreamOAuthError, which tools never see, is treated the same way)

Every message is one sentence the model can act on; none carries a token or a URL.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator

from taskmcp.taskmanager import (
    InvalidRequestError,
    NotAuthenticatedError,
    NotFoundError,
    RateLimitedError,
    TaskManagerError,
)
from taskmcp.tools.base import ToolResult

__all__ = ["ToolFailure", "failure_result", "not_found"]

log = logging.getLogger("taskmcp.tools")


class ToolFailure(Exception):
    """A business failure; ``str(exc)`` is the sentence the ``isError`` result carries."""


@contextlib.contextmanager
def not_found(subject: str) -> Iterator[None]:
    """Word TaskManager's 404 for ``subject`` ("Task 42") as "Task 42 was not found."."""
    try:
        yield
    except NotFoundError:
        raise ToolFailure(f"{subject} was not found.") from None


def _retry_hint(seconds: float | None) -> str:
    if seconds is None:
        return "try again in a minute"
    whole = max(1, math.ceil(seconds))
    return f"try again in {whole} second{'s' if whole != 1 else ''}"


def failure_result(tool: str, exc: TaskManagerError) -> ToolResult:
    """The ``isError`` result for a TaskManager failure other than authentication."""
    if isinstance(exc, NotAuthenticatedError):
        raise exc  # the transport's job: HTTP 401 (clients-in-the-wild §5)
    if isinstance(exc, NotFoundError):
        return ToolResult.error(f"TaskManager could not find what {tool} asked for.")
    if isinstance(exc, InvalidRequestError):
        return ToolResult.error(f"TaskManager rejected the request: {_detail(exc)}.")
    if isinstance(exc, RateLimitedError):
        hint = _retry_hint(exc.retry_after)
        log.warning("%s: TaskManager is rate limiting (retry after %s)", tool, exc.retry_after)
        return ToolResult.error(f"TaskManager is rate limiting requests; {hint}.")
    log.warning("%s: TaskManager unavailable: %s", tool, exc)
    return ToolResult.error(
        f"TaskManager could not be reached ({_detail(exc)}); try again shortly."
    )


def _detail(exc: TaskManagerError) -> str:
    return str(exc).rstrip(".") or type(exc).__name__

"""Errors from talking to TaskManager, mapped from its responses (taskmanager-api §6.4).

::

    TaskManagerError                 message: short, safe to show a user
    ├── NotAuthenticatedError        302 to /login, or 401: the credential is dead
    │   └── InvalidCredentialsError  the service account's login was refused
    ├── NotFoundError                404
    ├── InvalidRequestError          400, and the 500s that are really validation (§6.5)
    ├── RateLimitedError             429 (``retry_after`` seconds, if given)
    ├── UpstreamOAuthError           the OAuth token endpoint refused (``error`` code)
    └── UpstreamUnavailableError     connection error, timeout, other 5xx, garbage

The mapping goes by HTTP status first, then by whichever error shape the body has:
``{"error": "…"}``, ``{"error": {"code", "message"}}``, ``{"error", "error_description"}``,
``{"error", "message"}``, ``text/plain``, HTML or nothing at all. Upstream text is cut
to ``MAX_DETAIL`` printable characters.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

__all__ = [
    "MAX_DETAIL",
    "InvalidCredentialsError",
    "InvalidRequestError",
    "NotAuthenticatedError",
    "NotFoundError",
    "RateLimitedError",
    "TaskManagerError",
    "UpstreamOAuthError",
    "UpstreamUnavailableError",
    "error_for_response",
    "extract_detail",
    "is_login_redirect",
]

MAX_DETAIL = 200


class TaskManagerError(Exception):
    """Base class; ``str(exc)`` is a short sentence safe to show a user."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotAuthenticatedError(TaskManagerError):
    pass


class InvalidCredentialsError(NotAuthenticatedError):
    pass


class NotFoundError(TaskManagerError):
    pass


class InvalidRequestError(TaskManagerError):
    pass


class RateLimitedError(TaskManagerError):
    def __init__(self, message: str, *, retry_after: float | None, status: int = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class UpstreamOAuthError(TaskManagerError):
    def __init__(self, error: str, message: str, *, status: int) -> None:
        super().__init__(message, status=status)
        self.error = error


class UpstreamUnavailableError(TaskManagerError):
    pass


def is_login_redirect(status: int, location: str | None) -> bool:
    """TaskManager's "not authenticated": a redirect whose target path is ``/login``."""
    return status in (301, 302, 303, 307, 308) and urlsplit(location or "").path == "/login"


def _clean(text: str) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())[:MAX_DETAIL]


def extract_detail(body: bytes, content_type: str) -> str | None:
    """The human-readable message of an error body, whatever its shape; ``None`` for
    empty bodies and HTML pages."""
    text = body.decode("utf-8", "replace").strip()
    if not text or "html" in content_type:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return _clean(text) if "text/plain" in content_type else None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        error = error.get("message") or error.get("code")
    message = data.get("error_description") or data.get("message") or error
    return _clean(str(message)) if message else None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def error_for_response(
    *,
    status: int,
    method: str,
    body: bytes,
    content_type: str,
    location: str | None = None,
    retry_after: str | None = None,
) -> TaskManagerError:
    """The exception for a non-success response (see the module docstring)."""
    detail = extract_detail(body, content_type)
    if status == 401 or is_login_redirect(status, location):
        return NotAuthenticatedError("TaskManager did not accept the credentials", status=status)
    if status == 404:
        return NotFoundError(detail or "not found", status=status)
    if status == 429:
        return RateLimitedError(
            "TaskManager is rate limiting requests", retry_after=_retry_after(retry_after)
        )
    if 400 <= status < 500 or (status == 500 and method != "GET"):
        return InvalidRequestError(detail or "TaskManager rejected the request", status=status)
    return UpstreamUnavailableError(f"TaskManager answered HTTP {status}", status=status)

"""Every per-revision response and error shape of the contract (§1.1, §1.2), in one place.

``Revision`` is DEC (2025-12) or JAN (2026-01). Handlers ask it for bodies
(``revision.created_project(7, "Home")``) and for its feature switches; the error
middleware (``taskmcp.standin.errors``) asks it to render failures:

* a ``Problem`` (the JAN ``code``/``message`` table of §1.2, with DEC's flat message);
* a database failure: DEC 500 with an empty body and no headers at all, JAN 500
  ``SERVER_001`` with the raw database message.

Bodies are compact JSON, as Node writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from taskmcp.standin.jsontext import dumps
from taskmcp.standin.store import User

__all__ = ["DEC", "JAN", "Problem", "Revision", "bare_response", "json_response", "revision_named"]

JsonObject = dict[str, object]


@dataclass(frozen=True)
class Problem:
    """One REST/auth error: its status, JAN ``code`` and ``message``, DEC's message."""

    status: int
    code: str
    message: str
    dec_message: str


INVALID_CREDENTIALS = Problem(
    401, "AUTH_001", "Invalid username or password", "Invalid credentials"
)
_BOTH_FIELDS = "Username and password required"
USERNAME_REQUIRED = Problem(400, "VALIDATION_002", "Username is required", _BOTH_FIELDS)
PASSWORD_REQUIRED = Problem(400, "VALIDATION_002", "Password is required", _BOTH_FIELDS)
_DISABLED = "Registration is currently disabled"
REGISTRATION_DISABLED = Problem(400, "VALIDATION_001", _DISABLED, _DISABLED)
TITLE_REQUIRED = Problem(400, "VALIDATION_002", "Title is required", "Title is required")
_NAME = "Project name is required"
PROJECT_NAME_REQUIRED = Problem(400, "VALIDATION_002", _NAME, _NAME)
BAD_TODO_ID = Problem(400, "VALIDATION_003", "Todo ID must be a valid integer", "Invalid todo ID")
BAD_PROJECT_ID = Problem(
    400, "VALIDATION_003", "Project ID must be a valid integer", "Invalid project ID"
)
PROJECT_NOT_FOUND = Problem(404, "NOT_FOUND_001", "Project not found", "Project not found")
TASK_NOT_FOUND = Problem(404, "NOT_FOUND_004", "Task not found", "Todo not found")
_SLOW_DOWN = "Too many requests. Please try again later."
RATE_LIMITED = Problem(429, "RATE_001", _SLOW_DOWN, _SLOW_DOWN)


def json_response(
    body: object, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.json_response(body, status=status, headers=headers, dumps=dumps)


def bare_response(status: int = 500) -> web.Response:
    """An empty body without a content type (DEC's 500s, ``complete`` with a bad id)."""
    return web.Response(status=status)


@dataclass(frozen=True)
class Revision:
    """A TaskManager revision: its switches (§2.6, §3) and its envelopes (§1.1)."""

    name: Literal["dec", "jan"]

    @property
    def is_jan(self) -> bool:
        return self.name == "jan"

    # -- switches --------------------------------------------------------------------

    @property
    def accepts_bearer(self) -> bool:
        """JAN accepts OAuth access tokens on the REST API (§2.6); DEC ignores them."""
        return self.is_jan

    @property
    def limits_logins(self) -> bool:
        return self.is_jan

    @property
    def has_public_clients(self) -> bool:
        return self.is_jan

    @property
    def has_client_credentials(self) -> bool:
        return self.is_jan

    @property
    def has_jwks(self) -> bool:
        """DEC serves a placeholder JWKS; JAN answers 404 (§3.1)."""
        return not self.is_jan

    # -- success bodies --------------------------------------------------------------

    def login(self, user: User) -> JsonObject:
        shown = {"id": user.id, "username": user.username, "email": user.email}
        return {"data": {"user": shown}} if self.is_jan else {"success": True, "user": shown}

    def created_project(self, project_id: int, name: str) -> JsonObject:
        return {"data": {"id": project_id, "name": name}} if self.is_jan else {"id": project_id}

    def created_task(self, task_id: int, title: str) -> JsonObject:
        if self.is_jan:
            return {"data": {"id": task_id, "title": title}}
        return {"id": task_id, "title": title, "status": "created"}

    def updated(self) -> JsonObject:
        """Project PUT and legacy todo PUT."""
        return {"updated": True} if self.is_jan else {"success": True}

    def deleted(self) -> JsonObject:
        """Project and todo DELETE."""
        return {"deleted": True} if self.is_jan else {"success": True}

    # -- errors ----------------------------------------------------------------------

    def problem(
        self,
        problem: Problem,
        *,
        details: JsonObject | None = None,
        dec_message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        if not self.is_jan:
            body: JsonObject = {"error": dec_message or problem.dec_message}
        else:
            error: JsonObject = {"code": problem.code, "message": problem.message}
            body = {"error": error | ({"details": details} if details else {})}
        return json_response(body, status=problem.status, headers=headers)

    def failure(self, message: str) -> web.Response:
        """A database or constraint failure (§1.2)."""
        if not self.is_jan:
            return bare_response()
        return json_response({"error": {"code": "SERVER_001", "message": message}}, status=500)


DEC = Revision("dec")
JAN = Revision("jan")


def revision_named(name: str) -> Revision:
    return JAN if name == "jan" else DEC

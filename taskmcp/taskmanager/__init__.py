"""The TaskManager integration: a typed async client for both upstream revisions
(taskmanager-api DEC and JAN), its credential strategies, and the upstream OAuth client.

The development stand-in server lives in ``taskmcp.standin``.
"""

from __future__ import annotations

from taskmcp.taskmanager.client import LIST_STATUSES, TaskManagerClient
from taskmcp.taskmanager.credentials import Credential, Revision, ServiceAccount, UserToken
from taskmcp.taskmanager.errors import (
    InvalidCredentialsError,
    InvalidRequestError,
    NotAuthenticatedError,
    NotFoundError,
    RateLimitedError,
    TaskManagerError,
    UpstreamOAuthError,
    UpstreamUnavailableError,
)
from taskmcp.taskmanager.http import Timeouts, open_http
from taskmcp.taskmanager.models import (
    PRIORITIES,
    STATUSES,
    Category,
    Priority,
    Project,
    Task,
    TaskStatus,
    User,
    parse_task_id,
)
from taskmcp.taskmanager.upstream import UPSTREAM_SCOPE, UpstreamOAuthClient, UpstreamTokens

__all__ = [
    "LIST_STATUSES",
    "PRIORITIES",
    "STATUSES",
    "UPSTREAM_SCOPE",
    "Category",
    "Credential",
    "InvalidCredentialsError",
    "InvalidRequestError",
    "NotAuthenticatedError",
    "NotFoundError",
    "Priority",
    "Project",
    "RateLimitedError",
    "Revision",
    "ServiceAccount",
    "Task",
    "TaskManagerClient",
    "TaskManagerError",
    "TaskStatus",
    "Timeouts",
    "UpstreamOAuthClient",
    "UpstreamOAuthError",
    "UpstreamTokens",
    "UpstreamUnavailableError",
    "User",
    "UserToken",
    "open_http",
    "parse_task_id",
]

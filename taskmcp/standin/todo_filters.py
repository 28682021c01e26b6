"""The query parameters of ``GET /api/todos`` (§4.2), parsed into a ``TaskQuery``.

* ``project_id`` (an integer, else 500) wins over ``category`` (exact, case-sensitive).
* ``status``: a literal match, ``all`` = no filter, ``overdue`` = pending and due
  before today (UTC); an unknown value simply matches nothing.
* ``start_date``/``end_date``: inclusive; undated tasks drop out; unparsable → 500.
* ``limit``: only a positive integer counts; anything else is ignored.
* Empty values count as absent (JavaScript truthiness); other parameters are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from taskmcp.standin import columns
from taskmcp.standin.store import TaskQuery

__all__ = ["parse_task_query"]


def _limit(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit() or int(value) <= 0:
        return None
    return int(value)


def parse_task_query(params: Mapping[str, str], today: date) -> TaskQuery:
    """Raises ``DatabaseFailure`` for a non-integer ``project_id`` or a bad date."""

    def given(name: str) -> str | None:
        return params.get(name) or None

    project_id, status = columns.integer(given("project_id")), given("status")
    return TaskQuery(
        project_id=project_id,
        category=given("category") if project_id is None else None,
        status=None if status in ("all", "overdue") else status,
        overdue_on=today.isoformat() if status == "overdue" else None,
        start_date=columns.calendar_date(given("start_date")),
        end_date=columns.calendar_date(given("end_date")),
        limit=_limit(given("limit")),
    )

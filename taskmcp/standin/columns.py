"""Column values checked the way TaskManager's PostgreSQL checks them (§4, §5).

A value the database would refuse raises ``DatabaseFailure`` with PostgreSQL's message,
so DEC answers 500 with an empty body and JAN 500 ``SERVER_001`` (§1.2, §6 item 5).
Values come back ready for the stand-in store: dates ``YYYY-MM-DD``, timestamps ISO
with milliseconds and ``Z``, hours as two-decimal strings, tags as JSON text.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from taskmcp.standin.clock import iso_ms
from taskmcp.standin.errors import DatabaseFailure
from taskmcp.standin.jsontext import dumps

__all__ = [
    "PRIORITIES",
    "STATUSES",
    "calendar_date",
    "checked",
    "hours",
    "integer",
    "tags",
    "text",
    "timestamp",
]

PRIORITIES = ("low", "medium", "high", "urgent")
STATUSES = ("pending", "in_progress", "completed", "cancelled")
TIME_HORIZONS = (
    "today", "this_week", "next_week", "this_month", "next_month", "this_quarter",
    "next_quarter", "this_year", "next_year", "someday",
)  # fmt: skip
INT4_MAX = 2**31 - 1
HOURS_LIMIT = Decimal(10) ** 8  # numeric(10,2)
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])")


def _shown(value: object) -> str:
    return value if isinstance(value, str) else dumps(value)


def _syntax(kind: str, value: object) -> DatabaseFailure:
    return DatabaseFailure(f'invalid input syntax for type {kind}: "{_shown(value)}"')


def checked(value: object, allowed: tuple[str, ...], constraint: str) -> str | None:
    """An enum column guarded by a CHECK constraint (``todos_priority_check``…)."""
    if value is None or value in allowed:
        return None if value is None else str(value)
    raise DatabaseFailure(
        f'new row for relation "{constraint.split("_")[0]}" violates check constraint '
        f'"{constraint}"'
    )


def text(value: object, column: str, limit: int | None = None) -> str | None:
    """A ``varchar(limit)``/``text`` column; non-strings are stored as their JSON text."""
    if value is None:
        return None
    stored = _shown(value) if not isinstance(value, bool) else str(value).lower()
    if limit is not None and len(stored) > limit:
        raise DatabaseFailure(f"value too long for type character varying({limit})")
    return stored


def integer(value: object) -> int | None:
    """An ``integer`` column or parameter: ints and all-digit strings."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON 5.0 is the number 5 in JavaScript
    digits = str(value).strip() if isinstance(value, str | int) else ""
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", digits):
        raise _syntax("integer", value)
    number = int(digits)
    if abs(number) > INT4_MAX:
        raise DatabaseFailure(f'value "{digits}" is out of range for type integer')
    return number


def hours(value: object) -> str | None:
    """``numeric(…,2)``: ``2.5`` and ``"2.5"`` become ``"2.50"``."""
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise _syntax("numeric", value) from None
    if abs(number) >= HOURS_LIMIT:
        raise DatabaseFailure("numeric field overflow")
    return str(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def calendar_date(value: object) -> str | None:
    """A ``date``: the calendar date of ``YYYY-MM-DD[THH:MM…]``; any offset is ignored."""
    if value is None:
        return None
    match = _DATE_PREFIX.match(value) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError("not a date")
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        raise _syntax("date", value) from None


def timestamp(value: object) -> str | None:
    """A ``timestamptz``: converted to UTC (a value without offset is taken as UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise _syntax("timestamp with time zone", value)
    return iso_ms(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def tags(value: object, *, decode_strings: bool = False) -> str:
    """The JSON text stored for ``tags``. ``decode_strings`` is DEC's PUT (§4.2), where a
    JSON-encoded string is the *only* accepted form and an array is refused."""
    if not decode_strings:
        return dumps(value)
    if not isinstance(value, str):
        raise _syntax("json", value)
    try:
        return dumps(json.loads(value))
    except ValueError:
        raise _syntax("json", value) from None

"""Time for the stand-in: UTC everywhere, and TaskManager's wire formats (§5.1).

* Timestamps are ISO 8601 with milliseconds and ``Z`` (``2026-11-26T14:11:40.506Z``),
  which also sort correctly as text in SQLite.
* "Today" is the UTC date (the contract was observed with the server in UTC).
* The session cookie's ``Expires`` uses the IMF-fixdate of RFC 9110 §5.6.7.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

__all__ = ["Clock", "cookie_date", "iso_ms", "midnight_iso", "utcnow"]

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_ms(moment: datetime) -> str:
    """``2026-11-26T14:11:40.506Z`` for an aware datetime (converted to UTC)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def cookie_date(moment: datetime) -> str:
    """``Thu, 03 Dec 2026 14:11:40 GMT``; locale-independent, unlike ``strftime('%a')``."""
    utc = moment.astimezone(UTC)
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[utc.weekday()]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{day}, {utc.day:02d} {month[utc.month - 1]} {utc:%Y %H:%M:%S} GMT"


def midnight_iso(day: date) -> str:
    """A ``date`` column in the row shape: ``2026-12-31T00:00:00.000Z``."""
    return f"{day.isoformat()}T00:00:00.000Z"

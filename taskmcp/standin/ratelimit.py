"""JAN's login rate limit (§2.1).

* After 5 counted failures within 15 minutes in one bucket, further attempts get 429
  ``RATE_001`` with ``Retry-After`` (even with the right password).
* A failure counts only when both fields were present; a success clears the bucket.
* The bucket is the first ``X-Forwarded-For`` value, else ``X-Real-IP``, else one
  bucket shared by every direct client.

In process memory: a restart forgets every bucket, as upstream's does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

__all__ = ["MAX_FAILURES", "WINDOW", "LoginLimiter", "bucket_key"]

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
SHARED_BUCKET = "direct"


def bucket_key(headers: Mapping[str, str]) -> str:
    forwarded = headers.get("X-Forwarded-For", "").split(",")[0].strip()
    return forwarded or headers.get("X-Real-IP", "").strip() or SHARED_BUCKET


class LoginLimiter:
    """Failure timestamps per bucket."""

    def __init__(self) -> None:
        self._failures: dict[str, list[datetime]] = {}

    def retry_after(self, key: str, now: datetime) -> int | None:
        """Seconds until the bucket frees up, or ``None`` when it is not limited."""
        recent = [t for t in self._failures.pop(key, []) if now - t < WINDOW]
        if recent:
            self._failures[key] = recent
        if len(recent) < MAX_FAILURES:
            return None
        return max(1, math.ceil((recent[0] + WINDOW - now).total_seconds()))

    def record_failure(self, key: str, now: datetime) -> None:
        self._failures.setdefault(key, []).append(now)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

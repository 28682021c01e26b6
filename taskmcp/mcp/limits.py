"""Per-user abuse limits on ``/mcp`` (issue #9), keyed by the authenticated user (the
introspected ``sub``), so that one user cannot starve the others.

* **Request rate**: a token bucket per user holding up to ``burst`` tokens, refilled
  at ``rate`` tokens per second. Every authenticated request (POST, GET, DELETE,
  notifications included) takes one token; a legacy batch takes one per message, and
  a batch larger than ``burst`` is refused outright (400), since it could never pass.
* **Standalone SSE streams**: at most ``max_streams`` open at once per user (legacy
  GET streams and 2026-07-28 ``subscriptions/listen`` streams, counted in the
  ``StreamHub``). Response streams of single requests are bounded by the rate and by
  the TaskManager timeout instead.
* **Legacy sessions**: ``MemorySessionStore``'s per-user cap (``max_sessions``); one
  more evicts that user's least recently used session rather than refusing, because
  clients such as claude.ai re-initialize often and never send DELETE.

Over a limit the answer is HTTP 429 with ``Retry-After`` and a JSON-RPC error body
(``TooManyRequests``: code -32000, an implementation code, with the request's id when
it has one and ``data.retryAfter``), which both eras' clients surface to the user.

``--no-auth`` (the conformance suite's mode, loopback only) has no users to tell
apart, so it is not rate limited. Memory is bounded: a bucket that has refilled is
indistinguishable from a new one and is dropped, and at most ``max_users`` buckets
are kept (least recently used first out).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from taskmcp.config import ResourceSettings
from taskmcp.mcp.jsonrpc import InvalidRequest, RequestId, TooManyRequests
from taskmcp.mcp.streams import StreamHub

__all__ = ["STREAM_RETRY_AFTER", "TokenBuckets", "UserLimits"]

STREAM_RETRY_AFTER = 30  # seconds: streams are long-lived, a retry soon rarely helps
_SWEEP_PER_CALL = 2


class TokenBuckets:
    """One token bucket per key: ``burst`` tokens, ``rate`` more per second."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._max_keys = max_keys
        self._clock = clock
        # key -> (tokens, when they were counted); insertion order = least recent first
        self._buckets: dict[str, tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, cost: int = 1) -> float | None:
        """Take ``cost`` tokens: ``None`` if they were there, else the seconds until
        they will be (nothing is taken then). ``cost`` must not exceed ``burst``."""
        now = self._clock()
        tokens = self._tokens(self._buckets.pop(key, None), now)
        self._sweep(now)
        if tokens < cost:
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / self.rate
        self._buckets[key] = (tokens - cost, now)
        return None

    def _tokens(self, bucket: tuple[float, float] | None, now: float) -> float:
        if bucket is None:
            return float(self.burst)
        tokens, stamp = bucket
        return min(float(self.burst), tokens + (now - stamp) * self.rate)

    def _sweep(self, now: float) -> None:
        """Drop a few refilled least-recently-used buckets, and any above the cap."""
        for _ in range(_SWEEP_PER_CALL):
            oldest = next(iter(self._buckets), None)
            if oldest is None or self._tokens(self._buckets[oldest], now) < self.burst:
                break
            del self._buckets[oldest]
        while len(self._buckets) >= self._max_keys:
            del self._buckets[next(iter(self._buckets))]


@dataclass(frozen=True)
class UserLimits:
    buckets: TokenBuckets | None  # None: not rate limited (--no-auth)
    max_streams: int

    @classmethod
    def from_settings(cls, settings: ResourceSettings) -> UserLimits:
        buckets = None
        if not settings.no_auth:
            buckets = TokenBuckets(rate=settings.mcp_rate_limit, burst=settings.mcp_rate_burst)
        return cls(buckets=buckets, max_streams=settings.mcp_max_streams)

    def admit(self, user: str, body: object, request_id: RequestId | None) -> None:
        """Count one request (a batch: one per message) or raise ``TooManyRequests``."""
        if self.buckets is None:
            return
        cost = max(1, len(body)) if isinstance(body, list) else 1
        if cost > self.buckets.burst:
            raise InvalidRequest(
                f"Invalid Request: a batch may hold at most {self.buckets.burst} messages"
            )
        wait = self.buckets.take(user, cost)
        if wait is not None:
            raise TooManyRequests(
                "Too many requests: slow down", retry_after=math.ceil(wait), request_id=request_id
            )

    def admit_stream(self, hub: StreamHub, user: str, request_id: RequestId | None) -> None:
        """Refuse one more standalone SSE stream for ``user`` beyond ``max_streams``."""
        if hub.count(user) >= self.max_streams:
            raise TooManyRequests(
                f"Too many open streams: at most {self.max_streams} per user",
                retry_after=STREAM_RETRY_AFTER,
                request_id=request_id,
            )

"""A bounded in-memory cache in front of a ``TokenVerifier``.

* Keyed by SHA-256 of the token: the token itself is never kept as a key.
* Active results are kept until ``min(exp, now + positive_ttl)``; inactive ones for
  ``negative_ttl`` seconds (a brute-force or a broken client costs one introspection
  per token per few seconds, and a token revoked at the authorization server stops
  working here within ``positive_ttl``).
* Least recently used entries go first once ``max_entries`` is reached.
* Concurrent validations of one token share one call to the inner verifier.
* ``VerifierUnavailableError`` is never cached, so a cached token keeps working while
  the authorization server is down and an unknown one gets a 503 each time.
* An optional ``CacheObserver`` (the resource server's metrics) hears of every lookup
  (``hit``/``miss``) and of every inner verification's outcome.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from taskmcp.resource.access import AccessInfo, TokenVerifier, VerifierUnavailableError

__all__ = ["CacheObserver", "CachingVerifier", "token_key"]


class CacheObserver(Protocol):
    def cache_lookup(self, result: Literal["hit", "miss"]) -> None: ...

    def verified(self, outcome: Literal["active", "inactive", "unavailable"]) -> None: ...


class _Unobserved:
    def cache_lookup(self, result: Literal["hit", "miss"]) -> None:
        pass

    def verified(self, outcome: Literal["active", "inactive", "unavailable"]) -> None:
        pass


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Entry:
    access: AccessInfo | None
    expires_at: float


class CachingVerifier:
    def __init__(
        self,
        inner: TokenVerifier,
        *,
        max_entries: int = 10_000,
        positive_ttl: float = 60.0,
        negative_ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        observer: CacheObserver | None = None,
    ) -> None:
        self._inner = inner
        self._observer = observer or _Unobserved()
        self._max = max_entries
        self._positive_ttl = positive_ttl
        self._negative_ttl = negative_ttl
        self._clock = clock
        self._wall = wall_clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._pending: dict[str, asyncio.Task[AccessInfo | None]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def verify(self, token: str) -> AccessInfo | None:
        key = token_key(token)
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at > self._clock():
            self._entries.move_to_end(key)
            self._observer.cache_lookup("hit")
            return entry.access
        self._observer.cache_lookup("miss")
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(key, token))
            self._pending[key] = pending
        # shield: one impatient caller must not cancel the call the others wait for
        return await asyncio.shield(pending)

    def forget(self, token: str) -> None:
        """Drop a token's entry (its upstream credential turned out to be dead)."""
        self._entries.pop(token_key(token), None)

    async def _fetch(self, key: str, token: str) -> AccessInfo | None:
        try:
            access = await self._inner.verify(token)
        except VerifierUnavailableError:
            self._observer.verified("unavailable")
            raise
        finally:
            self._pending.pop(key, None)
        self._observer.verified("active" if access is not None else "inactive")
        self._store(key, access)
        return access

    def _store(self, key: str, access: AccessInfo | None) -> None:
        ttl = self._positive_ttl if access is not None else self._negative_ttl
        if access is not None and access.exp is not None:
            ttl = min(ttl, access.exp - self._wall())
        if ttl <= 0:
            self._entries.pop(key, None)
            return
        self._entries[key] = _Entry(access, self._clock() + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

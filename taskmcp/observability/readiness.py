"""Readiness (``/readyz``): do this service's dependencies answer right now?

Checks run concurrently, each bounded by ``CHECK_TIMEOUT`` (2 s). The verdict is
cached for ``CACHE_TTL`` seconds and concurrent probes share one run, so load
balancers polling every second cannot hammer storage or TaskManager.

* ``storage`` (authorization server): ``Storage.ping``.
* An HTTP check (``add_http``): one ``GET`` without credentials, redirects not
  followed. Any HTTP answer below 500 means the dependency is up: TaskManager answers
  ``/api/todos`` with its 302 to the login page (taskmanager-api §2.5), and the
  authorization server answers ``GET /introspect`` with 405. A 5xx (a proxy in front
  of a dead service, a crashing app), a timeout or a refused connection is a failure.

A failed check is named with a short reason (``unreachable``, ``timeout``,
``HTTP 502``); exceptions are logged, never shown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web

__all__ = ["CACHE_TTL", "CHECK_TIMEOUT", "TASKMANAGER_PROBE_PATH", "Readiness"]

CHECK_TIMEOUT = 2.0
CACHE_TTL = 5.0
TASKMANAGER_PROBE_PATH = "/api/todos"

Check = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)


class CheckFailed(Exception):
    """A dependency answered, but not well enough; the message is the reason."""


class Readiness:
    def __init__(
        self,
        *,
        timeout: float = CHECK_TIMEOUT,
        ttl: float = CACHE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = timeout
        self._ttl = ttl
        self._clock = clock
        self._checks: dict[str, Check] = {}
        self._http: aiohttp.ClientSession | None = None
        self._verdict: tuple[float, dict[str, str]] | None = None
        self._running: asyncio.Task[dict[str, str]] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._checks)

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    def add_http(self, name: str, url: str) -> None:
        self._checks[name] = lambda: self._answers(url)

    async def context(self, app: web.Application) -> AsyncIterator[None]:
        """Cleanup context: the probes' own small HTTP session (no cookies, no pool
        shared with real traffic, so probes never show up in upstream metrics)."""
        timeout = aiohttp.ClientTimeout(total=self._timeout)
        jar = aiohttp.DummyCookieJar()
        async with aiohttp.ClientSession(timeout=timeout, cookie_jar=jar) as http:
            self._http = http
            yield
            self._http = None

    async def failures(self) -> dict[str, str]:
        """Failed checks by name (empty: ready), at most ``ttl`` seconds old."""
        if self._verdict is not None and self._clock() < self._verdict[0]:
            return self._verdict[1]
        if self._running is None:
            self._running = asyncio.ensure_future(self._run())
        return await asyncio.shield(self._running)

    async def _run(self) -> dict[str, str]:
        try:
            names = list(self._checks)
            reasons = await asyncio.gather(*(self._one(name) for name in names))
            failed = {n: r for n, r in zip(names, reasons, strict=True) if r is not None}
            self._verdict = (self._clock() + self._ttl, failed)
            return failed
        finally:
            self._running = None

    async def _one(self, name: str) -> str | None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._checks[name]()
        except TimeoutError:
            reason = "timeout"
        except CheckFailed as exc:
            reason = str(exc)
        except Exception:
            log.warning("not ready: %s unreachable", name, exc_info=True)
            return "unreachable"
        else:
            return None
        log.warning("not ready: %s %s", name, reason)
        return reason

    async def _answers(self, url: str) -> None:
        if self._http is None:
            raise CheckFailed("not started")
        try:
            async with self._http.get(url, allow_redirects=False) as response:
                status = response.status
        except aiohttp.ClientError as exc:
            raise CheckFailed("unreachable") from exc
        if status >= 500:
            raise CheckFailed(f"HTTP {status}")

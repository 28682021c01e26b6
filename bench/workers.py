"""One load-generator worker per connection, one class per kind of job.

A worker sends one request at a time, records the latency of each good response and
counts the bad ones (wrong status, wrong id, an error result). Its loop ends at the
phase deadline or when the shared ``Counter`` of the phase runs out: every loop is
bounded in count and in time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from bench.http1 import Connection, HttpResponse
from bench.jobs import Job
from bench.wire import (
    McpWire,
    Template,
    introspect_request,
    refresh_request,
    response_id,
)

__all__ = ["Counter", "Worker", "make_worker"]

REQUEST_TIMEOUT = 30.0
FULL_CHECK_EVERY = 64


class Counter:
    """A budget of requests shared by the workers of one phase."""

    def __init__(self, limit: int) -> None:
        self._left = limit
        self.taken = 0

    def take(self) -> int | None:
        """The index of the next request, or ``None`` once the budget is spent."""
        if self._left <= 0:
            return None
        self._left -= 1
        self.taken += 1
        return self.taken - 1


class Worker:
    def __init__(self, job: Job, conn: Connection, ids: Iterator[int], index: int) -> None:
        self.job = job
        self.conn = conn
        self.ids = ids
        self.index = index
        self.latencies: list[float] = []
        self.errors = 0
        self.first_error: str | None = None
        self._checked = 0

    @property
    def token(self) -> str:
        return self.job.tokens[self.index % len(self.job.tokens)]

    async def setup(self) -> None:
        return None

    def reset(self) -> None:
        self.latencies = []
        self.errors = 0
        self.first_error = None

    def fail(self, problem: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = problem

    async def send(self, raw: bytes) -> HttpResponse:
        return await self.conn.request(raw, REQUEST_TIMEOUT)

    async def attempt(self, index: int) -> str | None:
        """One measured request (or exchange); the problem with it, if any."""
        raise NotImplementedError

    async def run(self, deadline: float, budget: Counter) -> None:
        clock = time.perf_counter
        while clock() < deadline and (index := budget.take()) is not None:
            started = clock()
            try:
                problem = await self.attempt(index)
            except (ConnectionError, TimeoutError, RuntimeError) as exc:
                self.fail(f"{type(exc).__name__}: {exc}")
                return
            took = clock() - started
            if problem is None:
                self.latencies.append(took)
            else:
                self.fail(problem)

    def full_check_due(self) -> bool:
        self._checked += 1
        return self._checked % FULL_CHECK_EVERY == 1


def _tool_problem(body: bytes) -> str | None:
    """A tools/call response must be a successful result with structured content."""
    message: Any = json.loads(body)
    result = message.get("result") if isinstance(message, dict) else None
    if not isinstance(result, dict):
        return f"not a result: {body[:200]!r}"
    if result.get("isError") or "structuredContent" not in result:
        return f"tool error: {body[:200]!r}"
    return None


class McpWorker(Worker):
    """``tools/call`` in the modern era (stateless), or in a legacy session."""

    template: Template

    async def setup(self) -> None:
        wire = McpWire(self.job.host, self.job.port, self.token)
        if self.job.kind == "modern":
            self.template = wire.modern_call(self.job.tool, self.job.arguments)
            return
        session_id = await open_session(self, wire)
        self.template = wire.legacy_call(session_id, self.job.tool, self.job.arguments)

    async def attempt(self, index: int) -> str | None:
        request_id = next(self.ids)
        status, _, body = await self.send(self.template.render(request_id))
        if status != 200:
            return f"HTTP {status}: {body[:200]!r}"
        if response_id(body) != request_id:
            return f"id mismatch: sent {request_id}, body {body[:120]!r}"
        return _tool_problem(body) if self.full_check_due() else None


async def open_session(worker: Worker, wire: McpWire) -> str:
    """``initialize`` then ``notifications/initialized``; the new session's id."""
    status, headers, body = await worker.send(wire.initialize(next(worker.ids)))
    session_id = headers.get(b"mcp-session-id")
    if status != 200 or session_id is None:
        raise RuntimeError(f"initialize failed: HTTP {status} {body[:200]!r}")
    status, _, body = await worker.send(wire.initialized(session_id.decode()))
    if status != 202:
        raise RuntimeError(f"notifications/initialized failed: HTTP {status} {body[:200]!r}")
    return session_id.decode()


class SessionWorker(Worker):
    """Scenario 5: every request opens one more idle legacy session."""

    async def attempt(self, index: int) -> str | None:
        token = self.job.tokens[(index // self.job.sessions_per_token) % len(self.job.tokens)]
        await open_session(self, McpWire(self.job.host, self.job.port, token))
        return None


class IntrospectWorker(Worker):
    async def attempt(self, index: int) -> str | None:
        token = self.job.tokens[index % len(self.job.tokens)]
        raw = introspect_request(self.job.host, self.job.port, self.job.basic, token)
        status, _, body = await self.send(raw)
        if status != 200 or b'"active": true' not in body:
            return f"HTTP {status}: {body[:200]!r}"
        return None


class RefreshWorker(Worker):
    """Each worker follows its own refresh-token chain (rotation on every use)."""

    async def setup(self) -> None:
        self._current = self.token

    async def attempt(self, index: int) -> str | None:
        raw = refresh_request(self.job.host, self.job.port, self.job.client_id, self._current)
        status, _, body = await self.send(raw)
        if status != 200:
            return f"HTTP {status}: {body[:200]!r}"
        issued = json.loads(body)
        self._current = issued["refresh_token"]
        return None if issued.get("access_token") else f"no access token: {body[:200]!r}"


_KINDS: dict[str, type[Worker]] = {
    "modern": McpWorker,
    "legacy": McpWorker,
    "sessions": SessionWorker,
    "introspect": IntrospectWorker,
    "refresh": RefreshWorker,
}


def make_worker(job: Job, conn: Connection, ids: Iterator[int], index: int) -> Worker:
    return _KINDS[job.kind](job, conn, ids, index)

"""The soak's load: many MCP clients against the real services, and the readings.

Clients (``Mix``), each with its own user and a real bearer token from the
authorization server, each paced to ``rps`` requests per second (under the per-user
rate limit, so a 429 is a failure like any other):

* raw clients (``tests.faults.mcp_http``: aiohttp + JSON-RPC, cheap enough to drive
  hundreds of requests per second from one core), half 2026-07-28 (stateless), half
  2025-11-25 (a session, renewed now and then with DELETE + ``initialize``; some hold
  a GET stream open throughout); half readers (``list_tasks``, ``search_tasks``,
  ``get_task``, ``list_projects``, ``get_time``, ``tools/list``), half writers (create,
  update, complete, delete: the data stays bounded);
* a few real ``mcp`` SDK clients, reconnecting every ``SDK_RECONNECT`` seconds;
* a refresher that rotates one client's tokens every ``REFRESH_EVERY`` seconds.

A request fails unless it is answered 2xx with a result that is not an error (and, for
tools, not ``isError``). ``Sampler`` reads each server's resident memory and open file
descriptors from ``/proc`` once a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx2
import mcp
from mcp.client.streamable_http import streamable_http_client

from tests.faults.mcp_http import RawMcp, Reply, tool_call
from tests.faults.services import OAuthDriver, Service

__all__ = ["Load", "Sampler", "Stats"]

SDK_RECONNECT = 20.0
REFRESH_EVERY = 5.0
SESSION_RENEW = 30.0
MAX_RECORDED_FAILURES = 20


@dataclass
class Stats:
    requests: int = 0
    failures: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def record(self, operation: str, seconds: float, status: int, problem: str | None) -> None:
        self.requests += 1
        self.operations[operation] += 1
        self.statuses[status] += 1
        self.latencies.append(seconds)
        if status >= 500:
            self.server_errors += 1
        if problem is not None:
            self.failures += 1
            if len(self.examples) < MAX_RECORDED_FAILURES:
                self.examples.append(f"{operation}: {problem}")

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self, seconds: float) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "failed": self.failures,
            "5xx": self.server_errors,
            "requests_per_second": round(self.requests / seconds, 1),
            "latency_ms": {
                "p50": round(self.percentile(50) * 1000, 1),
                "p95": round(self.percentile(95) * 1000, 1),
                "p99": round(self.percentile(99) * 1000, 1),
                "max": round(max(self.latencies, default=0.0) * 1000, 1),
                "mean": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else 0,
            },
            "statuses": dict(self.statuses),
            "operations": dict(self.operations),
            "failure_examples": self.examples,
        }


def _problem(reply: Reply, *, tool: bool) -> str | None:
    if not 200 <= reply.status < 300:
        return f"HTTP {reply.status}: {reply.message}"
    if reply.message is None:
        return "no JSON-RPC response"
    if "error" in reply.message:
        return f"JSON-RPC error {reply.message['error']}"
    if tool and reply.message["result"].get("isError"):
        return f"isError: {reply.message['result']['content'][0]['text']}"
    return None


@dataclass
class Pacer:
    rps: float
    deadline: float
    _next: float = field(default_factory=time.monotonic)

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    async def wait(self) -> None:
        self._next += (1.0 / self.rps) * random.uniform(0.8, 1.2)
        delay = self._next - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            self._next = time.monotonic()  # running late: do not burst to catch up


@dataclass
class RawClient:
    """One user's raw client: ``era`` is "modern" or "legacy"; writers cycle tasks."""

    mcp: RawMcp
    era: str
    writer: bool
    stats: Stats
    pacer: Pacer
    hold_stream: bool = False
    session: str | None = None
    task_id: int | None = None
    _n: itertools.count[int] = field(default_factory=itertools.count)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Reply:
        started = time.monotonic()
        label = params["name"] if method == "tools/call" and params else method
        try:
            if self.era == "modern":
                reply = await self.mcp.modern(method, params)
            else:
                assert self.session is not None
                reply = await self.mcp.legacy(self.session, method, params)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.stats.record(label, time.monotonic() - started, 0, repr(exc))
            raise
        problem = _problem(reply, tool=method == "tools/call")
        self.stats.record(label, time.monotonic() - started, reply.status, problem)
        await self.pacer.wait()
        return reply

    async def tool(self, name: str, arguments: dict[str, Any] | None = None) -> Reply:
        return await self.call("tools/call", tool_call(name, arguments))

    async def run(self) -> None:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            await self._open()
            renewed = time.monotonic()
            async with contextlib.AsyncExitStack() as stack:
                if self.hold_stream:
                    await stack.enter_async_context(self._stream())
                while self.pacer.running():
                    await (self._write_cycle() if self.writer else self._read_cycle())
                    if self.era == "legacy" and time.monotonic() - renewed > SESSION_RENEW:
                        await self._renew()
                        renewed = time.monotonic()
            await self._close()

    async def _open(self) -> None:
        if self.era == "legacy":
            self.session = await self.mcp.initialize()
        reply = await self.tool("create_task", {"title": "soak anchor", "tags": ["soak"]})
        self.task_id = reply.result["structuredContent"]["task"]["id"]

    async def _close(self) -> None:
        if self.session is not None:
            await self.mcp.end(self.session)

    async def _renew(self) -> None:
        assert self.session is not None
        await self.mcp.end(self.session)
        self.session = await self.mcp.initialize()

    @contextlib.asynccontextmanager
    async def _stream(self) -> Any:
        assert self.session is not None
        headers = {"Mcp-Session-Id": self.session, "MCP-Protocol-Version": "2025-11-25"}
        headers = self.mcp.headers(headers)
        response = await self.mcp.http.get(self.mcp.url, headers=headers)
        assert response.status == 200, response.status
        try:
            yield
        finally:
            response.close()

    async def _read_cycle(self) -> None:
        n = next(self._n)
        await self.tool("list_tasks", {"status": "all", "limit": 10})
        await self.tool("get_task", {"task_id": self.task_id})
        await self.tool("search_tasks", {"query": "soak"})
        if n % 3 == 0:
            await self.tool("list_projects")
            await self.call("tools/list")
        await self.tool("get_time", {"timezone": "Europe/Paris"})

    async def _write_cycle(self) -> None:
        n = next(self._n)
        created = await self.tool("create_task", {"title": f"soak {n}", "priority": "low"})
        task_id = created.result["structuredContent"]["task"]["id"]
        await self.tool("update_task", {"task_id": task_id, "priority": "high"})
        await self.tool("complete_task", {"task_id": task_id})
        await self.tool("list_tasks", {"status": "completed", "limit": 5})
        await self.tool("delete_task", {"task_id": task_id})


@dataclass
class SdkClient:
    """The real ``mcp`` client (``mode``: "legacy" or "auto"), reconnecting now and then."""

    url: str
    token: str
    mode: str
    stats: Stats
    pacer: Pacer

    async def run(self) -> None:
        while self.pacer.running():
            started = time.monotonic()
            try:
                await self._connection()
            except Exception as exc:  # any SDK failure is a failed request
                self.stats.record("sdk", time.monotonic() - started, 0, repr(exc))
                await asyncio.sleep(1)

    async def _connection(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            mcp.Client(
                streamable_http_client(self.url, http_client=http), mode=self.mode
            ) as client,
        ):
            until = time.monotonic() + SDK_RECONNECT
            while self.pacer.running() and time.monotonic() < until:
                await self._timed("sdk tools/list", client.list_tools)
                await self._timed("sdk get_time", lambda: client.call_tool("get_time", {}))
                await self._timed("sdk list_tasks", lambda: client.call_tool("list_tasks", {}))

    async def _timed(self, label: str, call: Callable[[], Awaitable[Any]]) -> None:
        started = time.monotonic()
        result = await call()
        problem = "isError" if getattr(result, "is_error", False) else None
        self.stats.record(label, time.monotonic() - started, 200, problem)
        await self.pacer.wait()


@dataclass
class Sampler:
    services: Sequence[Service]
    samples: list[tuple[float, dict[str, tuple[int, int]]]] = field(default_factory=list)

    def sample(self) -> None:
        readings = {s.name: (s.rss_kib(), s.open_fds()) for s in self.services}
        self.samples.append((time.monotonic(), readings))

    async def run(self, until: float, every: float = 1.0) -> None:
        while time.monotonic() < until:
            self.sample()
            await asyncio.sleep(every)
        self.sample()

    def at(self, moment: float, name: str) -> tuple[int, int]:
        """Median RSS and fds of the three samples nearest to ``moment``."""
        nearest = sorted(self.samples, key=lambda s: abs(s[0] - moment))[:3]
        rss = statistics.median(r[name][0] for _, r in nearest)
        fds = statistics.median(r[name][1] for _, r in nearest)
        return int(rss), int(fds)

    def timeline(self, name: str, points: int = 11) -> list[int]:
        """RSS in KiB at ``points`` evenly spaced moments (for spotting a trend)."""
        step = max(1, (len(self.samples) - 1) // (points - 1))
        return [readings[name][0] for _, readings in self.samples[::step]]

    def peak_fds(self, name: str, since: float) -> int:
        return max(r[name][1] for t, r in self.samples if t >= since)


@dataclass
class Load:
    driver: OAuthDriver
    http: aiohttp.ClientSession
    mcp_url: str
    clients: int
    sdk_clients: int
    rps: float

    async def tokens(self, users: Sequence[str]) -> list[dict[str, object]]:
        gate = asyncio.Semaphore(16)

        async def one(user: str) -> dict[str, object]:
            async with gate:
                return await self.driver.tokens(user)

        return list(await asyncio.gather(*(one(user) for user in users)))

    def workers(
        self, tokens: Sequence[dict[str, object]], stats: Stats, deadline: float
    ) -> list[Awaitable[None]]:
        work: list[Awaitable[None]] = []
        raw = self.clients - self.sdk_clients
        for i, grant in enumerate(tokens[:raw]):
            client = RawClient(
                RawMcp(self.http, self.mcp_url, str(grant["access_token"])),
                era="modern" if i % 2 == 0 else "legacy",
                writer=(i // 2) % 2 == 1,
                stats=stats,
                pacer=Pacer(self.rps, deadline),
                hold_stream=i % 8 == 1,
            )
            work.append(client.run())
        for i, grant in enumerate(tokens[raw:]):
            mode = "legacy" if i % 2 == 0 else "auto"
            pacer = Pacer(self.rps, deadline)
            sdk = SdkClient(self.mcp_url, str(grant["access_token"]), mode, stats, pacer)
            work.append(sdk.run())
        work.append(self._refresher(tokens, stats, deadline))
        return work

    async def _refresher(
        self, tokens: Sequence[dict[str, object]], stats: Stats, deadline: float
    ) -> None:
        """Rotate refresh tokens under load (the authorization server writes too)."""
        chains = {str(t["client_id"]): str(t["refresh_token"]) for t in tokens}
        for client_id in itertools.cycle(list(chains)):
            if time.monotonic() + REFRESH_EVERY >= deadline:
                return
            await asyncio.sleep(REFRESH_EVERY)
            started = time.monotonic()
            status, body = await self.driver.refresh(client_id, chains[client_id])
            problem = None if status == 200 else f"refresh: {status} {body}"
            stats.record("refresh", time.monotonic() - started, status, problem)
            if status == 200:
                chains[client_id] = str(body["refresh_token"])

"""What the orchestrator asks of the load generator (``Job``) and what it gets back
(``Result``), both plain JSON across the process boundary."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bench.workers import Worker

__all__ = ["Job", "JobKind", "Result", "percentile", "summarize"]

JobKind = Literal["modern", "legacy", "introspect", "refresh", "sessions"]


@dataclass(frozen=True)
class Job:
    kind: JobKind
    port: int
    concurrency: int
    duration: float
    max_requests: int
    id_base: int
    host: str = "127.0.0.1"
    warmup: float = 1.0
    tokens: tuple[str, ...] = ()
    """Bearer tokens (MCP), access tokens (introspect) or refresh tokens (refresh);
    worker ``i`` uses ``tokens[i % len(tokens)]``."""
    tool: str = "get_time"
    arguments: dict[str, Any] = field(default_factory=dict)
    client_id: str = ""
    basic: str = ""
    sessions_per_token: int = 32
    server_pids: tuple[int, ...] = ()
    cpu: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known
        }
        if "arguments" in data:
            values["arguments"] = dict(data["arguments"])
        return cls(**values)


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    elapsed_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms_per_request: float
    server_cpu_util: float
    first_error: str | None = None


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = math.ceil(fraction * len(ordered)) - 1
    return ordered[max(0, min(len(ordered) - 1, rank))]


def summarize(workers: list[Worker], elapsed: float, cpu_seconds: float) -> Result:
    latencies = sorted(lat for worker in workers for lat in worker.latencies)
    errors = sum(worker.errors for worker in workers)
    first_error = next((w.first_error for w in workers if w.first_error), None)
    count = len(latencies)
    ms = 1000.0
    return Result(
        requests=count,
        errors=errors,
        elapsed_s=round(elapsed, 3),
        rps=round(count / elapsed, 1) if elapsed > 0 else 0.0,
        p50_ms=round(percentile(latencies, 0.50) * ms, 3),
        p90_ms=round(percentile(latencies, 0.90) * ms, 3),
        p99_ms=round(percentile(latencies, 0.99) * ms, 3),
        max_ms=round((latencies[-1] if latencies else 0.0) * ms, 3),
        cpu_ms_per_request=round(cpu_seconds * ms / count, 4) if count else 0.0,
        server_cpu_util=round(cpu_seconds / elapsed, 3) if elapsed > 0 else 0.0,
        first_error=first_error,
    )

"""The orchestrator's toolbox: the run's settings, the servers it started, and running
one load-generator job in its own process."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench.jobs import Job, Result
from bench.procs import CPUS, READY_TIMEOUT, Server, bench_env, started
from bench.spec import Spec

__all__ = ["Harness", "Settings"]

JOB_TIMEOUT_MARGIN = 60.0
SESSIONS_PER_USER = 32  # TransportOptions.max_sessions_per_user
SEED_TIMEOUT = 180.0
ID_BLOCK = 10_000_000  # more than any job can send


@dataclass(frozen=True)
class Settings:
    duration: float = 5.0
    warmup: float = 1.0
    rounds: int = 3
    max_requests: int = 200_000
    concurrencies: tuple[int, ...] = (1, 16, 64)
    sessions: int = 10_000
    warm_calls: int = 4_000
    cold_starts: int = 5
    smoke: bool = False

    @property
    def users(self) -> int:
        """Users to seed: 32 sessions each in scenario 5, 16 refresh chains per round."""
        return max(-(-self.sessions // SESSIONS_PER_USER), 16 * self.rounds)

    @classmethod
    def smoke_run(cls) -> Settings:
        return cls(
            duration=0.5, warmup=0.2, rounds=1, max_requests=20_000, concurrencies=(1, 16),
            sessions=640, warm_calls=400, cold_starts=1, smoke=True,
        )  # fmt: skip


class Harness:
    def __init__(self, spec: Spec, settings: Settings, log_dir: Path) -> None:
        self.spec = spec
        self.settings = settings
        self.log_dir = log_dir
        self.server_cpu, self.load_cpu = CPUS
        self.spec_path = spec.save()
        self._next_id = 1
        self.servers: dict[str, Server] = {}

    @contextlib.contextmanager
    def server(
        self, kind: str, port: int, *, cpu: int | None, seed: bool = False
    ) -> Iterator[Server]:
        args = [kind, str(self.spec_path), *(["--seed"] if seed else [])]
        timeout = SEED_TIMEOUT if seed else READY_TIMEOUT
        with started(
            kind, args, port=port, cpu=cpu, log_dir=self.log_dir, ready_timeout=timeout
        ) as server:
            self.servers[kind] = server
            try:
                yield server
            finally:
                self.servers.pop(kind, None)

    def ids(self, count: int = ID_BLOCK) -> int:
        """The first of ``count`` JSON-RPC ids that nothing else in this run uses."""
        first = self._next_id
        self._next_id += count
        return first

    def job(self, kind: str, server: Server, concurrency: int, **extra: Any) -> Job:
        """A job against ``server``, with a block of JSON-RPC ids no other job uses."""
        id_base = self.ids()
        fields: dict[str, Any] = {
            "kind": kind, "port": server.port, "concurrency": concurrency,
            "duration": self.settings.duration, "warmup": self.settings.warmup,
            "max_requests": self.settings.max_requests, "id_base": id_base,
            "server_pids": (server.pid,), "cpu": self.load_cpu,
            "tokens": self.spec.access_tokens[: max(concurrency, 1)],
        }  # fmt: skip
        return replace(Job(**fields), **extra)

    def run(self, job: Job) -> Result:
        """Run ``job`` in a separate load-generator process; its result."""
        timeout = job.warmup + job.duration + JOB_TIMEOUT_MARGIN
        completed = subprocess.run(
            [sys.executable, "-m", "bench.loadgen"],
            input=json.dumps(asdict(job)).encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
            env=bench_env(),
        )
        if completed.returncode != 0:
            raise RuntimeError(f"load generator failed: {completed.stderr.decode()[-2000:]}")
        return Result(**json.loads(completed.stdout))

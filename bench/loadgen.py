"""The load generator: a separate process that runs one job and prints its result.

``python -m bench.loadgen < job.json`` (a ``Job`` as JSON) prints a ``Result`` as JSON.
It pins itself to ``job.cpu``, opens ``job.concurrency`` keep-alive connections to
127.0.0.1, warms up for ``job.warmup`` seconds, then measures for ``job.duration``
seconds or ``job.max_requests`` requests, whichever ends first. Every request carries
a unique JSON-RPC id (``job.id_base`` + a counter), and every response is checked:
HTTP status, the echoed id, and (for one response in ``FULL_CHECK_EVERY``) the whole
JSON-RPC result. The server's CPU time over the measured window is read from
``/proc/<pid>/stat``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import time
from dataclasses import asdict

from bench.http1 import Connection
from bench.jobs import Job, Result, summarize
from bench.procs import cpu_seconds, pin
from bench.workers import Counter, Worker, make_worker

__all__ = ["main", "run_job"]

CONNECT_TIMEOUT = 10.0


async def _phase(workers: list[Worker], seconds: float, budget: Counter) -> None:
    deadline = time.perf_counter() + seconds
    runs = [asyncio.create_task(worker.run(deadline, budget)) for worker in workers]
    done, pending = await asyncio.wait(runs, timeout=seconds + 30.0)
    for task in pending:
        task.cancel()
    for task in done:
        task.result()


async def run_job(job: Job) -> Result:
    ids = itertools.count(job.id_base)
    connections = [
        await asyncio.wait_for(Connection.open(job.host, job.port), CONNECT_TIMEOUT)
        for _ in range(job.concurrency)
    ]
    try:
        workers = [make_worker(job, conn, ids, index) for index, conn in enumerate(connections)]
        for worker in workers:
            await worker.setup()
        if job.warmup > 0:
            await _phase(workers, job.warmup, Counter(job.max_requests))
        for worker in workers:
            worker.reset()
        cpu_before = [cpu_seconds(pid) for pid in job.server_pids]
        started = time.perf_counter()
        await _phase(workers, job.duration, Counter(job.max_requests))
        elapsed = time.perf_counter() - started
        cpu = sum(
            cpu_seconds(pid) - before
            for pid, before in zip(job.server_pids, cpu_before, strict=True)
        )
    finally:
        for conn in connections:
            conn.close()
    return summarize(workers, elapsed, cpu)


def main() -> int:
    job = Job.from_json(json.loads(sys.stdin.read()))
    if job.cpu is not None:
        pin(os.getpid(), job.cpu)
    result = asyncio.run(run_job(job))
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scenario 6: cold start, from spawning the process to its first successful
``tools/call`` (an uncached token, so taskmcp's first call includes an introspection).

taskmcp is started exactly as an operator starts it: the ``taskmcp resource`` console
script, configured through the environment, in an empty working directory (no
``.env``). The SDK server is ``python -m bench.serve sdk`` (its module imports the SDK,
uvicorn and the taskmcp tools it reuses).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import Harness
from bench.probe import first_call_after
from bench.procs import cpu_seconds, pin, spawn
from bench.stack import resource_environ

__all__ = ["cold_start"]

TIMEOUT = 30.0


def _taskmcp_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("taskmcp")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "taskmcp.cli"]
    return [*head, "resource", "--port", str(port)]


def _once(
    harness: Harness, name: str, argv: list[str], port: int, env: dict[str, str]
) -> tuple[float, float]:
    """Wall-clock seconds to the first successful call, and the CPU seconds the server
    process had used by then (the part that does not grow when the machine is busy)."""
    started = time.perf_counter()
    # an empty working directory: no .env from the developer's checkout
    proc, _ = spawn(f"coldstart-{name}", argv, harness.log_dir, env, cwd=Path(harness.spec.run_dir))
    try:
        pin(proc.pid, harness.server_cpu)
        token = harness.spec.access_tokens[0]
        wall = asyncio.run(first_call_after(proc, started, port, token, TIMEOUT, harness.ids()))
        return wall, cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def cold_start(harness: Harness, name: str) -> dict[str, Any]:
    spec = harness.spec
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TASKMCP_", "MCP_"))}
    if name == "taskmcp":
        port, argv = spec.taskmcp_port, _taskmcp_command(spec.taskmcp_port)
        env = {**clean, **resource_environ(spec)}
    else:
        port = spec.sdk_port
        argv = [sys.executable, "-m", "bench.serve", "sdk", str(harness.spec_path)]
        env = clean
    runs = [_once(harness, name, argv, port, env) for _ in range(harness.settings.cold_starts)]
    times = [wall for wall, _ in runs]
    row = {
        "scenario": "S6",
        "server": name,
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "runs": [round(t, 3) for t in times],
        "cpu_median_s": round(statistics.median(cpu for _, cpu in runs), 3),
    }
    print(f"  S6 {name:8} first tools/call after {row['median_s']} s {row['runs']}", flush=True)
    return row

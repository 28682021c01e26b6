"""What the numbers were measured on: recorded with every run."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.gcpolicy import THRESHOLDS
from bench.procs import CPUS

__all__ = ["describe"]

PACKAGES = ("taskmcp", "aiohttp", "mcp", "starlette", "uvicorn", "h11", "httptools", "pydantic")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def describe() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
        "server_cpu": CPUS[0],
        "load_generator_cpu": CPUS[1],
        "gc_thresholds": list(THRESHOLDS),
        "load_average": list(os.getloadavg()),
    }

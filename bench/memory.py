"""Scenario 5: resident memory per idle legacy session.

A freshly started server first serves ``settings.warm_calls`` modern calls spread over every
user it will see (the introspection cache fills and the request path's buffers reach
their working size); its RSS is read after a short settle. Then ``settings.sessions``
sessions are opened (``initialize`` + ``notifications/initialized``, 32 per user, the
per-user cap) and left idle; the RSS is read again. The difference divided by the
number of sessions is the cost of one idle session.
"""

from __future__ import annotations

import math
import time
from typing import Any

from bench.harness import SESSIONS_PER_USER, Harness
from bench.procs import Server, rss_bytes

__all__ = ["session_memory"]

SETTLE = 1.0
CONCURRENCY = 16


def session_memory(harness: Harness, server: Server) -> dict[str, Any]:
    sessions = harness.settings.sessions
    users = math.ceil(sessions / SESSIONS_PER_USER)
    tokens = harness.spec.access_tokens[:users]
    budget: dict[str, Any] = {"duration": 120.0, "warmup": 0.0}
    harness.run(
        harness.job(
            "modern",
            server,
            CONCURRENCY,
            tokens=tokens,
            max_requests=harness.settings.warm_calls,
            **budget,
        )
    )
    time.sleep(SETTLE)
    before = rss_bytes(server.pid)
    opened = harness.job(
        "sessions", server, CONCURRENCY, tokens=tokens, max_requests=sessions,
        sessions_per_token=SESSIONS_PER_USER, **budget,
    )  # fmt: skip
    result = harness.run(opened)
    time.sleep(SETTLE)
    after = rss_bytes(server.pid)
    row = {
        "scenario": "S5",
        "server": server.name,
        "sessions": result.requests,
        "errors": result.errors,
        "first_error": result.first_error,
        "rss_before_mb": round(before / 2**20, 1),
        "rss_after_mb": round(after / 2**20, 1),
        "bytes_per_session": round((after - before) / max(result.requests, 1)),
    }
    print(f"  S5 {server.name:8} {row['bytes_per_session']} bytes/session ({row})", flush=True)
    return row

"""Scenarios 1 to 4: throughput and latency under load, servers interleaved per round.

Each (scenario, server, concurrency) is measured ``settings.rounds`` times, the servers
taking turns within a round so that a disturbance on the machine hits them alike; the
round with the median requests/s is reported, with every round's requests/s beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from bench.harness import Harness
from bench.jobs import Job, Result
from bench.procs import Server
from bench.spec import CLIENT_ID, RS_CLIENT_ID
from taskmcp.resource.introspection import basic_credentials

__all__ = ["Row", "authorization_server", "legacy_get_time", "list_tasks", "modern_get_time"]

Row = dict[str, Any]
LIST_ARGUMENTS = {"limit": 50}
REFRESH_CHAINS = 16


def _row(scenario: str, server: str, concurrency: int, rounds: list[Result]) -> Row:
    ordered = sorted(rounds, key=lambda r: r.rps)
    chosen = ordered[(len(ordered) - 1) // 2]
    return {
        "scenario": scenario,
        "server": server,
        "concurrency": concurrency,
        **asdict(chosen),
        "rps_rounds": [r.rps for r in rounds],
        "errors_all_rounds": sum(r.errors for r in rounds),
    }


def measure(
    harness: Harness,
    scenario: str,
    servers: Sequence[Server],
    concurrencies: Sequence[int],
    make_job: Callable[[Server, int, int], Job],
) -> list[Row]:
    rows: list[Row] = []
    for concurrency in concurrencies:
        results: dict[str, list[Result]] = {server.name: [] for server in servers}
        for round_no in range(harness.settings.rounds):
            for server in servers:
                result = harness.run(make_job(server, concurrency, round_no))
                results[server.name].append(result)
                _progress(scenario, server.name, concurrency, result)
        rows += [_row(scenario, name, concurrency, runs) for name, runs in results.items()]
    return rows


def _progress(scenario: str, server: str, concurrency: int, result: Result) -> None:
    error = f"  errors {result.errors}: {result.first_error}" if result.errors else ""
    print(
        f"  {scenario} {server:8} c{concurrency:<3} {result.rps:9.1f} req/s  "
        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
        f"cpu {result.cpu_ms_per_request:.3f} ms/req{error}",
        flush=True,
    )


def modern_get_time(harness: Harness, servers: Sequence[Server]) -> list[Row]:
    """S1: ``tools/call get_time``, 2026-07-28, bearer token (introspection cached)."""
    return measure(
        harness, "S1", servers, harness.settings.concurrencies,
        lambda server, c, _: harness.job("modern", server, c),
    )  # fmt: skip


def legacy_get_time(harness: Harness, servers: Sequence[Server]) -> list[Row]:
    """S2: the same inside a legacy (2025-11-25) session, one session per connection."""
    return measure(
        harness, "S2", servers, harness.settings.concurrencies,
        lambda server, c, _: harness.job("legacy", server, c),
    )  # fmt: skip


def list_tasks(harness: Harness, servers: Sequence[Server]) -> list[Row]:
    """S3: ``tools/call list_tasks`` returning 50 tasks from the stand-in, c16."""
    return measure(
        harness, "S3", servers, (16,),
        lambda server, c, _: harness.job(
            "modern", server, c, tool="list_tasks", arguments=LIST_ARGUMENTS
        ),
    )  # fmt: skip


def authorization_server(harness: Harness, auth: Server) -> list[Row]:
    """S4: ``/introspect`` and the ``refresh_token`` grant on SQLite, c16. Each refresh
    round follows fresh chains (a rotated refresh token must never be reused); a worker
    carries its chain from the warm-up into the measured phase."""
    spec = harness.spec
    basic = basic_credentials(RS_CLIENT_ID, spec.rs_secret)
    rows = measure(
        harness, "S4 introspect", [auth], (16,),
        lambda server, c, _: harness.job("introspect", server, c, basic=basic,
                                         tokens=spec.access_tokens),
    )  # fmt: skip

    def refresh_job(server: Server, concurrency: int, round_no: int) -> Job:
        first = round_no * REFRESH_CHAINS
        chains = spec.refresh_tokens[first : first + REFRESH_CHAINS]
        return harness.job("refresh", server, concurrency, tokens=chains, client_id=CLIENT_ID)

    rows += measure(harness, "S4 refresh", [auth], (REFRESH_CHAINS,), refresh_job)
    return rows

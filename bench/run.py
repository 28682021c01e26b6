"""One harness run: start every server, run the scenarios, stop everything, report.

Layout (two CPUs): the server under test on one CPU, the load generator on the other,
with the stand-in and the authorization server (idle once the introspection cache is
warm) beside the load generator. For scenario 4 the authorization server is the server
under test and moves to the server CPU.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Collection
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import scenarios
from bench.bare_server import RESULTS_FILE
from bench.coldstart import cold_start
from bench.harness import Harness, Settings
from bench.machine import describe
from bench.memory import session_memory
from bench.probe import call_tool
from bench.procs import Server, pin
from bench.report import evaluate, ratios, table
from bench.scenarios import LIST_ARGUMENTS, Row
from bench.spec import TASKS, Spec

__all__ = ["ALL_SCENARIOS", "run"]

ALL_SCENARIOS = ("S1", "S2", "S3", "S4", "S5", "S6")


def _capture_results(harness: Harness, taskmcp: Server) -> None:
    """The bare server answers with taskmcp's own results (same bytes to serialise)."""
    token, first = harness.spec.access_tokens[0], harness.ids(2)
    results = {
        "get_time": asyncio.run(call_tool(taskmcp.port, token, "get_time", {}, first)),
        "list_tasks": asyncio.run(
            call_tool(taskmcp.port, token, "list_tasks", LIST_ARGUMENTS, first + 1)
        ),
    }
    if results["list_tasks"]["structuredContent"]["count"] != TASKS:
        raise RuntimeError(f"list_tasks did not return {TASKS} tasks")
    (Path(harness.spec.run_dir) / RESULTS_FILE).write_text(json.dumps(results))


def _mcp_scenarios(harness: Harness, wanted: Collection[str]) -> list[Row]:
    spec, cpu = harness.spec, harness.server_cpu
    rows: list[Row] = []
    with harness.server("taskmcp", spec.taskmcp_port, cpu=cpu) as taskmcp:
        _capture_results(harness, taskmcp)
        with (
            harness.server("sdk", spec.sdk_port, cpu=cpu) as sdk,
            harness.server("bare", spec.bare_port, cpu=cpu) as bare,
        ):
            if "S1" in wanted:
                rows += scenarios.modern_get_time(harness, [taskmcp, sdk, bare])
            if "S2" in wanted:
                rows += scenarios.legacy_get_time(harness, [taskmcp, sdk])
            if "S3" in wanted:
                rows += scenarios.list_tasks(harness, [taskmcp, sdk, bare])
    return rows


def _auth_scenarios(harness: Harness, auth: Server) -> list[Row]:
    pin(auth.pid, harness.server_cpu)
    try:
        return scenarios.authorization_server(harness, auth)
    finally:
        pin(auth.pid, harness.load_cpu)


def _memory(harness: Harness) -> list[Row]:
    spec = harness.spec
    rows = []
    for kind, port in (("taskmcp", spec.taskmcp_port), ("sdk", spec.sdk_port)):
        with harness.server(kind, port, cpu=harness.server_cpu) as server:
            rows.append(session_memory(harness, server))
    return rows


def _measure(harness: Harness, wanted: set[str]) -> tuple[list[Row], list[Row]]:
    spec, cpu = harness.spec, harness.load_cpu
    rows: list[Row] = []
    extra: list[Row] = []
    with (
        harness.server("standin", spec.standin_port, cpu=cpu),
        harness.server("auth", spec.auth_port, cpu=cpu, seed=True) as auth,
    ):
        if wanted & {"S1", "S2", "S3"}:
            rows += _mcp_scenarios(harness, wanted)
        if "S4" in wanted:
            rows += _auth_scenarios(harness, auth)
        if "S5" in wanted:
            extra += _memory(harness)
        if "S6" in wanted:
            extra += [cold_start(harness, "taskmcp"), cold_start(harness, "sdk")]
    return rows, extra


def run(
    settings: Settings, out_dir: Path, wanted: Collection[str] = ALL_SCENARIOS
) -> dict[str, Any]:
    """Run the scenarios in ``wanted``; write ``out_dir/latest.json`` and ``latest.md``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    log_dir = out_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    machine = describe()
    run_dir = Path(tempfile.mkdtemp(prefix="taskmcp-bench-"))
    try:
        harness = Harness(Spec.fresh(run_dir, settings.users), settings, log_dir)
        rows, extra = _measure(harness, set(wanted))
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    machine["load_average_end"] = list(os.getloadavg())
    verdicts = evaluate(rows, extra)
    document = {
        "machine": machine, "settings": asdict(settings), "rows": rows, "extra": extra,
        "ratios": ratios(rows), "targets": verdicts,
    }  # fmt: skip
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(document, indent=2)
    (out_dir / f"bench-{stamp}.json").write_text(text)
    (out_dir / "latest.json").write_text(text)
    (out_dir / "latest.md").write_text(table(rows, extra, verdicts) + "\n")
    return document

"""The benchmark harness (issue #8) keeps working: a smoke run of every scenario.

``python -m bench --smoke`` starts the stand-in, the authorization server on SQLite,
taskmcp, the official SDK's server and the bare aiohttp ceiling on 127.0.0.1, runs each
scenario for a fraction of a second with the load generator in its own process, and
stops them all. No performance target is asserted here (``make bench`` reports those);
the run must finish, every request must succeed, and the report must be complete.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMOKE_TIMEOUT = 240
LOAD_SCENARIOS = {"S1", "S2", "S3", "S4 introspect", "S4 refresh"}


def test_a_smoke_run_measures_every_scenario_without_a_failed_request(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = json.loads((tmp_path / "latest.json").read_text())
    rows = report["rows"]
    assert {row["scenario"] for row in rows} == LOAD_SCENARIOS
    for row in rows:
        assert row["requests"] > 0, row
        assert row["errors_all_rounds"] == 0, row
        assert row["cpu_ms_per_request"] > 0, row
    servers = {(row["scenario"], row["server"]) for row in rows}
    assert {("S1", "taskmcp"), ("S1", "sdk"), ("S1", "bare"), ("S3", "sdk")} <= servers
    extra = {(row["scenario"], row["server"]): row for row in report["extra"]}
    assert set(extra) == {("S5", "taskmcp"), ("S5", "sdk"), ("S6", "taskmcp"), ("S6", "sdk")}
    assert extra["S5", "taskmcp"]["errors"] == 0
    assert extra["S6", "taskmcp"]["median_s"] > 0
    assert "S1 c16 rps taskmcp/SDK" in report["ratios"]
    assert (tmp_path / "latest.md").read_text().startswith("| scenario |")

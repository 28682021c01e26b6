"""The printed table, the ratios we track, and the targets of issue #8.

Ratios: taskmcp/SDK (requests/s, and SDK p99 / taskmcp p99) and taskmcp/bare
(requests/s), and the same comparisons in server CPU time per request (SDK/taskmcp,
bare/taskmcp), which do not depend on the load generator keeping up or on what else
the machine is doing. The bare ceiling for scenarios 1 and 2 is the bare handler answering
with the ``get_time`` result at the same concurrency; for scenario 3 with the
50-record ``list_tasks`` result. Targets are reported, never asserted in smoke runs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["TARGETS", "evaluate", "main", "ratios", "table"]

Row = dict[str, Any]
TARGETS = {
    "S1 c16 rps taskmcp/SDK": 5.0,
    "S1 c16 p99 SDK/taskmcp": 5.0,
    "S1 c16 rps taskmcp/bare": 0.5,
    "S2 c16 rps taskmcp/SDK": 5.0,
    "S2 c16 p99 SDK/taskmcp": 5.0,
    "S2 c16 rps taskmcp/bare": 0.5,
    "S3 c16 rps taskmcp/SDK": 3.0,
    "S4 introspect rps": 3000.0,
    "S4 refresh rps": 300.0,
}


def _find(rows: Iterable[Row], scenario: str, server: str, concurrency: int) -> Row | None:
    return next(
        (
            r
            for r in rows
            if r["scenario"] == scenario
            and r["server"] == server
            and r.get("concurrency") == concurrency
        ),
        None,
    )


def _get(row: Row | None, key: str) -> float | None:
    return None if row is None else float(row[key])


def _div(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def ratios(rows: list[Row]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    concurrencies = sorted({r["concurrency"] for r in rows if r["scenario"] == "S1"})
    for scenario in ("S1", "S2", "S3"):
        for c in concurrencies if scenario != "S3" else [16]:
            tm, sdk = _find(rows, scenario, "taskmcp", c), _find(rows, scenario, "sdk", c)
            bare = _find(rows, "S3" if scenario == "S3" else "S1", "bare", c)
            if tm is None:
                continue
            out[f"{scenario} c{c} rps taskmcp/SDK"] = _div(tm["rps"], _get(sdk, "rps"))
            out[f"{scenario} c{c} p99 SDK/taskmcp"] = _div(_get(sdk, "p99_ms"), tm["p99_ms"])
            out[f"{scenario} c{c} rps taskmcp/bare"] = _div(tm["rps"], _get(bare, "rps"))
            cpu = tm["cpu_ms_per_request"]
            out[f"{scenario} c{c} CPU/req SDK/taskmcp"] = _div(_get(sdk, "cpu_ms_per_request"), cpu)
            out[f"{scenario} c{c} CPU/req bare/taskmcp"] = _div(
                _get(bare, "cpu_ms_per_request"), cpu
            )
    return out


def evaluate(rows: list[Row], extra: list[Row]) -> dict[str, dict[str, Any]]:
    """Each target with the measured value and whether it is met."""
    measured: dict[str, float | None] = dict(ratios(rows))
    for kind in ("introspect", "refresh"):
        row = _find(rows, f"S4 {kind}", "auth", 16)
        measured[f"S4 {kind} rps"] = row["rps"] if row else None
    verdicts: dict[str, dict[str, Any]] = {}
    for name, target in TARGETS.items():
        value = measured.get(name)
        verdicts[name] = {"target": f">= {target}", "value": value,
                          "met": value is not None and value >= target}  # fmt: skip
    memory = next((r for r in extra if r["scenario"] == "S5" and r["server"] == "taskmcp"), None)
    if memory is not None:
        value = memory["bytes_per_session"]
        verdicts["S5 bytes/idle session"] = {"target": "<= 4096", "value": value,
                                             "met": value <= 4096}  # fmt: skip
    cold = next((r for r in extra if r["scenario"] == "S6" and r["server"] == "taskmcp"), None)
    if cold is not None:
        value = cold["median_s"]
        verdicts["S6 cold start s"] = {"target": "< 1.0", "value": value, "met": value < 1.0}
    return verdicts


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:.2f}"
    return "" if value is None else str(value)


def table(rows: list[Row], extra: list[Row], verdicts: dict[str, dict[str, Any]]) -> str:
    """A Markdown table of the load scenarios, then memory, cold start and targets."""
    lines = [
        "| scenario | server | c | req/s | p50 ms | p99 ms | CPU ms/req | req/CPU-s | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cpu = r["cpu_ms_per_request"]
        per_cpu_second = round(1000 / cpu) if cpu else None
        cells = [r["scenario"], r["server"], r["concurrency"], r["rps"], r["p50_ms"],
                 r["p99_ms"], cpu, per_cpu_second, r["errors_all_rounds"]]  # fmt: skip
        lines.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
    lines += ["", "| scenario | server | result |", "|---|---|---|"]
    for r in extra:
        if r["scenario"] == "S5":
            text = f"{r['bytes_per_session']} bytes/idle session ({r['sessions']} sessions, "
            text += f"RSS {r['rss_before_mb']} → {r['rss_after_mb']} MB)"
        else:
            text = f"{r['median_s']} s to first tools/call (median; runs {r['runs']}"
            text += f"; server CPU {r.get('cpu_median_s')} s)"
        lines.append(f"| {r['scenario']} | {r['server']} | {text} |")
    lines += ["", "| ratio / target | value | target | met |", "|---|---:|---|---|"]
    for name, value in ratios(rows).items():
        verdict = verdicts.get(name)
        target, met = (
            (verdict["target"], "yes" if verdict["met"] else "NO") if verdict else ("", "")
        )
        lines.append(f"| {name} | {_fmt(value)} | {target} | {met} |")
    for name, verdict in verdicts.items():
        if not name.startswith(("S1", "S2", "S3")):
            met = "yes" if verdict["met"] else "NO"
            lines.append(f"| {name} | {_fmt(verdict['value'])} | {verdict['target']} | {met} |")
    return "\n".join(lines)


def main() -> int:
    """``python -m bench.report FILE.json``: the tables of an earlier run, again."""
    document = json.loads(Path(sys.argv[1]).read_text())
    rows, extra = document["rows"], document["extra"]
    print(table(rows, extra, evaluate(rows, extra)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

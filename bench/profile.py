"""Profile one server under one scenario's load with py-spy (sampling, out of process):
``python -m bench.profile --server taskmcp --scenario S1``.

The stack starts as in a run, py-spy attaches to the server for the measured window,
and the collapsed stacks go to ``bench/out/profile-<server>-<scenario>.txt`` (load them
in speedscope or flamegraph.pl), followed here by the top functions by own time and by
inclusive time. Needs ``py-spy`` (a dev dependency) and permission to ptrace.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Harness, Settings
from bench.jobs import Job
from bench.procs import ROOT, Server
from bench.run import _capture_results
from bench.scenarios import LIST_ARGUMENTS, REFRESH_CHAINS
from bench.spec import CLIENT_ID, RS_CLIENT_ID, Spec
from taskmcp.resource.introspection import basic_credentials

__all__ = ["main", "summarize_collapsed"]

TOP = 30
SCENARIOS = ("S1", "S2", "S3", "S4-introspect", "S4-refresh")


_LINE = re.compile(r":\d+\)$")


def summarize_collapsed(path: Path, top: int = TOP) -> str:
    """Top functions (line numbers folded) by own and by inclusive samples."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames, samples = [_LINE.sub(")", f) for f in stack.split(";")], int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    lines = [f"{total} samples", "", "own time:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "inclusive time:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines)


def _job(harness: Harness, scenario: str, server: Server, concurrency: int) -> Job:
    spec = harness.spec
    if scenario == "S1":
        return harness.job("modern", server, concurrency)
    if scenario == "S2":
        return harness.job("legacy", server, concurrency)
    if scenario == "S3":
        return harness.job(
            "modern", server, concurrency, tool="list_tasks", arguments=LIST_ARGUMENTS
        )
    if scenario == "S4-introspect":
        basic = basic_credentials(RS_CLIENT_ID, spec.rs_secret)
        return harness.job(
            "introspect", server, concurrency, basic=basic, tokens=spec.access_tokens
        )
    return harness.job("refresh", server, concurrency, client_id=CLIENT_ID,
                       tokens=spec.refresh_tokens[:REFRESH_CHAINS])  # fmt: skip


def _py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        raise SystemExit("bench.profile needs py-spy: pip install py-spy (a dev dependency)")
    return found


def _profiled(harness: Harness, server: Server, scenario: str, concurrency: int, out: Path) -> None:
    seconds = harness.settings.duration + harness.settings.warmup
    spy = subprocess.Popen(  # noqa: S603 (py-spy from this environment)
        [_py_spy(), "record", "--pid", str(server.pid),
         "--duration", str(int(seconds)), "--rate", "400", "--format", "raw",
         "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    result = harness.run(_job(harness, scenario, server, concurrency))
    spy.wait(timeout=60)
    print(f"{server.name} {scenario} c{concurrency}: {result}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--server", choices=("taskmcp", "sdk", "bare", "auth"), default="taskmcp")
    parser.add_argument("--scenario", choices=SCENARIOS, default="S1")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    _py_spy()  # before anything starts
    out_dir = ROOT / "bench" / "out"
    (out_dir / "logs").mkdir(parents=True, exist_ok=True)
    out = out_dir / f"profile-{args.server}-{args.scenario}.txt"
    run_dir = Path(tempfile.mkdtemp(prefix="taskmcp-bench-"))
    settings = Settings(duration=args.seconds, warmup=1.0, rounds=1, sessions=640)
    harness = Harness(Spec.fresh(run_dir, settings.users), settings, out_dir / "logs")
    spec, load, cpu = harness.spec, harness.load_cpu, harness.server_cpu
    try:
        with (
            harness.server("standin", spec.standin_port, cpu=load),
            harness.server("auth", spec.auth_port, cpu=cpu if args.server == "auth" else load,
                           seed=True) as auth,
        ):  # fmt: skip
            if args.server == "auth":
                _profiled(harness, auth, args.scenario, args.concurrency, out)
            else:
                ports = {"taskmcp": spec.taskmcp_port, "sdk": spec.sdk_port, "bare": spec.bare_port}
                with harness.server("taskmcp", spec.taskmcp_port, cpu=cpu) as taskmcp:
                    _capture_results(harness, taskmcp)
                    target = taskmcp
                    if args.server != "taskmcp":
                        with harness.server(args.server, ports[args.server], cpu=cpu) as other:
                            _profiled(harness, other, args.scenario, args.concurrency, out)
                    else:
                        _profiled(harness, target, args.scenario, args.concurrency, out)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    print(summarize_collapsed(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

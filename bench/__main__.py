"""``python -m bench``: the full benchmark (``make bench``); ``--smoke`` for a few
seconds per scenario (``make bench-smoke``, and CI through tests/test_bench_smoke.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.harness import Settings
from bench.procs import ROOT
from bench.run import ALL_SCENARIOS, run

__all__ = ["main"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a short run; targets not enforced")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="output folder")
    parser.add_argument(
        "--only", default=",".join(ALL_SCENARIOS), help="comma-separated scenarios (S1..S6)"
    )
    parser.add_argument("--rounds", type=int, help="rounds per measurement (default 3)")
    parser.add_argument("--duration", type=float, help="measured seconds per round (default 5)")
    args = parser.parse_args()
    settings = Settings.smoke_run() if args.smoke else Settings()
    if args.rounds is not None:
        settings = Settings(**{**settings.__dict__, "rounds": args.rounds})
    if args.duration is not None:
        settings = Settings(**{**settings.__dict__, "duration": args.duration})
    wanted = [name.strip().upper() for name in args.only.split(",") if name.strip()]
    document = run(settings, args.out, wanted)
    print((args.out / "latest.md").read_text())
    missed = [name for name, verdict in document["targets"].items() if not verdict["met"]]
    if missed and not settings.smoke:
        print("targets not met: " + ", ".join(missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m bench [--only SUITE] [--quick] [--hours H] [--json FILE]`: run the benchmarks, print a
table, and write the performance report (``bench/out/report.md`` with its plots, :mod:`bench.report`)."""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path

from bench.common import Figure, render, to_json

SUITES = [
    "bench.text_turn",
    "bench.can_bus",
    "bench.llm",
    "bench.llm_start",
    "bench.voice",
    "bench.voice_accuracy",
    "bench.voice_latency",
    "bench.voice_load",
    "bench.voice_eval",
    "bench.readback_policy",  # after voice_eval: reads its test-half records (no decoding)
    "bench.wake_eval",
    "bench.wake_long",  # 8 h of held-out background for the false-wake bound (~20 min once; cached)
    "bench.slurp",
    "bench.tts",
    "bench.followup",
    "bench.asr_variants",
    "bench.soak",  # last: 20 minutes of 8 sessions against `cockpit serve` (--quick: 60 s)
]
"""Benchmark modules; each has ``run(quick: bool) -> list[Figure]``."""


def main(argv: list[str] | None = None) -> int:
    """Run the suites and report."""
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--only", action="append", help="run only this suite (repeatable), e.g. text_turn")
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke run)")
    parser.add_argument("--hours", type=float, help="hours of background audio for the suites that take it (wake_long)")
    parser.add_argument("--json", type=Path, default=Path("bench/out/latest.json"), help="where to write figures")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    for name in SUITES:
        short = name.rsplit(".", 1)[-1]
        if args.only and short not in args.only:
            continue
        print(f"== {short}", file=sys.stderr, flush=True)
        run = importlib.import_module(name).run
        extra = {"hours": args.hours} if args.hours and "hours" in inspect.signature(run).parameters else {}
        figures.extend(run(quick=args.quick, **extra))
    print(render(figures))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(to_json(figures))
    from bench.report import write_report

    print(f"report: {write_report(args.json.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

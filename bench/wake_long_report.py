"""The tables and figures of :mod:`bench.wake_long` (per kind and over all; misses on the test side)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import Figure
from bench.corpus import ROOT
from bench.wake_candidates import Setting, wakes_of
from bench.wake_eval import BASELINE_THRESHOLD, TARGET_MISS, TARGET_PER_HOUR, poisson_upper

SUITE = "wake_long"
OUT = ROOT / "bench" / "out" / "wake_long.json"
"""Where the figures, the settings and every segment's line go (the test side's run)."""


def tally(entries: Sequence[dict[str, Any]], settings: dict[str, Setting]) -> dict[str, dict[str, Any]]:
    """Per kind and over all: segments, hours, and per setting the wakes, the rate and its 95 % bound."""
    wakes_by = {e["file"]: {name: len(wakes_of(e, s)) for name, s in settings.items()} for e in entries}
    groups: dict[str, list[dict[str, Any]]] = {"all background": list(entries)}
    for e in entries:
        groups.setdefault(e["kind"], []).append(e)
    out = {}
    for name in sorted(groups, key=lambda k: (k != "all background", k)):
        rows = groups[name]
        hours = sum(float(e["hours"]) for e in rows)
        row: dict[str, Any] = {"segments": len(rows), "hours": round(hours, 4)}
        for setting in settings:
            wakes = sum(wakes_by[e["file"]][setting] for e in rows)
            bound = poisson_upper(wakes, hours)
            row[setting] = {
                "wakes": wakes,
                "per_hour": wakes / hours if hours else None,
                "upper_95": None if bound is None else round(bound, 4),
            }
        out[name] = row
    return out


def out_path(split: str) -> Path:
    """Where a split's run writes its JSON."""
    return OUT if split == "test" else OUT.with_name(f"{SUITE}_{split}.json")


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def print_report(body: dict[str, Any]) -> None:
    """The false-wake table (per kind and over all) and the misses, on stdout."""
    s = body["defaults"]
    print(
        f"\n{SUITE}: {body.get('split', 'test')} background, head {s['threshold']:g} + verifier "
        f"{s['verifier_threshold']}; {'' if body['complete'] else 'INCOMPLETE, '}{body['wall_seconds']:.0f} s; "
        f"details in {out_path(body.get('split', 'test'))}"
    )
    rows = [["no wake word", "segments", "hours", "wakes", "per hour", "95 % upper", "head alone /h", "head 0.5 /h"]]
    for name, row in body["false_wakes"].items():
        d = row["defaults"]
        rows.append(
            [
                name,
                str(row["segments"]),
                f"{row['hours']:.2f}",
                str(d["wakes"]),
                _fmt(d["per_hour"], 2),
                _fmt(d["upper_95"], 2),
                _fmt(row["head_alone"]["per_hour"], 2),
                _fmt(row["baseline"]["per_hour"], 2),
            ]
        )
    if body["misses"]:
        rows.append(["wake word (held out)", "recordings", "", "missed", "rate", "", "head alone", "head 0.5"])
    for name, row in body["misses"].get("defaults", {}).items():
        rows.append(
            [
                name,
                str(row["recordings"]),
                "",
                str(row["missed"]),
                _fmt(row["rate"], 3),
                "",
                _fmt(body["misses"]["head_alone"][name]["rate"], 3),
                _fmt(body["misses"]["baseline"][name]["rate"], 3),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print("\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows) + "\n")


def figures(body: dict[str, Any]) -> list[Figure]:
    """False wakes per hour (and their 95 % bound) over all the background and per kind, and the
    held-out misses; against the head alone at 0.5 in the same run."""
    s = body["defaults"]
    what = f"held out, head {s['threshold']:g} + verifier {s['verifier_threshold']}"
    base = f"head alone at {BASELINE_THRESHOLD:g}"
    target = f"<= {TARGET_PER_HOUR:g}"
    out = []
    for name, row in body["false_wakes"].items():
        d, b = row["defaults"], row["baseline"]
        if d["per_hour"] is None:
            continue
        label = f"{name} ({what}, {row['hours']:.2f} h)"
        out.append(
            Figure(SUITE, f"false wakes per hour, {label}", d["per_hour"], "per hour", b["per_hour"], base, target)
        )
        if name == "all background":
            out.append(
                Figure(
                    SUITE,
                    f"false wakes per hour, 95 % upper bound, {label}",
                    d["upper_95"],
                    "per hour",
                    b["upper_95"],
                    base,
                    target,
                )
            )
    row = body["misses"]["defaults"].get("all")
    if row and row["rate"] is not None:
        out.append(
            Figure(
                SUITE,
                f"wake-word misses ({what}, {row['recordings']} recordings)",
                row["rate"],
                "fraction",
                body["misses"]["baseline"]["all"]["rate"],
                base,
                f"<= {TARGET_MISS:g}",
            )
        )
    return out

"""The performance report: ``bench/out/report.md`` and its PNG plots, from the suites' JSON.

``make bench`` writes it after the suites; ``python -m bench.report [DIR]`` writes it again from
whatever JSON is in ``DIR`` (default ``bench/out``):

- every figure of every suite (each ``*.json`` that is a list of figures; the newest file wins
  when two carry the same figure), as a table;
- ``ratios.png``: the wake-word, speech-recognition and language-model figures as ratios against
  their same-run baselines;
- ``latency.png``: the soak's latency distributions (typed commands, car questions, open
  questions, spoken commands);
- ``soak.png``: the soak's server memory and threads, and the command p99, over time;

and the soak's pass criteria. A missing input leaves its section out and says so.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

OUT = Path("bench/out")
RATIO_SUITES = ("wake", "voice", "asr", "llm", "tts")
"""Suites whose ratios ``ratios.png`` plots (by name prefix)."""


def load_figures(folder: Path) -> list[dict[str, Any]]:
    """Every figure in ``folder``'s JSON lists; the newest file wins for a (suite, name) pair."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, list):
            continue
        for item in data:
            if isinstance(item, dict) and {"suite", "name", "value", "unit"} <= set(item):
                chosen[(str(item["suite"]), str(item["name"]))] = item
    return sorted(chosen.values(), key=lambda f: (str(f["suite"]), str(f["name"])))


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _figure_table(figures: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = ["| suite | figure | value | baseline | ratio | target |", "|---|---|---|---|---|---|"]
    for f in figures:
        base = "" if f.get("baseline") is None else f"{_fmt(f['baseline'])} {f['unit']} ({f.get('baseline_name', '')})"
        name = str(f["name"]).replace("|", "/")
        lines.append(
            f"| {f['suite']} | {name} | {_fmt(f['value'])} {f['unit']} | {base} | {_fmt(f.get('ratio'))} "
            f"| {f.get('target', '')} |"
        )
    return lines


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display
    import matplotlib.pyplot as plt

    return plt


def plot_ratios(figures: Sequence[Mapping[str, Any]], path: Path) -> bool:
    """A bar per wake/ASR/LLM figure with a ratio; False when there is none."""
    rows = [f for f in figures if f.get("ratio") is not None and str(f["suite"]).startswith(RATIO_SUITES)]
    if not rows:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.2))
    labels = [f"{f['suite']}: {str(f['name'])[:60]}" for f in rows]
    ax.barh(range(len(rows)), [float(f["ratio"]) for f in rows], color="tab:blue")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("value / same-run baseline")
    ax.set_title("Ratios to same-run baselines: wake word, ASR, language model", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def plot_latency(soak: Mapping[str, Any], path: Path) -> bool:
    """One histogram per kind of turn in the soak; False without latencies."""
    kinds = {k: v for k, v in soak.get("latencies_ms", {}).items() if v}
    if not kinds:
        return False
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(kinds), figsize=(3.2 * len(kinds), 3), squeeze=False)
    for ax, (kind, values) in zip(axes[0], sorted(kinds.items()), strict=True):
        ax.hist(values, bins=30, color="tab:green")
        ax.set_title(f"{kind} (n={len(values)})", fontsize=9)
        ax.set_xlabel("ms")
    fig.suptitle("Soak: latency to the confirmed action (commands) or the reply", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def plot_soak(soak: Mapping[str, Any], path: Path) -> bool:
    """Server RSS and threads, and the command p99 per window, over time; False without samples."""
    samples = soak.get("samples") or []
    if not samples:
        return False
    plt = _pyplot()
    fig, (mem, p99) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
    t = [s["t"] / 60 for s in samples]
    mem.plot(t, [s["rss_mb"] for s in samples], color="tab:red", label="RSS (MB)")
    mem.set_ylabel("server RSS, MB")
    threads = mem.twinx()
    threads.plot(t, [s["threads"] for s in samples], color="tab:gray", linestyle="--", label="threads")
    threads.set_ylabel("threads")
    warmup = float(soak.get("warmup_s", 0)) / 60
    for ax in (mem, p99):
        ax.axvline(warmup, color="black", linewidth=0.8, linestyle=":")
    windows = soak.get("windows") or []
    p99.plot([w["t"] / 60 for w in windows], [w["p99_ms"] for w in windows], marker="o", color="tab:blue")
    p99.set_ylabel("command p99, ms")
    p99.set_xlabel("minutes (dotted: end of warm-up)")
    mem.set_title("Soak: server memory and threads; typed-command p99 per window")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def _soak_section(soak: Mapping[str, Any]) -> list[str]:
    c, verdict, tally = soak["criteria"], soak["pass"], soak.get("tally", {})
    minutes = float(soak["duration_s"]) / 60
    lines = [
        f"## Soak: {soak['sessions']} sessions, {minutes:g} min",
        "",
        "| criterion | measured | pass |",
        "|---|---|---|",
        f"| RSS growth after warm-up | {100 * c['rss_growth']:.1f} % | {_yes(verdict, 'rss')} |",
        f"| thread count spread after warm-up | {c['thread_spread']} | {_yes(verdict, 'threads')} |",
        f"| command p99, first / last window | {c['p99_first_ms']:.0f} / {c['p99_last_ms']:.0f} ms "
        f"| {_yes(verdict, 'p99')} |",
        f"| lost confirmations | {c['lost_confirmations']} | {_yes(verdict, 'lost')} |",
        "",
        f"Turns: {_fmt(tally.get('turns', {}))}; actions sent {tally.get('sent', 0)}, final {tally.get('finals', 0)} "
        f"({tally.get('timeouts', 0)} timeouts); bench faults {tally.get('faults', 0)}; state updates watched "
        f"{tally.get('watch_updates', 0)}; failed calls {_fmt(tally.get('failed_rpcs', {})) or 'none'}.",
        "",
    ]
    return lines


def _yes(verdict: Mapping[str, bool], key: str) -> str:
    words = {"rss": "RSS", "threads": "threads", "p99": "p99", "lost": "lost"}[key]
    hit = [ok for name, ok in verdict.items() if words.lower() in name.lower()]
    return "yes" if hit and all(hit) else "**no**"


def write_report(folder: Path = OUT) -> Path:
    """Write ``folder/report.md`` and its plots from the JSON in ``folder``; returns the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = load_figures(folder)
    soak_path = folder / "soak.json"
    soak = json.loads(soak_path.read_text(encoding="utf-8")) if soak_path.is_file() else None
    lines = ["# Performance report", "", "Written by `bench/report.py` from the JSON in this folder.", ""]
    if soak is not None:
        lines += _soak_section(soak)
        if plot_soak(soak, folder / "soak.png"):
            lines += ["![server memory, threads and p99 over the soak](soak.png)", ""]
        if plot_latency(soak, folder / "latency.png"):
            lines += ["## Latency distributions (soak)", "", "![latency distributions](latency.png)", ""]
    else:
        lines += ["No soak yet (`python -m bench --only soak`).", ""]
    lines += ["## Ratios to same-run baselines", ""]
    if plot_ratios(figures, folder / "ratios.png"):
        lines += ["![wake, ASR and LLM ratios](ratios.png)", ""]
    else:
        lines += ["No wake, ASR or LLM figures yet.", ""]
    lines += ["## Every figure", "", *(_figure_table(figures) if figures else ["No figures yet."]), ""]
    report = folder / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    print(write_report(Path(args[0]) if args else OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

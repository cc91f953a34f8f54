"""What every benchmark reports, and small helpers to measure it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure, with the same-run baseline it is compared against."""

    suite: str
    """Benchmark module, e.g. ``text_turn``."""
    name: str
    """What was measured, e.g. ``p50 latency, gRPC``."""
    value: float
    """The measurement."""
    unit: str
    """Its unit, e.g. ``ms``, ``tokens/s``, ``x real time``."""
    baseline: float | None = None
    """The same quantity for the baseline path, measured in the same run."""
    baseline_name: str = ""
    """What the baseline is, e.g. ``in-process``."""
    target: str = ""
    """The target for the ratio, as the issue states it (e.g. ``<= 1.10``), if any."""

    @property
    def ratio(self) -> float | None:
        """value / baseline, when there is a baseline."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, ratio included."""
        return {**asdict(self), "ratio": self.ratio}


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    pos = (len(ordered) - 1) * min(max(q, 0.0), 100.0) / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def render(figures: Sequence[Figure]) -> str:
    """A plain table for people."""
    rows = [("suite", "figure", "value", "baseline", "ratio", "target")]
    for f in figures:
        base = "" if f.baseline is None else f"{f.baseline:.4g} {f.unit} ({f.baseline_name})"
        ratio = "" if f.ratio is None else f"{f.ratio:.3f}"
        rows.append((f.suite, f.name, f"{f.value:.4g} {f.unit}", base, ratio, f.target))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def to_json(figures: Sequence[Figure]) -> str:
    """All figures as a JSON array."""
    return json.dumps([f.to_dict() for f in figures], indent=2)

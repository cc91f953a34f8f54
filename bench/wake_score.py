"""Wake-word scores of recordings, and how misses and false wakes are counted from them.

Each recording is heard once by a fresh detector (:func:`score_file`): the best head's score on
every 80 ms frame and, on the frames a second stage could be asked about, the summary of the
embeddings it would see (:func:`cockpit.wake.verifier.summarise`). Whether a detector fires at a
threshold, with or without a verifier, is then a pure function of those (:func:`wake_frames`,
the rule :meth:`cockpit.wake.WakeWordDetector.process` applies), so one scoring serves every
setting a sweep tries.

Counting: a recording with the wake word is **missed** when the detector never fires on it. On
audio without it, every firing is a **false wake**, except that firings less than
:data:`REFRACTORY_S` after one that counted are the same wake: a wake opens a turn, and the front
end resets the detector only when the turn is over, which is never sooner.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FRAME_S = 0.08
"""One detector frame."""
REFRACTORY_S = 2.0
"""Firings closer than this to a counted one are the same wake."""
KEEP_SCORE = 0.005
"""Frames scoring at least this keep their embedding summary (no swept threshold is lower)."""
KEEP_FIRST = 48
"""...and so do the first frames of every recording (where the wake word is said)..."""
KEEP_EVERY = 8
"""...and one frame in this many (negatives to fit a verifier on)."""


@dataclass(frozen=True)
class Scored:
    """One recording's per-frame wake scores and what is known about it."""

    file: str
    """WAV file name."""
    split: str
    """``tune`` or ``test``."""
    wake: bool
    """Whether the wake word is said in it."""
    group: dict[str, str]
    """Labels to group by: ``voice`` and ``snr`` (evaluation set) or ``kind`` (background)."""
    scores: np.ndarray
    """Best head's score per 80 ms frame, from a fresh detector."""
    kept: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Frames whose embedding summary is kept (ascending)."""
    summaries: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    """The verifier's input at each kept frame."""

    @property
    def hours(self) -> float:
        """Its length in hours."""
        return len(self.scores) * FRAME_S / 3600


def refractory_frames() -> int:
    """:data:`REFRACTORY_S` in frames."""
    return round(REFRACTORY_S / FRAME_S)


def wake_frames(
    scores: np.ndarray, threshold: float, accept: np.ndarray | None = None, refractory: int | None = None
) -> list[int]:
    """Frames at which a detector opens a turn (:meth:`cockpit.wake.WakeWordDetector.process`):
    it is set off on a frame scoring at or above ``threshold`` (and, with a second stage, with
    ``accept`` true), then fires when the score peaks; the next can be set off ``refractory``
    frames after that."""
    from cockpit.wake.base import MAX_HOLD_FRAMES, PEAK_SCORE

    refractory = refractory_frames() if refractory is None else refractory
    scores = np.asarray(scores)
    ready = scores >= threshold
    if accept is not None:
        ready &= accept
    events: list[int] = []
    for start in (int(i) for i in np.flatnonzero(ready)):
        if events and start < events[-1] + refractory:
            continue
        for k in range(start, min(start + MAX_HOLD_FRAMES + 1, len(scores))):
            previous = scores[k - 1] if k > 0 else 0.0
            if scores[k] < previous or scores[k] >= PEAK_SCORE or k - start >= MAX_HOLD_FRAMES:
                events.append(k)
                break
    return events


def accepted(record: Scored, probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """Per frame, whether a verifier with these probabilities (one per kept frame) accepts."""
    out = np.zeros(len(record.scores), dtype=bool)
    out[record.kept] = probabilities >= threshold
    return out


Rule = Callable[[Scored], list[int]]
"""A detector setting: the frames at which it opens a turn on a recording."""


def plain(threshold: float) -> Rule:
    """The head alone at ``threshold``."""
    return lambda r: wake_frames(r.scores, threshold)


def verified(threshold: float, probabilities: Callable[[Scored], np.ndarray], verifier_threshold: float) -> Rule:
    """The head at ``threshold``, then a verifier (its probabilities per kept frame) at its own."""
    return lambda r: wake_frames(r.scores, threshold, accepted(r, probabilities(r), verifier_threshold))


def score_file(detector: Any, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame best scores of one WAV from a freshly reset detector (a
    :class:`cockpit.wake.oww.OnnxWakeWordDetector`), the kept frames and their summaries."""
    from cockpit.audio import wav_frames
    from cockpit.wake.verifier import WINDOW, summarise

    detector.reset()
    scores, kept, summaries = [], [], []
    for i, frame in enumerate(wav_frames(path)):
        score = max(detector.scores(frame).values())
        scores.append(score)
        if score >= KEEP_SCORE or i < KEEP_FIRST or i % KEEP_EVERY == 0:
            kept.append(i)
            summaries.append(summarise(detector.features[-WINDOW:]))
    return (
        np.asarray(scores, dtype=np.float32),
        np.asarray(kept, dtype=np.int64),
        np.asarray(summaries, dtype=np.float32),
    )


def score_all(
    detector: Any,
    root: Path,
    entries: Sequence[dict[str, Any]],
    make: Callable[[dict[str, Any]], tuple[str, bool, dict[str, str]]],
) -> list[Scored]:
    """Every entry's ``file`` under ``root`` scored; ``make(entry)`` gives its split, wake and group."""
    out, start = [], time.monotonic()
    for n, entry in enumerate(entries):
        split, wake, group = make(entry)
        scores, kept, summaries = score_file(detector, root / entry["file"])
        out.append(Scored(entry["file"], split, wake, group, scores, kept, summaries))
        if (n + 1) % 100 == 0:
            print(f"wake_eval: scored {n + 1}/{len(entries)} ({time.monotonic() - start:.0f} s)", file=sys.stderr)
    return out


@dataclass
class MissCount:
    """Wake-word recordings of one group and how many were missed."""

    recordings: int = 0
    """Recordings with the wake word."""
    missed: int = 0
    """Of those, how many never fired the detector."""

    @property
    def rate(self) -> float | None:
        """Fraction missed (None without recordings)."""
        return self.missed / self.recordings if self.recordings else None


@dataclass
class FalseWakes:
    """Audio without the wake word in one group and how often it woke the detector."""

    recordings: int = 0
    """Recordings (or background segments)."""
    hours: float = 0.0
    """Their total length."""
    wakes: int = 0
    """Wakes counted (refractory applied)."""

    @property
    def per_hour(self) -> float | None:
        """Wakes per hour (None without audio)."""
        return self.wakes / self.hours if self.hours else None


def everything(r: Scored) -> str:
    """One group for all records."""
    return "all"


def misses(records: Iterable[Scored], rule: Rule, key: Callable[[Scored], str] = everything) -> dict[str, MissCount]:
    """Missed wake words of the records with the wake word, grouped by ``key``, sorted."""
    groups: dict[str, MissCount] = {}
    for r in records:
        if r.wake:
            count = groups.setdefault(key(r), MissCount())
            count.recordings += 1
            count.missed += not rule(r)
    return dict(sorted(groups.items()))


def false_wakes(
    records: Iterable[Scored], rule: Rule, key: Callable[[Scored], str] = everything
) -> dict[str, FalseWakes]:
    """False wakes of the records without the wake word, grouped by ``key``, sorted."""
    groups: dict[str, FalseWakes] = {}
    for r in records:
        if not r.wake:
            count = groups.setdefault(key(r), FalseWakes())
            count.recordings += 1
            count.hours += r.hours
            count.wakes += len(rule(r))
    return dict(sorted(groups.items()))

"""Wakes counted again from a background segment's candidate frames, without its audio.

:mod:`bench.wake_long` keeps, for every segment, the frames on which the head scored at least
:data:`CANDIDATE_SCORE` (its score and the shipped verifier's probability there). Every firing
of :func:`bench.wake_score.wake_frames` at a head threshold from :data:`CANDIDATE_SCORE` up starts
on such a frame and, the scores never falling until it peaks, fires on the first frame after a run
of them that scores less, or on one of them: so the wakes of any such threshold, with or without
any verifier threshold, are counted exactly from those frames alone (:func:`wakes_of`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.wake_score import KEEP_SCORE, wake_frames

CANDIDATE_SCORE = KEEP_SCORE
"""Frames the head scores at least this are recorded (score and verifier probability): every
frame whose verifier input :func:`bench.wake_score.score_file` keeps for that reason."""
Setting = tuple[float, float | None]
"""A head threshold and a verifier threshold (None: no verifier)."""


def candidates(
    scores: np.ndarray, kept: np.ndarray, probabilities: np.ndarray | None
) -> list[list[float | int | None]]:
    """``[frame, head score, verifier probability]`` of every frame scoring at least
    :data:`CANDIDATE_SCORE` (probability None without a verifier or a kept summary)."""
    out: list[list[float | int | None]] = []
    where = {int(f): i for i, f in enumerate(kept)}
    for f in np.flatnonzero(scores >= CANDIDATE_SCORE):
        i = where.get(int(f))
        p = None if probabilities is None or i is None else round(float(probabilities[i]), 6)
        out.append([int(f), float(scores[f]), p])
    return out


def wakes_of(entry: dict[str, Any], setting: Setting) -> list[int]:
    """Frames at which ``setting`` wakes on a results line: :func:`bench.wake_score.wake_frames` on
    its candidate frames (exact for a head threshold of at least :data:`CANDIDATE_SCORE`: a firing
    starts on a candidate and peaks on the first frame after a run of them that scores less)."""
    threshold, verifier_threshold = setting
    if threshold < CANDIDATE_SCORE:
        raise ValueError(f"head threshold {threshold} is below the recorded {CANDIDATE_SCORE}")
    scores = np.zeros(int(entry["frames"]), dtype=np.float32)
    frames = np.asarray([c[0] for c in entry["candidates"]], dtype=np.int64)
    scores[frames] = [c[1] for c in entry["candidates"]]
    accept = None
    if verifier_threshold is not None:
        accept = np.zeros(len(scores), dtype=bool)
        accept[frames] = [c[2] is not None and c[2] >= verifier_threshold for c in entry["candidates"]]
    return wake_frames(scores, threshold, accept)


def verifier_scores(entry: dict[str, Any], setting: Setting) -> list[float]:
    """Per head detection at ``setting``'s head threshold (no verifier), the best verifier
    probability over the frames that could set it off: the verifier threshold above which that
    detection would not wake."""
    threshold = setting[0]
    onsets = wakes_of(entry, (threshold, None))
    out = []
    for end in onsets:
        near = [c[2] for c in entry["candidates"] if end - 6 <= c[0] <= end and c[1] >= threshold and c[2] is not None]
        out.append(round(max(near, default=0.0), 6))
    return out


def carry_over(old: Path, new: Path, probability: Callable[[np.ndarray], np.ndarray] | None) -> int:
    """The results lines of ``old`` (the same audio, scored with another verifier's weights) into
    ``new``, each segment's verifier probabilities computed again from its saved summaries (the
    head's scores do not depend on the verifier); lines ``new`` has are kept. How many were added."""
    if old.name.rsplit("-", 1)[0] != new.name.rsplit("-", 1)[0]:
        raise ValueError(f"{old.name} is not the audio of {new.name}")
    new.mkdir(parents=True, exist_ok=True)
    (new / "summaries").mkdir(exist_ok=True)
    lines = new / "results.jsonl"
    have = {json.loads(x)["file"] for x in lines.read_text().splitlines() if x} if lines.exists() else set()
    added = 0
    with lines.open("a") as fh:
        for entry in map(json.loads, (old / "results.jsonl").read_text().splitlines()):
            if entry["file"] in have:
                continue
            stash = old / "summaries" / f"{Path(entry['file']).stem}.npz"
            scores = np.zeros(int(entry["frames"]), dtype=np.float32)
            for frame, score, _ in entry["candidates"]:
                scores[int(frame)] = score
            kept, summaries = np.zeros(0, dtype=np.int64), None
            if stash.exists():
                with np.load(stash) as saved:
                    kept, summaries = saved["kept"], saved["summaries"]
                shutil.copy(stash, new / "summaries" / stash.name)
            probabilities = None if probability is None or summaries is None else probability(summaries)
            fh.write(json.dumps({**entry, "candidates": candidates(scores, kept, probabilities)}) + "\n")
            added += 1
    return added

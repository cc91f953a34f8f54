"""The wake-word evaluation's counting and choice, on scores given directly (no model needed).

That the counts match what the real detector does on real recordings is checked in
``test_wake_openwakeword.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from bench.wake_background import Segment
from bench.wake_eval import poisson_upper
from bench.wake_score import (
    FalseWakes,
    Scored,
    accepted,
    false_wakes,
    misses,
    plain,
    refractory_frames,
    verified,
    wake_frames,
)
from bench.wake_verifier import choose
from cockpit.errors import WakeWordError
from cockpit.wake.verifier import EMBEDDING_DIM, WINDOW, WakeVerifier, shipped_verifier, summarise


def _scores(n: int, bursts: dict[int, float], width: int = 3) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    for start, value in bursts.items():
        out[start : start + width] = value
    return out


def test_a_burst_of_frames_over_threshold_is_one_wake() -> None:
    scores = _scores(200, {10: 0.9, 10 + refractory_frames() - 3: 0.9, 150: 0.3})
    assert wake_frames(scores, 0.5) == [10]  # the second burst falls inside the first wake's turn
    assert wake_frames(scores, 0.2) == [10, 153]  # a low score fires once it has peaked
    assert wake_frames(scores, 0.95) == []


def test_a_low_score_fires_when_it_peaks_a_high_one_at_once() -> None:
    rising = np.array([0, 0.06, 0.1, 0.3, 0.2, 0.1, 0, 0, 0.06, 0.6, 0.9, 0.1] + [0] * 30, dtype=np.float32)
    assert wake_frames(rising, 0.05, refractory=5) == [4, 9]
    flat = np.full(20, 0.1, dtype=np.float32)
    assert wake_frames(flat, 0.05) == [6]  # held at most six frames


def test_misses_and_false_wakes_per_hour_are_counted_per_group() -> None:
    hour_of_frames = round(3600 / 0.08)
    records = [
        Scored("a.wav", "test", True, {"voice": "x"}, _scores(50, {5: 0.8})),
        Scored("b.wav", "test", True, {"voice": "x"}, _scores(50, {5: 0.1})),
        Scored("c.wav", "test", True, {"voice": "y"}, _scores(50, {5: 0.6})),
        Scored("talk.wav", "test", False, {"kind": "talk"}, _scores(hour_of_frames, {100: 0.7, 5000: 0.7})),
        Scored("noise.wav", "test", False, {"kind": "noise"}, _scores(hour_of_frames // 2, {})),
    ]
    by_voice = misses(records, plain(0.5), lambda r: r.group["voice"])
    assert {k: (c.recordings, c.missed) for k, c in by_voice.items()} == {"x": (2, 1), "y": (1, 0)}
    by_kind = false_wakes(records, plain(0.5), lambda r: r.group["kind"])
    assert by_kind["talk"].wakes == 2 and by_kind["talk"].per_hour == pytest.approx(2.0)
    assert by_kind["noise"].wakes == 0 and by_kind["noise"].hours == pytest.approx(0.5)
    assert FalseWakes().per_hour is None


def test_the_verifier_only_lets_through_frames_it_accepts() -> None:
    record = Scored(
        "a.wav", "test", False, {}, _scores(100, {10: 0.3, 60: 0.3}), kept=np.array([10, 11, 12, 60, 61, 62])
    )
    probabilities = np.array([0.1, 0.2, 0.1, 0.1, 0.9, 0.95])
    assert list(np.flatnonzero(accepted(record, probabilities, 0.7))) == [61, 62]
    assert verified(0.2, lambda r: probabilities, 0.7)(record) == [63]
    assert plain(0.2)(record) == [13, 63]


def test_the_choice_is_the_fewest_misses_within_the_false_wake_budget() -> None:
    rows = [
        {
            "threshold": 0.05,
            "verifier_threshold": None,
            "miss_rate": 0.0,
            "false_wakes": 9,
            "false_wakes_per_hour": 9.0,
        },
        {
            "threshold": 0.05,
            "verifier_threshold": 0.5,
            "miss_rate": 0.01,
            "false_wakes": 0,
            "false_wakes_per_hour": 0.0,
        },
        {"threshold": 0.1, "verifier_threshold": 0.5, "miss_rate": 0.01, "false_wakes": 0, "false_wakes_per_hour": 0.0},
        {"threshold": 0.5, "verifier_threshold": None, "miss_rate": 0.1, "false_wakes": 0, "false_wakes_per_hour": 0.0},
    ]
    assert choose(rows) == rows[2]  # ties go to the higher threshold
    assert choose(rows, target=10.0) == rows[0]
    assert choose(rows[:1]) is None


def test_the_shipped_verifier_reads_back_what_was_written() -> None:
    verifier = shipped_verifier("hey_jarvis_v0.1")
    assert verifier is not None
    again = WakeVerifier.from_json(verifier.to_json())
    windows = np.random.default_rng(0).normal(size=(5, WINDOW, EMBEDDING_DIM)).astype(np.float32)
    assert np.allclose(again.probability(windows), verifier.probability(windows), atol=1e-5)
    assert summarise(windows).shape == (5, 3 * EMBEDDING_DIM)
    assert shipped_verifier("alexa_v0.1") is None
    with pytest.raises(WakeWordError):
        WakeVerifier.from_json('{"mean": [1, 2]}')


def test_no_false_wake_in_a_short_recording_is_a_wide_bound() -> None:
    assert poisson_upper(0, 1.0) == pytest.approx(2.996, abs=1e-3)  # -ln(0.05): 3 per hour, not 0
    assert poisson_upper(0, 6.0) == pytest.approx(0.499, abs=1e-3)  # six clean hours to show 0.5
    assert poisson_upper(2, 1.0) == pytest.approx(6.296, abs=1e-3)
    assert poisson_upper(0, 0.0) is None


# -- the long held-out background (bench/wake_long.py): the code path, on a few seconds of audio -----


def test_the_long_background_is_held_out_and_cycles_through_the_kinds() -> None:
    from itertools import islice

    from bench.wake_long import CYCLE, plan

    segments = list(islice(plan(), 6 * len(CYCLE)))
    assert [s.kind for s in segments[: len(CYCLE)]] == list(CYCLE)
    assert {s.split for s in segments} == {"test"}
    assert len({s.file for s in segments}) == len(segments)
    counts = {k: sum(s.kind == k for s in segments) for k in ("talk", "radio", "noise")}
    assert counts == {"talk": 18, "radio": 12, "noise": 6}


def test_the_long_background_says_only_held_out_sentences() -> None:
    from bench import wake_long
    from bench.voice_eval_set import split_of

    if not wake_long.wb.SLURP_DEVEL.exists():
        pytest.skip("SLURP devel is not installed")
    pool = wake_long.held_out_sentences()
    assert pool and all(split_of(text) == "test" for text in pool)
    talk = next(wake_long.plan())
    said = wake_long.segment_sentences(talk, pool)
    assert said == wake_long.segment_sentences(talk, pool) and len(set(said)) == len(said)
    with pytest.raises(ValueError):
        wake_long.render(Segment(talk.file, "talk", "tune", 0), pool, wake_long.wb, wake_long.wb)


def test_the_long_run_scores_segment_by_segment_and_resumes(tmp_path: Path) -> None:
    from bench.wake_long import hear, measure, plan, tally
    from cockpit.audio.wav import read_wav

    def make(segment: Segment) -> np.ndarray:  # one second; every talk segment has a loud click
        audio = np.zeros(16000, dtype=np.int16)
        audio[4000] = 30000 if segment.kind == "talk" else 0
        return audio

    def scorer(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # a burst where it is loud
        audio = read_wav(path)
        scores = np.zeros(len(audio) // 1280 + 1, dtype=np.float32)
        for i in np.flatnonzero(np.abs(audio) > 10000) // 1280:
            scores[i : i + 3] = 0.8
        return scores, np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)

    rules = {"defaults": plain(0.5), "head_alone": plain(0.5), "baseline": plain(0.9)}
    entries, complete = measure(5.5 / 3600, tmp_path, make, scorer, rules)
    assert complete and [e["kind"] for e in entries] == ["talk", "radio", "talk", "noise", "talk", "radio"]
    assert [len(e["wakes"]["defaults"]) for e in entries] == [1, 0, 1, 0, 1, 0]
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 6
    assert sorted(p.name for p in (tmp_path / "woken").iterdir()) == [
        "long_talk_0000.wav",
        "long_talk_0001.wav",
        "long_talk_0002.wav",
    ]
    first = next(plan())
    assert hear(first, make(first), scorer, rules, tmp_path / "again")["sha256"] == entries[0]["sha256"]
    kept = (tmp_path / "woken" / first.file).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == entries[0]["sha256"]  # the digest of the WAV as scored

    def fail(segment: Segment) -> np.ndarray:
        raise AssertionError("a segment already scored was made again")

    again, _ = measure(5.5 / 3600, tmp_path, fail, scorer, rules)
    assert again == entries
    counted = tally(entries)
    assert counted["talk"]["defaults"]["wakes"] == 3 and counted["noise"]["defaults"]["wakes"] == 0
    hours = 6 * 1.04 / 3600  # 13 frames of 80 ms each
    assert counted["all background"]["defaults"]["upper_95"] == pytest.approx(poisson_upper(3, hours), rel=1e-3)
    late, complete = measure(1.0, tmp_path / "late", make, scorer, rules, deadline=0.0)
    assert (late, complete) == ([], False)  # out of time: no segment made, and the run says so

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
    from bench.wake_candidates import wakes_of
    from bench.wake_long import hear, measure, plan, tally

    def make(segment: Segment) -> np.ndarray:  # one second; every talk segment has a loud click
        audio = np.zeros(16000, dtype=np.int16)
        audio[4000] = 30000 if segment.kind == "talk" else 0
        return audio

    def scorer(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # a burst where it is loud
        from cockpit.audio.wav import read_wav

        audio = read_wav(path)
        scores = np.zeros(len(audio) // 1280 + 1, dtype=np.float32)
        for i in np.flatnonzero(np.abs(audio) > 10000) // 1280:
            scores[i : i + 3] = 0.8
        kept = np.flatnonzero(scores > 0)
        return scores, kept, np.full((len(kept), 4), 0.5, dtype=np.float32)

    settings: dict[str, tuple[float, float | None]] = {
        "defaults": (0.5, 0.7),
        "head_alone": (0.5, None),
        "baseline": (0.9, None),
    }

    def probability(summaries: np.ndarray) -> np.ndarray:  # the verifier: sure of every loud frame
        return np.full(len(summaries), 0.8)

    entries, complete = measure(5.5 / 3600, tmp_path, make, scorer, settings, probability=probability)
    assert complete and [e["kind"] for e in entries] == ["talk", "radio", "talk", "noise", "talk", "radio"]
    assert [len(wakes_of(e, settings["defaults"])) for e in entries] == [1, 0, 1, 0, 1, 0]
    assert [len(wakes_of(e, (0.5, 0.9))) for e in entries] == [0] * 6  # a stricter verifier, counted again
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 6
    assert sorted(p.name for p in (tmp_path / "woken").iterdir()) == [
        "long_talk_0000.wav",
        "long_talk_0001.wav",
        "long_talk_0002.wav",
    ]
    with np.load(tmp_path / "summaries" / "long_talk_0000.npz") as saved:
        assert list(saved["kept"]) == [e[0] for e in entries[0]["candidates"]]
    first = next(plan())
    again_line = hear(first, make(first), scorer, settings, tmp_path / "again", probability)
    assert again_line["sha256"] == entries[0]["sha256"]
    kept = (tmp_path / "woken" / first.file).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == entries[0]["sha256"]  # the digest of the WAV as scored

    def fail(segment: Segment) -> np.ndarray:
        raise AssertionError("a segment already scored was made again")

    again, _ = measure(5.5 / 3600, tmp_path, fail, scorer, settings)
    assert again == entries
    counted = tally(entries, settings)
    assert counted["talk"]["defaults"]["wakes"] == 3 and counted["noise"]["defaults"]["wakes"] == 0
    assert counted["talk"]["baseline"]["wakes"] == 0
    hours = 6 * 1.04 / 3600  # 13 frames of 80 ms each
    assert counted["all background"]["defaults"]["upper_95"] == pytest.approx(poisson_upper(3, hours), rel=1e-3)
    late, complete = measure(1.0, tmp_path / "late", make, scorer, settings, deadline=0.0)
    assert (late, complete) == ([], False)  # out of time: no segment made, and the run says so


def test_segments_scored_with_one_verifier_are_counted_again_with_another(tmp_path: Path) -> None:
    from bench.wake_candidates import carry_over, wakes_of
    from bench.wake_long import measure

    def make(segment: Segment) -> np.ndarray:
        audio = np.zeros(16000, dtype=np.int16)
        audio[4000] = 30000
        return audio

    def scorer(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scores = np.zeros(13, dtype=np.float32)
        scores[3:6] = 0.8
        return scores, np.arange(13), np.full((13, 4), 0.5, dtype=np.float32)

    settings: dict[str, tuple[float, float | None]] = {"defaults": (0.5, 0.9)}
    old, new = tmp_path / "audio-old", tmp_path / "audio-new"
    entries, _ = measure(3 / 3600, old, make, scorer, settings, probability=lambda x: np.full(len(x), 0.8))
    assert [len(wakes_of(e, (0.5, 0.9))) for e in entries] == [0, 0, 0]
    assert carry_over(old, new, lambda x: np.full(len(x), 0.95)) == 3
    assert carry_over(old, new, lambda x: np.full(len(x), 0.95)) == 0  # what it has is kept
    again, _ = measure(3 / 3600, new, make, scorer, settings)
    assert [len(wakes_of(e, (0.5, 0.9))) for e in again] == [1, 1, 1]
    assert [e["sha256"] for e in again] == [e["sha256"] for e in entries]
    with pytest.raises(ValueError):
        carry_over(old, tmp_path / "other", None)


def test_wakes_counted_again_from_the_candidate_frames_are_the_wakes_of_the_whole_recording() -> None:
    from bench.wake_candidates import CANDIDATE_SCORE, candidates, wakes_of

    rng = np.random.default_rng(3)
    for _ in range(30):
        scores = (rng.random(600) ** 6).astype(np.float32)  # mostly tiny, with bursts
        kept = np.flatnonzero(scores >= CANDIDATE_SCORE)
        probabilities = rng.random(len(kept))
        entry = {"frames": len(scores), "candidates": candidates(scores, kept, probabilities)}
        record = Scored("x.wav", "test", False, {}, scores, kept)

        def given(r: Scored, p: np.ndarray = probabilities) -> np.ndarray:
            return p

        for threshold in (CANDIDATE_SCORE, 0.03, 0.2, 0.5):
            assert wakes_of(entry, (threshold, None)) == plain(threshold)(record)
            for v in (0.3, 0.9):
                assert wakes_of(entry, (threshold, v)) == verified(threshold, given, v)(record)
    with pytest.raises(ValueError):
        wakes_of(entry, (CANDIDATE_SCORE / 2, None))


def test_the_long_tuning_background_says_only_tuning_sentences_and_is_named_apart() -> None:
    from itertools import islice

    from bench import wake_long
    from bench.voice_eval_set import split_of

    tune = list(islice(wake_long.plan("tune"), 12))
    test = list(islice(wake_long.plan("test"), 12))
    assert {s.split for s in tune} == {"tune"} and not {s.file for s in tune} & {s.file for s in test}
    with pytest.raises(ValueError):
        next(wake_long.plan("devel"))
    if not wake_long.wb.SLURP_DEVEL.exists():
        pytest.skip("SLURP devel is not installed")
    pool = wake_long.split_sentences("tune")
    assert pool and all(split_of(text) == "tune" for text in pool)
    assert not set(pool) & set(wake_long.held_out_sentences())
    assert not set(pool) & wake_long.verifier_sentences()  # sentences the verifier never heard
    with pytest.raises(ValueError):  # a held-out name on the tuning side
        wake_long.render(Segment(test[0].file, "talk", "tune", 0), pool, wake_long.wb, wake_long.wb)

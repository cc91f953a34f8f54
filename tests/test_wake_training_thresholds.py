"""Re-training the wake verifier (``script/train_wake_verifier.py``) keeps the thresholds chosen on
hours of tuning-side background (``script/choose_wake_threshold.py``) unless told to replace them.

No audio: the scored recordings are synthetic (a dozen voices saying the wake word, whose
embedding summaries stand out around the head's peak, and background with none)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from bench.corpus import ROOT, load_script
from bench.wake_score import Scored
from bench.wake_verifier import choose, cross_fit, fit, sweep
from cockpit.wake.verifier import EMBEDDING_DIM, WakeVerifier

FEATURES = 3 * EMBEDDING_DIM
CHOSEN = {
    "head_threshold": 0.05,
    "rule": "no setting met 0.1 false wakes/h: the fewest false wakes at <= 0.02 misses",
    "tuning_long_background_false_wakes": 8,
}
"""Notes the threshold choice left in the verifier's file."""


@pytest.fixture(scope="module")
def train() -> ModuleType:
    return load_script(ROOT / "script" / "train_wake_verifier.py")


def wake_word(n: int, rng: np.random.Generator) -> Scored:
    """A recording that starts with the wake word: the head peaks at frame 10."""
    scores = np.full(40, 0.001, dtype=np.float32)
    scores[8:13] = (0.2, 0.6, 0.95, 0.6, 0.2)
    summaries = rng.normal(size=(40, FEATURES)).astype(np.float32)
    summaries[8:13] += 1.5
    group = {"voice": f"voice-{n % 12}", "snr": "clean"}
    return Scored(f"wake-{n}.wav", "tune", True, group, scores, np.arange(40), summaries)


def background(n: int, rng: np.random.Generator) -> Scored:
    """Cabin talk without the wake word that the head alone takes for it (only a verifier helps)."""
    scores = np.full(80, 0.001, dtype=np.float32)
    scores[40:45] = (0.2, 0.6, 0.95, 0.6, 0.2)
    summaries = rng.normal(size=(80, FEATURES)).astype(np.float32)
    return Scored(f"talk-{n}.wav", "tune", False, {"kind": "talk"}, scores, np.arange(80), summaries)


@pytest.fixture(scope="module")
def tune() -> list[Scored]:
    rng = np.random.default_rng(3)
    return [wake_word(n, rng) for n in range(24)] + [background(n, rng) for n in range(6)]


def shipped(tune: list[Scored], path: Path, threshold: float = 0.97) -> WakeVerifier:
    """A verifier file as the threshold choice leaves it (fitted on part of the data, so a refit
    changes the weights)."""
    verifier = fit(tune[::2], threshold, CHOSEN)
    path.write_text(verifier.to_json() + "\n")
    return verifier


def test_retraining_keeps_the_chosen_thresholds_and_says_so(
    train: ModuleType, tune: list[Scored], tmp_path: Path
) -> None:
    path = tmp_path / "hey_jarvis_v0.1.json"
    before = shipped(tune, path)
    said: list[str] = []
    assert train.retrain(tune, path, head_setting=0.05, say=said.append) == 0
    after = WakeVerifier.from_json(path.read_text())
    assert after.threshold == 0.97  # not a value the short sweep can even choose
    assert not np.allclose(after.coef, before.coef)  # the weights were refitted
    assert {k: after.info[k] for k in CHOSEN} == CHOSEN
    assert after.info["positives"] > before.info["positives"]
    kept = next(line for line in said if line.startswith("kept the chosen thresholds"))
    assert "head 0.05" in kept and "verifier 0.97" in kept
    assert any("--new-thresholds" in line for line in said)


def test_new_thresholds_only_when_asked(train: ModuleType, tune: list[Scored], tmp_path: Path) -> None:
    path = tmp_path / "hey_jarvis_v0.1.json"
    shipped(tune, path)
    own = choose(sweep(tune, cross_fit(tune).probabilities))
    assert own is not None and own["verifier_threshold"] not in (None, 0.97)
    said: list[str] = []
    assert train.retrain(tune, path, head_setting=0.05, new_thresholds=True, say=said.append) == 0
    after = WakeVerifier.from_json(path.read_text())
    assert after.threshold == own["verifier_threshold"]
    assert after.info["head_threshold"] == own["threshold"] and "rule" not in after.info
    assert any(line.startswith(f"chosen: head threshold {own['threshold']}") for line in said)


def test_a_dry_run_writes_nothing(train: ModuleType, tune: list[Scored], tmp_path: Path) -> None:
    path = tmp_path / "hey_jarvis_v0.1.json"
    shipped(tune, path)
    text = path.read_text()
    assert train.retrain(tune, path, head_setting=0.05, dry_run=True, say=lambda line: None) == 0
    assert path.read_text() == text


def test_checking_the_kept_thresholds_again_clears_the_refit_notes(
    train: ModuleType, tune: list[Scored], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chooser = load_script(ROOT / "script" / "choose_wake_threshold.py")
    path = tmp_path / "hey_jarvis_v0.1.json"
    shipped(tune, path)
    train.retrain(tune, path, head_setting=0.05, say=lambda line: None)
    assert set(chooser.REFIT_NOTES) <= set(json.loads(path.read_text())["info"])
    weights = WakeVerifier.from_json(path.read_text()).coef
    monkeypatch.setattr(chooser, "verifier_path", lambda model: path)
    row = {"threshold": 0.05, "verifier_threshold": 0.9, "false_wakes": 1, "miss_rate": 0.01}
    chooser.write("keep", {**row, "near_miss_wake_rate": 0.0}, tune, [], "the fewest misses")
    after = WakeVerifier.from_json(path.read_text())
    assert after.threshold == 0.9 and np.array_equal(after.coef, weights)
    assert not set(chooser.REFIT_NOTES) & set(after.info) and after.info["rule"] == "the fewest misses"

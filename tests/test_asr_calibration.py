"""Issue 11, item 1: the calibrated confidence of a spoken turn, and how the bench reports it.

The calibration is pure (features -> probability with committed coefficients); the hybrid
recogniser's final confidence is that probability; the bench's hearing-policy tally and
reliability plot are checked on small hand-made records.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.reliability_plot import reliability_png
from bench.voice_eval_set import Sentence
from bench.voice_gate import Gate, policy_for
from bench.voice_report import calibration_pairs, reliability
from cockpit.asr.base import Mode
from cockpit.asr.calibration import (
    COEFFICIENTS,
    FEATURE_NAMES,
    ROUTES,
    Evidence,
    Rivals,
    agreement,
    calibrated,
    features,
)
from cockpit.asr.grammar import CommandGrammar, words
from cockpit.asr.hybrid import HybridRecognizer
from cockpit.testing import ScriptedRecognizer

margins = st.one_of(st.none(), st.floats(-1e6, 1e6), st.sampled_from([math.inf, -math.inf]))
evidence = st.builds(
    Evidence,
    st.sampled_from(ROUTES),
    st.floats(0.0, 1.0),
    st.builds(Rivals, margins, margins, st.none(), st.integers(0, 2)),
    st.one_of(st.none(), st.floats(0.0, 1.0)),
)


def test_one_coefficient_per_feature() -> None:
    assert len(COEFFICIENTS) == len(FEATURE_NAMES) == len(features(Evidence("free")))
    assert FEATURE_NAMES[0] == "bias" and features(Evidence("grammar"))[0] == 1.0


@settings(deadline=None)
@given(evidence)
def test_calibrated_is_a_probability_and_survives_a_round_trip(seen: Evidence) -> None:
    p = calibrated(seen)
    assert 0.0 <= p <= 1.0
    assert all(math.isfinite(x) for x in features(seen))
    assert calibrated(Evidence.from_dict(seen.as_dict())) == pytest.approx(p, abs=1e-3)


def test_calibrated_is_the_logistic_of_the_weighted_features() -> None:
    seen = Evidence("grammar", 0.8, Rivals(-5.0, 2.5, "turn on the ac", 0), 1.0)
    weights = (0.5, 0.0, 0.0, 1.0, 1.0, 1.0, -1.0, 0.0, 0.0, 0.0)
    # 0.5 + 0.8 + (-5 + 8) / 3 + (2.5 - 1.5) / 0.5 - 1
    assert calibrated(seen, weights) == pytest.approx(1 / (1 + math.exp(-(0.5 + 0.8 + 1.0 + 2.0 - 1.0))))


@settings(deadline=None)
@given(st.lists(st.sampled_from(["turn", "on", "the", "ac", "fan"]), max_size=6), st.lists(st.just("x"), max_size=3))
def test_agreement_is_one_for_equal_words_and_in_range(left: list[str], right: list[str]) -> None:
    a, b = " ".join(left), " ".join(right)
    assert agreement(a, a) == 1.0
    assert 0.0 <= agreement(a, b) <= 1.0
    if left and right:
        assert agreement(a, b) == 0.0  # no word in common


def test_the_fitted_calibration_trusts_a_grammar_result_the_free_decoder_echoes() -> None:
    sure = Evidence("grammar", 0.95, Rivals(0.0, 4.0, "turn on the ac", 0), 1.0)
    doubtful = Evidence("grammar", 0.55, Rivals(-12.0, 1.0, "turn on the lake", 0), 0.4)
    assert calibrated(sure) > calibrated(doubtful)


class ScriptedSphinx(ScriptedRecognizer):
    """Scripted transcripts, reported as PocketSphinx reports them (so they are calibrated)."""

    engine = "pocketsphinx"


GRAMMAR = CommandGrammar("en", (words("turn on the ac"), words("turn off the ac")), {})
SILENCE = [np.zeros(1280, np.int16)] * 5


def test_the_hybrid_returns_the_calibrated_confidence_of_each_route() -> None:
    inner = ScriptedSphinx([("turn on the ac", 0.9), ("turn off the ac", 0.3), ("what a day", 1.0)])
    inner.set_grammar(GRAMMAR)
    hybrid = HybridRecognizer(inner, 0.5)
    kept = hybrid.decode(SILENCE)
    assert hybrid.last_evidence == Evidence("grammar", 0.9, Rivals(), None)
    assert kept.confidence == pytest.approx(calibrated(Evidence("grammar", 0.9)), abs=1e-6)
    redone = hybrid.decode(SILENCE)
    assert redone.mode is Mode.FREE and hybrid.last_route == "fallback"
    assert hybrid.last_evidence == Evidence("fallback", 0.3, Rivals(), agreement("turn off the ac", "what a day"))
    assert redone.confidence == pytest.approx(calibrated(hybrid.last_evidence), abs=1e-6)


def test_free_decoding_is_no_longer_certain_and_nothing_heard_is_zero() -> None:
    inner = ScriptedSphinx([("navigate to paris", 1.0), ("", 0.0)])
    hybrid = HybridRecognizer(inner)
    free = hybrid.decode(SILENCE)
    assert hybrid.last_route == "free" and free.confidence == pytest.approx(calibrated(Evidence("free")), abs=1e-6)
    assert free.confidence < 1.0
    assert hybrid.decode(SILENCE).confidence == 0.0


def test_an_engine_without_a_calibration_keeps_its_own_confidence() -> None:
    inner = ScriptedRecognizer([("turn on the ac", 0.7)])
    inner.set_grammar(GRAMMAR)
    hybrid = HybridRecognizer(inner, 0.5)
    assert hybrid.decode(SILENCE).confidence == 0.7
    assert hybrid.last_evidence == Evidence("grammar", 0.7)


# -- the bench's report ------------------------------------------------------------------------------

COMMAND = Sentence("hand-climate-01", "turn on the ac", "command", True, "climate.set_ac", {"on": True})
QUESTION = Sentence("hand-question-01", "who wrote hamlet", "question", True, "none")


def turn(intent: str | None, confidence: float, slots: dict[str, object] | None = None) -> dict[str, object]:
    return {
        "text": "turn on the ac",
        "intent": intent,
        "slots": slots or {},
        "actuates": intent is not None,
        "confidence": confidence,
        "free_text": False,
    }


def test_the_gate_reads_back_what_it_is_unsure_of_and_counts_what_acts() -> None:
    policy = policy_for({"confirm_below": 0.6, "reject_below": 0.2, "confirm_free_text_below": 0.9})
    gate = Gate()
    gate.add(COMMAND, [turn("climate.set_ac", 0.9, {"on": True})], policy)  # right, acts
    gate.add(COMMAND, [turn("climate.set_ac", 0.9, {"on": False})], policy)  # wrong, acts
    gate.add(COMMAND, [turn("media.mute", 0.4)], policy)  # wrong, read back
    gate.add(COMMAND, [turn("climate.set_ac", 0.1, {"on": True})], policy)  # refused
    gate.add(QUESTION, [turn("media.mute", 0.7)], policy)  # a question that acts
    gate.add(QUESTION, [turn(None, 0.9)], policy)  # a question left alone
    r = gate.rates()
    assert (gate.commands, gate.acted_right, gate.acted_wrong, gate.read_back, gate.read_back_wrong) == (4, 1, 1, 1, 1)
    assert (r["wrong_action_rate"], r["confirmation_rate"], r["refused_rate"]) == (0.25, 0.25, 0.25)
    assert (r["non_command_act_rate"], r["non_command_confirm_rate"]) == (0.5, 0.0)


def test_the_reliability_curve_and_its_png(tmp_path: Path) -> None:
    sentences = {COMMAND.id: COMMAND}
    records = [
        {"sentence_id": COMMAND.id, "turns": [turn("climate.set_ac", 0.95, {"on": True}), turn(None, 0.5)]},
        {"sentence_id": COMMAND.id, "turns": [turn("media.mute", 0.15)]},
    ]
    pairs = calibration_pairs(records, sentences)
    assert pairs == [(0.95, True), (0.15, False)]
    curve = reliability(pairs)
    assert curve[9] == (0.9, 1.0, 1, 1.0) and curve[1] == (0.1, 0.2, 1, 0.0) and curve[5][2:] == (0, None)
    out = tmp_path / "curve.png"
    reliability_png(curve, out)
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    idat = data.index(b"IDAT")
    (length,) = struct.unpack(">I", data[idat - 4 : idat])
    assert len(zlib.decompress(data[idat + 4 : idat + 4 + length])) == height * (1 + 3 * width)

"""Intent accuracy from audio: 44 spoken commands x 2 voices x (clean, cabin noise) through the
hybrid recogniser and the intent recogniser. The corpus is synthesised offline on first use
(script/make_audio_fixtures.py) and cached by the digest of the script and the command list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import corpus as bench_corpus
from cockpit.audio import wav_frames
from tests.support import english_hybrid


def load_fixture_script() -> Any:
    """The fixture script as a module."""
    return bench_corpus.fixture_script()


def corpus_dir() -> Path:
    """The synthesised corpus (built if missing; skips when Piper or espeak-ng is unavailable)."""
    try:
        return bench_corpus.corpus_dir()
    except bench_corpus.Unavailable as err:
        pytest.skip(str(err))


@pytest.mark.slow
def test_intent_accuracy_from_audio_is_at_least_90_percent() -> None:
    corpus = corpus_dir()
    nlu, hybrid = english_hybrid()
    items = json.loads((corpus / "corpus.json").read_text())
    assert len(items) >= 160 and len({i["text"] for i in items}) >= 40
    right = 0
    misses = []
    for item in items:
        text = hybrid.decode(list(wav_frames(corpus / item["file"]))).text
        match = nlu.recognize(text)
        ok = (
            match is not None
            and getattr(match, "intent", None) == item["intent"]
            and all(match.slots.get(k) == v for k, v in item["slots"].items())
        )
        right += ok
        if not ok:
            misses.append((item["voice"], item["snr_db"], item["text"], text))
    accuracy = right / len(items)
    print(f"intent accuracy {accuracy:.3f} over {len(items)} utterances; misses: {misses}")
    assert accuracy >= 0.9, misses


OPEN_QUESTIONS = (
    "Who discovered penicillin?",
    "How tall is Mount Everest?",
    "What is the largest ocean on earth?",
    "Can you tell me a fun fact?",
    "When was the first car built?",
    "What is the population of Germany?",
    "How many legs does a spider have?",
    "Who is the president of France?",
    "What's the best way to learn a language?",
    "Do you know any good recipes for dinner?",
    "How does an electric motor work?",
    "Who invented the telephone?",
    "What is your name?",
    "How old is the universe?",
    "What should I cook tonight?",
    "Why do leaves change colour in autumn?",
    "Where is the Great Wall of China?",
    "What is the meaning of life?",
    "How long does it take to fly to London?",
    "Tell me something interesting about space.",
)
"""Open questions for the language model, none of them tuned on (the free-decoder rival of
``cockpit.asr.sphinx_engine`` was tuned on a different set)."""


@pytest.mark.slow
def test_open_questions_do_not_move_the_car() -> None:
    """A grammar always finds some command in speech; spoken questions must not move the car.

    With the default decoding an unsure grammar result gives way to the free decoder's words, and
    10 of these 40 recordings (2026-12-05) are still heard as some command (21 with the lean
    decoding, which keeps the grammar's result unless it is very unsure). They are judged by their
    calibrated confidence like any command: read back ("Did you say ...?") or refused, not carried
    out. Issue 11 allows at most 2 % to act; the rest reach the language model as questions (a guard: at least 40 %)."""
    corpus_dir()  # skips where Piper or espeak-ng is missing
    script = load_fixture_script()
    from bench.voice_gate import default_hearing, policy_for
    from cockpit.audio import FRAME_SAMPLES
    from cockpit.catalogue import CATALOGUE, IntentMatch
    from cockpit.policy import PolicyDecision, must_read_back, text_filled

    nlu, hybrid = english_hybrid()
    policy = policy_for(default_hearing())  # the shipped thresholds, as the pipeline applies them
    commands, acting = [], []
    for question in OPEN_QUESTIONS:
        for voice in ("piper", "espeak"):
            audio = script.synth(voice, (question,))
            frames = [audio[i : i + FRAME_SAMPLES] for i in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES)]
            heard = hybrid.decode(frames)
            match = nlu.recognize(heard.text)
            if not isinstance(match, IntentMatch):
                continue
            commands.append((voice, question, heard.text, heard.confidence))
            spec = CATALOGUE[match.intent]
            verdict = policy.check_hearing(
                heard.text, heard.confidence, text_filled(spec, match.slots), "en", must_read_back(spec, match.slots)
            )
            if spec.actuates and verdict.decision is PolicyDecision.ALLOWED:
                acting.append((voice, question, heard.text, heard.confidence))
    total = 2 * len(OPEN_QUESTIONS)
    print(f"{len(commands)} of {total} questions heard as commands, {len(acting)} would act: {commands}")
    assert len(acting) <= 0.02 * total, acting
    assert total - len(commands) >= 0.4 * total, commands

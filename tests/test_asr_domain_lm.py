"""Issue 11, item 3: the class-based domain language model, N-best rescoring, the rival's words.

The model is built from a small grammar and read back as ARPA: a slot list is one class whose
probability its members share, a multi-word member is one compound word, a wide number list is
spelled into the corpus. Real PocketSphinx decodes a spoken fixture with it; the cache is keyed by
the grammar. The hybrid's N-best rescoring and its reuse of the free rival's words are checked
with a scripted engine.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import FIXTURES
from cockpit.asr.base import Mode
from cockpit.asr.calibration import Evidence, NBest, Rivals, calibrated, features
from cockpit.asr.domain_lm import CLASS_LIMIT, build_arpa, compound, corpus, split_compounds
from cockpit.asr.grammar import Alt, CommandGrammar, Ref, Seq, Word, words
from cockpit.asr.hybrid import HybridRecognizer
from cockpit.audio import wav_frames
from cockpit.testing import ScriptedRecognizer
from models.store import ModelStore

CITIES = ("paris", "new york", "tokyo")
GRAMMAR = CommandGrammar(
    "en",
    (
        Seq((Word("navigate"), Word("to"), Ref("f0_list_destination"))),
        Seq((Word("set"), Word("the"), Word("temperature"), Word("to"), Ref("f1_list_celsius"))),
        words("turn on the air conditioning"),
    ),
    {
        "f0_list_destination": Alt(tuple(words(c) for c in CITIES)),
        "f1_list_celsius": Seq(
            (
                Alt(tuple(Word(w) for w in ("twenty", "thirty"))),
                Alt((Word("one"), Word("two")), True),
                Alt((Word("degrees"),), True),
            )
        ),
        "filler_suffix": Word("please"),
    },
    suffix=Ref("filler_suffix"),
)  # fmt: skip


def ngrams(arpa: str, n: int) -> dict[tuple[str, ...], float]:
    """The log10 probabilities of the ``n``-grams of an ARPA text."""
    section, found = False, {}
    for line in arpa.splitlines():
        if line.startswith("\\"):
            section = line.startswith(f"\\{n}-grams:")
            continue
        parts = line.split()
        if section and len(parts) > n:
            found[tuple(parts[1 : n + 1])] = float(parts[0])
    return found


def unigrams(arpa: str) -> dict[str, float]:
    return {k[0]: v for k, v in ngrams(arpa, 1).items()}


def test_slot_lists_and_fillers_are_classes_in_the_corpus() -> None:
    built = corpus(GRAMMAR)
    assert "navigate to <c:f0_list_destination>" in built.lines
    assert "turn on the air conditioning <c:filler_suffix>" in built.lines
    assert built.classes["<c:f0_list_destination>"] == CITIES
    assert built.classes["<c:filler_suffix>"] == ("please",)


def test_a_class_shares_its_probability_and_a_city_of_two_words_is_one_word() -> None:
    arpa = build_arpa(GRAMMAR)
    grams = unigrams(arpa)
    assert compound("new york") == "new_york" and split_compounds("to new_york") == "to new york"
    assert {"paris", "new_york", "tokyo"} <= grams.keys() and "<c:f0_list_destination>" not in grams
    assert grams["paris"] == pytest.approx(grams["new_york"])  # split evenly
    # After "to" the destination class keeps the mass it has as a class, a third each.
    bigram = ngrams(arpa, 2)
    cities = sum(10 ** bigram[("to", c)] for c in ("paris", "new_york", "tokyo"))
    assert 0.0 < cities <= 1.0
    assert bigram[("to", "paris")] == pytest.approx(math.log10(cities / 3), abs=1e-3)


def test_members_the_engine_cannot_say_are_left_out() -> None:
    grams = unigrams(build_arpa(GRAMMAR, known=lambda w: w != "tokyo"))
    assert "tokyo" not in grams and "paris" in grams


def test_a_wide_number_list_is_spelled_into_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import cockpit.asr.domain_lm as domain_lm

    monkeypatch.setattr(domain_lm, "CLASS_LIMIT", 3)  # the temperatures (12 members) are now "wide"
    built = domain_lm.corpus(GRAMMAR)
    assert "<c:f1_list_celsius>" not in built.classes
    temps = [line for line in built.lines if line.startswith("set the temperature to ")]
    assert temps and all(line.split()[4] in ("twenty", "thirty") for line in temps)
    assert CLASS_LIMIT > 400  # the ~400 cities stay one class with the real limit


@pytest.fixture(scope="module")
def lm_sphinx(tmp_path_factory: pytest.TempPathFactory) -> object:
    engine = pytest.importorskip("cockpit.asr.sphinx_engine")
    cache = tmp_path_factory.mktemp("domain-lm")
    return engine.PocketSphinxRecognizer(
        ModelStore().path(engine.MODEL_NAME), "en", decoding=engine.Decoding("lm", nbest=5), lm_cache=cache
    )


def big_grammar() -> CommandGrammar:
    """The small grammar padded past the size below which a grammar is searched as a grammar."""
    extra = tuple(words(f"turn {w} the fan") for w in ("on", "off", "up", "down")) * 1
    rooms = tuple(words(f"open the {w} window") for w in ("front", "rear", "left", "right", "back", "side"))
    more = tuple(Seq((Word("play"), Word(w))) for w in ("jazz", "rock", "pop", "blues", "soul", "news"))
    sentences = GRAMMAR.sentences + extra + rooms + more
    pad = tuple(words(f"set fan speed {n}") for n in ("one", "two", "three", "four", "five", "six", "seven", "eight"))
    pad += tuple(words(f"set the volume to {n}") for n in ("ten", "twenty", "thirty", "forty", "fifty", "sixty"))
    pad += tuple(words(f"seat heat {n}") for n in ("low", "high", "off", "on", "medium", "max"))
    pad += tuple(words(f"{v} the music") for v in ("pause", "stop", "resume", "skip", "mute", "unmute", "shuffle"))
    pad += tuple(words(f"{v} the navigation") for v in ("stop", "cancel", "end", "pause", "resume"))
    return CommandGrammar("en", sentences + pad, GRAMMAR.rules, suffix=GRAMMAR.suffix)


def test_pocketsphinx_decodes_a_spoken_command_with_the_domain_lm(lm_sphinx: object, tmp_path: Path) -> None:
    grammar = big_grammar()
    assert len(grammar.sentences) >= 50
    lm_sphinx.set_grammar(grammar)  # type: ignore[attr-defined]
    path = lm_sphinx.lm_path  # type: ignore[attr-defined]
    assert path is not None and path.exists()
    frames = list(wav_frames(FIXTURES / "nowake_set_temperature_piper.wav"))
    heard = lm_sphinx.decode(frames, Mode.GRAMMAR)  # type: ignore[attr-defined]
    assert heard.text == "set the temperature to twenty one degrees"
    texts = [t for t, _ in lm_sphinx.last_nbest]  # type: ignore[attr-defined]
    assert texts and texts[0] == heard.text and len(texts) == len(set(texts))
    assert all(gap <= 0.0 for _, gap in lm_sphinx.last_nbest)  # type: ignore[attr-defined]
    # The same grammar again: the cached model, not a new build.
    stamp = path.stat().st_mtime_ns
    lm_sphinx.set_grammar(grammar)  # type: ignore[attr-defined]
    assert lm_sphinx.lm_path == path and path.stat().st_mtime_ns == stamp  # type: ignore[attr-defined]


def test_a_small_grammar_is_still_searched_as_a_grammar(lm_sphinx: object) -> None:
    lm_sphinx.set_grammar(CommandGrammar("en", (words("yes"), words("no"))))  # type: ignore[attr-defined]
    frames = list(wav_frames(FIXTURES / "nowake_set_temperature_piper.wav"))
    heard = lm_sphinx.decode(frames, Mode.GRAMMAR)  # type: ignore[attr-defined]
    assert heard.text in ("", "yes", "no") and lm_sphinx.last_nbest == []  # type: ignore[attr-defined]


class NBestSphinx(ScriptedRecognizer):
    """A scripted engine that keeps an N-best list and rival words, as PocketSphinx does."""

    engine = "pocketsphinx"
    rival_is_free_mode = True

    def __init__(self, results: list[tuple[str, list[tuple[str, float]], str | None]]) -> None:
        super().__init__([(text, 0.9) for text, _, _ in results])
        self._lists = [(nbest, rival) for _, nbest, rival in results]
        self.last_nbest: list[tuple[str, float]] = []
        self.last_rivals: Rivals | None = None

    def _finish(self) -> tuple[str, float]:
        if self._mode is Mode.GRAMMAR and self._lists:
            self.last_nbest, rival = self._lists.pop(0)
            self.last_rivals = Rivals(0.0, 1.0, rival, 0)
        return super()._finish()


COMMANDS = {"turn on the air conditioning", "navigate to paris"}
SILENCE = [np.zeros(1280, np.int16)] * 3


def test_n_best_rescoring_takes_the_best_hypothesis_that_is_a_command() -> None:
    nbest = [("turn on the air condition", 0.0), ("turn on the air conditioning", -1.0), ("navigate to paris", -2.0)]
    far = [("turn on the air condition", 0.0), ("turn on the air conditioning", -50.0)]
    inner = NBestSphinx([("turn on the air condition", nbest, None), ("turn on the air condition", far, None)])
    inner.set_grammar(GRAMMAR)
    hybrid = HybridRecognizer(inner, is_command=COMMANDS.__contains__, fallback=False, rescore=True)
    heard = hybrid.decode(SILENCE)
    assert heard.text == "turn on the air conditioning"
    assert hybrid.last_evidence is not None and hybrid.last_evidence.nbest == NBest(1, -1.0, 2 / 3)
    # Too far below the best: not taken (and nothing else is a command).
    assert hybrid.decode(SILENCE).text == "turn on the air condition"
    assert hybrid.last_evidence.nbest == NBest(None, None, 0.5)


def test_the_fallback_takes_the_free_rivals_words_without_decoding_again() -> None:
    inner = NBestSphinx([("navigate to pairs", [], "what is the weather in paris")])
    inner.set_grammar(GRAMMAR)
    hybrid = HybridRecognizer(inner, is_command=COMMANDS.__contains__, reuse_rival=True)
    heard = hybrid.decode(SILENCE)
    assert heard.text == "what is the weather in paris" and hybrid.last_route == "fallback"
    assert inner.modes == [Mode.GRAMMAR]  # one pass: the free words came from the rival


def test_the_rival_rescues_a_command_the_grammar_missed() -> None:
    inner = NBestSphinx([("navigate to pairs", [], "navigate to paris")])
    inner.set_grammar(GRAMMAR)
    hybrid = HybridRecognizer(inner, is_command=COMMANDS.__contains__, fallback=False, rescue=True)
    assert hybrid.decode(SILENCE).text == "navigate to paris" and hybrid.last_route == "grammar"


@settings(deadline=None)
@given(
    st.one_of(st.none(), st.integers(0, 9)),
    st.one_of(st.none(), st.floats(-100.0, 0.0)),
    st.floats(0.0, 1.0),
)
def test_n_best_evidence_survives_a_round_trip(rank: int | None, gap: float | None, support: float) -> None:
    seen = Evidence("grammar", 0.7, Rivals(1.0, 2.0, None, 0), 0.5, NBest(rank, gap, support))
    back = Evidence.from_dict(seen.as_dict())
    assert back.nbest == seen.nbest
    assert calibrated(back) == pytest.approx(calibrated(seen))
    assert features(seen)[-1] == (1.0 if rank else 0.0) and features(seen)[-2] == support

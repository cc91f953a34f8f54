"""The lean decoder's routing (issue 11; an option, ``Decoding(fallback_below=0.3, ...)``, not the
default): the grammar's words are kept unless their calibrated confidence is under the engine's
floor; then the free rival's words, with no second pass. And the default, careful routing: on the
grammar pass's own confidence, then the free rival's words, also without a second pass.

The engine is scripted (its transcripts and rival scores are given), so what is checked is the
hybrid's decision alone: which words the turn carries, by which route, and that the frames are
not decoded a second time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cockpit.asr.base import Mode
from cockpit.asr.calibration import ROUTING_COEFFICIENTS, Evidence, Rivals, agreement, calibrated
from cockpit.asr.grammar import CommandGrammar, words
from cockpit.asr.hybrid import HybridRecognizer
from cockpit.testing import ScriptedRecognizer

GRAMMAR = CommandGrammar("en", (words("turn on the ac"), words("play jazz")), {})
FRAMES = [np.zeros(1280, np.int16)] * 5
SURE = Rivals(phone_margin=10.0, free_margin=5.0, free_text="turn on the ac", dropped=0)
"""The grammar path explains the audio far better than free phones, and the free rival agrees."""
LOST = Rivals(phone_margin=-20.0, free_margin=-5.0, free_text="who wrote hamlet", dropped=0)
"""Free phones and the free rival explain the audio better: it is not a command."""


class LeanSphinx(ScriptedRecognizer):
    """Scripted transcripts and rival scores, reported as the lean PocketSphinx decoder reports them."""

    engine = "pocketsphinx"
    fallback_below: float | None = 0.3
    reuse_rival = True
    rival_is_free_mode = True

    def __init__(self, texts: Sequence[tuple[str, float]], rivals: Sequence[Rivals]) -> None:
        super().__init__(texts)
        self._rivals = list(rivals)
        self.last_rivals: Rivals | None = None

    def _finish(self) -> tuple[str, float]:
        self.last_rivals = self._rivals.pop(0) if self._rivals else None
        return super()._finish()


def hybrid(engine: LeanSphinx) -> HybridRecognizer:
    engine.set_grammar(GRAMMAR)
    return HybridRecognizer(engine, is_command=lambda text: text in ("turn on the ac", "play jazz"))


def test_a_grammar_result_is_kept_although_its_own_confidence_is_low() -> None:
    engine = LeanSphinx([("turn on the ac", 0.2)], [SURE])
    heard = hybrid(engine).decode(FRAMES)
    assert heard.text == "turn on the ac" and heard.mode is Mode.GRAMMAR
    assert calibrated(Evidence("grammar", 0.2, SURE, 1.0), ROUTING_COEFFICIENTS) >= 0.3  # what decided
    assert engine.modes == [Mode.GRAMMAR]  # decoded once


def test_a_very_unsure_grammar_result_gives_way_to_the_rivals_words_without_a_second_pass() -> None:
    engine = LeanSphinx([("play jazz", 0.9), ("never used", 1.0)], [LOST])
    h = hybrid(engine)
    heard = h.decode(FRAMES)
    assert heard.text == "who wrote hamlet" and heard.mode is Mode.FREE and h.last_route == "fallback"
    assert h.last_evidence == Evidence("fallback", 0.9, LOST, agreement("play jazz", "who wrote hamlet"))
    assert engine.modes == [Mode.GRAMMAR]  # the rival's words, not a second decode


def test_words_that_are_no_command_give_way_however_sure() -> None:
    rivals = Rivals(phone_margin=10.0, free_margin=5.0, free_text="turn on the radio please", dropped=0)
    h = hybrid(LeanSphinx([("turn on the", 0.99)], [rivals]))
    assert h.decode(FRAMES).text == "turn on the radio please" and h.last_route == "fallback"


def test_an_engine_without_a_floor_routes_on_its_own_confidence_as_before() -> None:
    engine = LeanSphinx([("turn on the ac", 0.2), ("who wrote hamlet", 1.0)], [SURE])
    engine.fallback_below = None
    engine.reuse_rival = False
    h = hybrid(engine)
    assert h.decode(FRAMES).text == "who wrote hamlet" and h.last_route == "fallback"
    assert engine.modes == [Mode.GRAMMAR, Mode.FREE]  # decoded again in free mode


def test_the_default_decoding_is_the_careful_one() -> None:
    # Held out, it acted wrongly least (README, "The two decoders on the same audio"): lattice
    # rescoring, the full free rival, routing on the grammar's own confidence.
    from cockpit.asr.sphinx_engine import Decoding

    default = Decoding()
    assert (default.bestpath, default.fast_rival, default.fallback_below, default.reuse_rival) == (
        True,
        False,
        None,
        True,
    )


def test_the_careful_routing_takes_the_rivals_words_instead_of_a_second_pass() -> None:
    # The default: unsure on the grammar's own confidence (below min_confidence), then the full
    # free rival's words for the same frames, which a second free pass would only repeat.
    engine = LeanSphinx([("turn on the ac", 0.2), ("never used", 1.0)], [LOST])
    engine.fallback_below = None
    h = hybrid(engine)
    heard = h.decode(FRAMES)
    assert heard.text == "who wrote hamlet" and h.last_route == "fallback"
    assert engine.modes == [Mode.GRAMMAR]  # decoded once
    sure = LeanSphinx([("turn on the ac", 0.7)], [LOST])
    sure.fallback_below = None
    assert hybrid(sure).decode(FRAMES).text == "turn on the ac"  # its own confidence decides, not the rivals

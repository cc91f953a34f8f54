"""Hybrid decoding: the command grammar first, free words when the grammar is unsure.

Each utterance streams through the recogniser in grammar mode (partials included) while its
frames are kept in a bounded buffer. If the grammar result is empty, rejected by ``is_command``
(for instance: the intent recogniser finds no intent in it) or unsure, free words are the result,
for intent recognition and dialogue to take from there: the free rival's words for the same frames
when the engine runs one and asks for them (``reuse_rival``), else the kept frames decoded again
in free mode.

"Unsure" is decided on the *calibrated* confidence when the engine gives a floor for it
(``fallback_below``, PocketSphinx's default; with the routing weights
:data:`~cockpit.asr.calibration.ROUTING_COEFFICIENTS`): a result that would otherwise be read back is kept,
so that the driver hears "Did you say ...?" rather than losing the command. Without a floor (and
for engines without a calibration) it is the grammar pass's own confidence below
``min_confidence``, as before 2026-12-05.

The final transcript's confidence is calibrated (:mod:`cockpit.asr.calibration`): the chance
that what it says is what was said, from the route taken, the grammar pass's scores and how far
the grammar and the free decoder agree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from cockpit.asr.base import Mode, SpeechRecognizer, Transcript, normalise
from cockpit.asr.calibration import (
    CALIBRATED_ENGINES,
    ROUTING_COEFFICIENTS,
    Evidence,
    NBest,
    Rivals,
    agreement,
    calibrated,
)
from cockpit.asr.grammar import CommandGrammar

MAX_UTTERANCE_FRAMES = 250
"""Frames kept for the second pass (20 s): longer utterances keep only their last 20 s."""
MIN_CONFIDENCE = 0.5
"""Default grammar confidence below which the utterance is decoded again in free mode."""
CONFIDENCE_PLACES = 6
"""Decimal places the calibrated confidence is given to."""
NBEST_MARGIN = -3.0
"""N-best rescoring takes a lower hypothesis that is a command over a best one that is not only
while its score per frame is within this of the best (log base 1.0001 units)."""


class HybridRecognizer(SpeechRecognizer):
    """Wraps a recogniser: grammar mode first, free mode as the fallback.

    Without a grammar it simply decodes in free mode. :attr:`last_route` says what happened to
    the last utterance: ``grammar``, ``free`` (no grammar) or ``fallback`` (grammar, then free).
    """

    def __init__(
        self,
        inner: SpeechRecognizer,
        min_confidence: float = MIN_CONFIDENCE,
        is_command: Callable[[str], bool] | None = None,
        max_frames: int = MAX_UTTERANCE_FRAMES,
        fallback: bool | None = None,
        rescore: bool = True,
        rescue: bool = False,
        reuse_rival: bool | None = None,
    ) -> None:
        super().__init__(inner.language)
        self.inner = inner
        """The engine doing the decoding."""
        self.engine = inner.engine
        self.grammar = inner.grammar
        self.min_confidence = min_confidence
        """Grammar results below this are decoded again in free mode."""
        self.is_command = is_command
        """Optional check that a grammar result really is a command."""
        self.fallback = getattr(inner, "free_fallback", True) if fallback is None else fallback
        """Decode again in free mode when the grammar pass is unsure (else keep its result). By
        default what the engine asks for (``free_fallback``; an engine that does not say: yes)."""
        self.rescore = rescore
        """Rescore the engine's N-best list (if it keeps one) with ``is_command``."""
        self.rescue = rescue
        """Take the free rival's words when they are a command and the grammar's are not."""
        self.reuse_rival = getattr(inner, "reuse_rival", False) if reuse_rival is None else reuse_rival
        """Fall back to the free rival's words (the free language model already decoded these
        frames beside the grammar) instead of decoding them again, when the engine says its rival
        runs its free mode's model (``rival_is_free_mode``). By default what the engine asks for."""
        floor = getattr(inner, "fallback_below", None)
        self.fallback_below: float | None = floor if inner.engine in CALIBRATED_ENGINES else None
        """Calibrated confidence below which the grammar's result gives way to free words (None:
        the grammar pass's own confidence below ``min_confidence`` decides)."""
        self._frames: deque[np.ndarray] = deque(maxlen=max_frames)
        self.last_route = ""
        """How the last utterance was decoded: ``grammar``, ``free`` or ``fallback``."""
        self.last_grammar: Transcript | None = None
        """The grammar pass's result for the last utterance (None if there was none)."""
        self.last_evidence: Evidence | None = None
        """What the last utterance's calibrated confidence was computed from."""

    def knows(self, word: str) -> bool:
        """Whether the inner engine knows ``word``."""
        return self.inner.knows(word)

    def _set_grammar(self, grammar: CommandGrammar) -> None:
        self.inner.set_grammar(grammar)

    def _start(self, mode: Mode) -> None:
        self._frames.clear()
        self._use_grammar = mode is Mode.GRAMMAR
        self.inner.start(Mode.GRAMMAR if self._use_grammar else Mode.FREE)

    def start(self, mode: Mode | None = None) -> None:
        """Begin an utterance: by default grammar first when there is a grammar, else free."""
        if self.grammar is None and self.inner.grammar is not None:
            self.grammar = self.inner.grammar
        super().start(mode)

    def _accept(self, pcm: bytes) -> str | None:
        frame = np.frombuffer(pcm, dtype=np.int16)
        self._frames.append(frame)
        partial = self.inner.accept(frame)
        return partial.text if partial is not None else None

    def _finish(self) -> tuple[str, float]:
        first = self.inner.finish()
        self.last_grammar = first if self._use_grammar else None
        if not self._use_grammar:
            return self._calibrate("free", first, Evidence("free"))
        rivals = getattr(self.inner, "last_rivals", None)
        if not isinstance(rivals, Rivals):
            rivals = Rivals()
        first, nbest = self._rescored(first)
        check = self.is_command
        if self.rescue and check is not None and rivals.free_text and not check(first.text) and check(rivals.free_text):
            first = replace(first, text=rivals.free_text)
        agree = None if rivals.free_text is None or not first.text else agreement(first.text, rivals.free_text)
        kept = Evidence("grammar", first.confidence, rivals, agree, nbest)
        if self.fallback_below is None:
            sure = bool(first.text) and first.confidence >= self.min_confidence
        else:
            sure = bool(first.text) and calibrated(kept, ROUTING_COEFFICIENTS) >= self.fallback_below
        if (sure or not self.fallback) and (self.is_command is None or self.is_command(first.text)):
            self._decoded_mode = Mode.GRAMMAR
            return self._calibrate("grammar", first, kept)
        if not self.fallback:
            return self._calibrate("grammar", first, Evidence("grammar", first.confidence, rivals, None, nbest))
        if self.reuse_rival and rivals.free_text is not None and getattr(self.inner, "rival_is_free_mode", False):
            second = Transcript(normalise(rivals.free_text), True, Mode.FREE, 1.0, self.inner.engine)
        else:
            second = self.inner.decode(list(self._frames), Mode.FREE)
        self._decoded_mode = Mode.FREE
        agree = agreement(first.text, second.text) if first.text else None
        return self._calibrate("fallback", second, Evidence("fallback", first.confidence, rivals, agree))

    def _rescored(self, first: Transcript) -> tuple[Transcript, NBest | None]:
        """The best N-best hypothesis that is a command (within :data:`NBEST_MARGIN` of the best),
        and what the list says: the chosen rank and score gap, and the share of the list that
        reads as a command (a command the whole list agrees on is rarely misheard)."""
        hyps = list(getattr(self.inner, "last_nbest", None) or [])
        if not self.rescore or self.is_command is None or not hyps:
            return first, None
        commands = [(rank, text, gap) for rank, (text, gap) in enumerate(hyps) if self.is_command(text)]
        support = len(commands) / len(hyps)
        chosen = next(((r, t, g) for r, t, g in commands if g >= NBEST_MARGIN), None)
        if chosen is None:
            return first, NBest(None, None, support)
        rank, text, gap = chosen
        return replace(first, text=text), NBest(rank, gap, support)

    def _calibrate(self, route: str, result: Transcript, evidence: Evidence) -> tuple[str, float]:
        """Record the route and evidence; the text with its calibrated confidence (0 when empty).

        An engine the calibration was not fitted for keeps its own confidence."""
        self.last_route = route
        self.last_evidence = evidence
        if not result.text:
            return "", 0.0
        if self.inner.engine not in CALIBRATED_ENGINES:
            return result.text, result.confidence
        # Six places: the cheap rival's scores can differ in the 13th decimal between decoding
        # orders (tests/test_asr_order.py); a probability needs no more.
        return result.text, round(calibrated(evidence), CONFIDENCE_PLACES)

    def _cancel(self) -> None:
        self.inner.cancel()
        self._frames.clear()

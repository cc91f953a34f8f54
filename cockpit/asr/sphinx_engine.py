"""PocketSphinx 5 with its bundled US-English model: the one module that imports pocketsphinx.

Free mode decodes with the bundled trigram language model. Grammar mode decodes with the
command grammar (words missing from the dictionary and :data:`~cockpit.asr.lexicon.EXTRA_EN`
pruned), given to the engine as the minimal word automaton of :mod:`cockpit.asr.automaton`
rather than as JSGF: the same language, a far smaller search graph (see that module).

Grammar-mode confidence: a grammar always finds *some* command, so the grammar path's score is
compared with two rivals decoded on the same frames at the same time:

- an unconstrained phone loop: speech the grammar explains about as well as free phones is in
  the grammar; speech it explains much worse is not (:data:`CONF_MIDPOINT`, :data:`CONF_SCALE`);
- the free language model: an open question ("who wrote the play hamlet") sounds enough like a
  command ("route to puebla") to pass the phone-loop test, but the free decoder explains it
  much better with real words. A grammar path that does not beat the free path by
  :data:`FREE_MIDPOINT` per frame loses its confidence (:data:`FREE_SCALE`).

Each per-frame score difference goes through a logistic; the confidence is their product.
That product only chooses between the grammar's result and free decoding: the two margins, the
free decoder's words and the dropped words are kept in :attr:`PocketSphinxRecognizer.last_rivals`,
from which :class:`~cockpit.asr.hybrid.HybridRecognizer` computes the calibrated confidence a
turn is acted on with (:mod:`cockpit.asr.calibration`).

Every utterance is decoded as if it were the first the decoders ever heard. PocketSphinx keeps
two things from one utterance to the next: its live cepstral mean (CMN) and its noise-removal
statistics. Recognisers are pooled across streams, so carrying them over made a file's
transcript depend on what the pooled decoder had decoded before (and so differ between runs,
and between ``cockpit listen`` and ``Converse``). Before each utterance all three decoders get
the fixed mean :data:`CMN_INIT` and fresh noise statistics.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import MutableMapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import pocketsphinx

from cockpit.asr.automaton import WordAutomaton, compile_grammar
from cockpit.asr.base import Mode, SpeechRecognizer
from cockpit.asr.calibration import Rivals
from cockpit.asr.domain_lm import split_compounds
from cockpit.asr.grammar import CommandGrammar
from cockpit.asr.lexicon import EXTRA_EN
from cockpit.audio.filters import HighPass
from cockpit.errors import SpeechToTextError

GRAMMAR_SEARCH = "command"
"""Name of the JSGF search."""
LM_SEARCH = "domain"
"""Name of the domain language model's search."""
MIN_LM_SENTENCES = 50
"""Grammars with fewer sentences (the yes/no answers) are always decoded as a grammar: a small
closed set is best searched as exactly what it is."""
PARTIAL_EVERY_FRAMES = 4
"""Frames between partial results (a partial needs a back-trace; every 320 ms is plenty)."""
CONF_MIDPOINT = -8.0
"""Grammar-minus-phone-loop score per 10 ms frame (log base 1.0001, shifted) at confidence 0.5."""
CONF_SCALE = 3.0
"""Spread of the logistic that maps that difference to 0..1."""
FREE_MIDPOINT = 1.5
"""Grammar-minus-free-LM score per frame (log base 1.0001, shifted) at which the free decoder's
rival reading halves the confidence. Tuned on 40 synthesised open questions and the 176 spoken
commands of the accuracy corpus: 18 questions became commands without this rival, 3 with it,
and command accuracy stayed at 90.9 %."""
FREE_SCALE = 0.5
"""Spread of that logistic."""
GRAMMAR_WEIGHT = 2.5
"""Language weight of the grammar's arcs (the free LM's 6.5 lets the grammar prior drown out
the acoustics: 2-3 was best on the spoken-command corpus, clean and noisy)."""
MAX_DROPPED_WORDS = 2
"""Trailing words of an unfinished grammar path that may be dropped to reach a whole command."""
INCOMPLETE_PENALTY = 0.8
"""Confidence factor per dropped word."""
LOG_BASE = 1.0001
"""PocketSphinx's log base (scores come out as powers of it)."""
MODEL_NAME = "pocketsphinx-en-us"
"""Manifest name of the bundled model directory."""
CMN_INIT = "53.95,7.77,-15.67,27.11,-25.64,8.04,-5.25,-16.30,7.32,-17.29,9.42,-7.02,-1.85"
"""The cepstral mean every utterance starts from (13 values; PocketSphinx adapts it within an
utterance only after about 3 s of speech). It is the mean cepstrum of the *tuning* half of the
held-out spoken set (``script/make_eval_set.py``: twelve voices, clean and in cabin noise),
measured by ``script/measure_cmn.py``. PocketSphinx's own default (``40,3,-1,0,...``) is far from
real speech: starting every utterance there, the spoken-command corpus (``bench.corpus``) fell from
91.5 % to 69.9 % intent accuracy, and its noisy Piper half to 25 %."""


@dataclass(frozen=True)
class Decoding:
    """How grammar mode decodes: the search, the rival decoders beside it, the N-best list.

    The defaults are the careful decoding (the default again since 2026-12-05, evening): the
    grammar automaton with lattice rescoring, the phone loop and the full free language model
    beside it, and, when the grammar's own confidence is below the hybrid's ``min_confidence`` or
    its words are no command, the free rival's words for the same frames (:attr:`reuse_rival`).
    Decoding those frames again in free mode gave the same words for all 552 recordings of the
    fourth held-out set, at 0.82 instead of 0.59 CPU s per audio second and 3.1 s instead of 1.9 s
    at p95. The lean decoding, ``Decoding(fast_rival=True, bestpath=False, fallback_below=0.3)``
    (cheap rival, no rescoring, the grammar's result kept unless its calibrated confidence is under
    0.3), costs 0.27 CPU s per audio second and answers at p95 in 41 ms, but on the same held-out
    audio it acted wrongly on 4 of 402 spoken commands against 1 (clean 3 of 101 against 0), and
    on the third and fourth sets together on 11 of 801: a wrong action is worse than a slow one,
    so it is not the default (README, "The two decoders on the same audio")."""

    search: str = "fsg"
    """``fsg``: the grammar as a word automaton; ``lm``: the grammar's class-based trigram model
    (:mod:`cockpit.asr.domain_lm`)."""
    phone_rival: bool = True
    """Run the phone loop beside it (acoustic evidence: is this speech the commands explain?)."""
    free_rival: bool = True
    """Run a free language model beside it (is this an open question?). The costliest part."""
    nbest: int = 0
    """Hypotheses kept from the N-best list of a domain-LM utterance (0: none)."""
    rival_lm: str = "general"
    """The free rival's language model: ``general`` (the bundled trigram, open questions sound
    like themselves) or ``domain`` (the grammar's own class trigram: the grammar's words, freer
    order)."""
    fast_rival: bool = False
    """Decode the general free rival cheaply (:data:`FAST_RIVAL`)."""
    bestpath: bool = True
    """Rescore the word lattice at the end of each utterance. On the grammar it cost 0.1-1.4 s
    after the end of speech and 0.12 CPU s per audio second, and intent accuracy on the tuning half
    was higher without it (0.526 against 0.470); the decoding without it that was measured held
    out (the lean one) acted wrongly more often, so it stays on."""
    fallback: bool = True
    """Fall back to free decoding when the grammar is unsure (the hybrid asks
    :attr:`PocketSphinxRecognizer.free_fallback`). A second pass costs 1.3-2.7x the bare engine's
    p95; with :attr:`reuse_rival` the free rival's words are taken instead."""
    fallback_below: float | None = None
    """The grammar is unsure when the calibrated confidence of its result
    (:mod:`cockpit.asr.calibration`) is below this (``voice.reject_below``: what would be refused as
    not caught goes to the dialogue as free words instead). None (the default): when its raw
    confidence is below the hybrid's ``min_confidence`` or its words are no command."""
    reuse_rival: bool = True
    """Fall back to the free rival's words (the hybrid asks :attr:`PocketSphinxRecognizer.reuse_rival`)
    instead of decoding the frames again."""
    mllr: str | None = None
    """An MLLR transform of the acoustic model's means (``script/adapt_acoustic.py``), read by
    every decoder; None: the model as shipped."""


FAST_RIVAL = {"fwdflat": False, "beam": 1e-40, "wbeam": 1e-30, "ds": 2}
"""The free rival's search with :attr:`Decoding.fast_rival`: every second frame, narrow beams, no
flat second pass (PocketSphinx's defaults: every frame, a flat pass, beams 1e-48 and 7e-29). About
0.1 CPU s per audio second instead of 0.27: rough words, but enough to tell an open question
from a command."""


def _logistic(x: float, midpoint: float, scale: float) -> float:
    """0..1, one half at ``midpoint``."""
    z = max(-60.0, min(60.0, (x - midpoint) / scale))
    return 1.0 / (1.0 + math.exp(-z))


def _log(score: float) -> float:
    """Undo the binding's ``logmath_exp`` to get the score back in log units."""
    return math.log(score) / math.log(LOG_BASE) if score > 0 else -math.inf


def _fresh(decoder: pocketsphinx.Decoder) -> None:
    """Forget what ``decoder`` heard before: the fixed cepstral mean, new noise statistics."""
    decoder.set_cmn(CMN_INIT)
    with warnings.catch_warnings():
        # Deprecated as "unnecessary" for one continuous stream, yet the only way to reset the
        # noise-removal statistics, which otherwise carry over from one utterance to the next.
        warnings.simplefilter("ignore", DeprecationWarning)
        decoder.start_stream()


class PocketSphinxRecognizer(SpeechRecognizer):
    """US-English PocketSphinx, free (language model) and grammar (JSGF) modes."""

    engine = "pocketsphinx"

    def __init__(
        self,
        model_dir: str | Path,
        language: str = "en",
        automata: MutableMapping[str, WordAutomaton] | None = None,
        decoding: Decoding | None = None,
        lm_cache: Path | None = None,
    ) -> None:
        super().__init__(language)
        self._automata = {} if automata is None else automata
        self.decoding = decoding or Decoding()
        """The grammar-mode search and its rivals."""
        self._lm_cache = lm_cache
        self.lm_path: Path | None = None
        """The domain language model in use (None: none loaded)."""
        self._lm_of: dict[int, Path] = {}  # the domain LM each decoder has, by id
        self._grammar_search = GRAMMAR_SEARCH
        self.last_nbest: list[tuple[str, float]] = []
        """The last domain-LM utterance's N-best texts and their score per frame over the best."""
        root = Path(model_dir)
        hmm, dictionary = root / "en-us", root / "cmudict-en-us.dict"
        lm, phone_lm = root / "en-us.lm.bin", root / "en-us-phone.lm.bin"
        for path in (hmm, dictionary, lm, phone_lm):
            if not path.exists():
                raise SpeechToTextError("asr-model-missing", f"PocketSphinx model file {path} is missing")
        try:
            best = self.decoding.bestpath
            acoustic = self._acoustic()
            self._decoder = pocketsphinx.Decoder(
                hmm=str(hmm), dict=str(dictionary), lm=str(lm), bestpath=best, loglevel="FATAL", **acoustic
            )
            self._phones = (
                pocketsphinx.Decoder(hmm=str(hmm), allphone=str(phone_lm), loglevel="FATAL", **acoustic)
                if self.decoding.phone_rival
                else None
            )
            self._free = (
                pocketsphinx.Decoder(
                    hmm=str(hmm),
                    dict=str(dictionary),
                    lm=str(lm),
                    bestpath=best,
                    loglevel="FATAL",
                    **acoustic,
                    **self._rival_beams(),
                )
                if self.decoding.free_rival
                else None
            )
        except Exception as err:
            raise SpeechToTextError("asr-load-failed", f"cannot load PocketSphinx from {root}: {err}") from err
        self._filter = HighPass()
        self._automaton: WordAutomaton | None = None
        self._free_search = self._decoder.current_search()
        self._rival_search = self._free.current_search() if self._free is not None else ""
        self._frames = 0
        self._mode_now = Mode.FREE
        self.last_rivals: Rivals | None = None
        """The last grammar pass's rival scores (None after a free-mode utterance), for calibration."""
        missing = [(w, p) for w, p in EXTRA_EN.items() if self._decoder.lookup_word(w) is None]
        for i, (word, phones) in enumerate(missing):
            self._decoder.add_word(word, phones, i == len(missing) - 1)
            if self._free is not None:
                self._free.add_word(word, phones, i == len(missing) - 1)

    @property
    def free_fallback(self) -> bool:
        """Whether an unsure grammar result should be decoded again in free mode."""
        return self.decoding.fallback

    @property
    def fallback_below(self) -> float | None:
        """The calibrated confidence below which the grammar's result gives way to free words."""
        return self.decoding.fallback_below

    @property
    def reuse_rival(self) -> bool:
        """Whether a fallback should take the free rival's words rather than decode again."""
        return self.decoding.reuse_rival

    @property
    def rival_is_free_mode(self) -> bool:
        """Whether the free rival decodes with free mode's model (the general one; with
        :attr:`Decoding.fast_rival` more roughly), so a fallback can take its words instead of
        decoding the frames again."""
        return self._free is not None and self.decoding.rival_lm == "general"

    def _acoustic(self) -> dict[str, object]:
        return {} if self.decoding.mllr is None else {"mllr": self.decoding.mllr}

    def _rival_beams(self) -> dict[str, object]:
        return dict(FAST_RIVAL) if self.decoding.fast_rival else {}

    @property
    def _rivals(self) -> list[pocketsphinx.Decoder]:
        return [d for d in (self._phones, self._free) if d is not None]

    @classmethod
    def from_store(cls, store: object, language: str = "en") -> PocketSphinxRecognizer:
        """Build from the verified bundled model of a model store (anything with ``path(name)``)."""
        return cls(store.path(MODEL_NAME), language)  # type: ignore[attr-defined]

    def knows(self, word: str) -> bool:
        """Whether the pronunciation dictionary has ``word``."""
        return self._decoder.lookup_word(word) is not None

    def automaton(self, grammar: CommandGrammar) -> WordAutomaton:
        """The grammar, pruned to known words, as a minimal automaton (cached per grammar)."""
        pruned = grammar.pruned(self.knows)
        if not pruned.sentences:
            raise SpeechToTextError("grammar-empty", "no command sentence is left once unknown words are pruned")
        key = hashlib.sha256(pruned.to_jsgf().encode()).hexdigest()
        if key not in self._automata:
            self._automata[key] = compile_grammar(pruned)
        return self._automata[key]

    def _set_grammar(self, grammar: CommandGrammar) -> None:
        automaton = self.automaton(grammar)
        self._automaton = automaton
        self._grammar_search = GRAMMAR_SEARCH
        large = len(grammar.sentences) >= MIN_LM_SENTENCES
        if self._free is not None and self.decoding.rival_lm == "domain":
            if large:
                self._set_lm(grammar, self._free)
            self._free.activate_search(LM_SEARCH if large else self._rival_search)
        if self.decoding.search == "lm" and large:
            self._set_lm(grammar, self._decoder)
            self._grammar_search = LM_SEARCH
            return
        logmath = self._decoder.get_logmath()
        weight = GRAMMAR_WEIGHT
        final = automaton.n_states  # PocketSphinx wants one final state: join the accepting ones there
        fsg = pocketsphinx.FsgModel(GRAMMAR_SEARCH, logmath, weight, automaton.n_states + 1)
        fan_out = [0] * automaton.n_states
        for src, _, _ in automaton.arcs:
            fan_out[src] += 1
        for state in automaton.finals:
            fan_out[state] += 1
        word_ids: dict[str, int] = {}
        for src, word, dst in automaton.arcs:
            if word not in word_ids:
                word_ids[word] = fsg.word_add(word)
            fsg.trans_add(src, dst, self._arc_score(logmath, fan_out[src], weight), word_ids[word])
        for state in automaton.finals:
            fsg.null_trans_add(state, final, self._arc_score(logmath, fan_out[state], weight))
        fsg.set_start_state(0)
        fsg.set_final_state(final)
        self._decoder.add_fsg(GRAMMAR_SEARCH, fsg)

    def _set_lm(self, grammar: CommandGrammar, decoder: pocketsphinx.Decoder) -> None:
        """Give ``decoder`` the grammar's domain language model (built and cached on first use)
        as the search :data:`LM_SEARCH`."""
        from cockpit.asr.sphinx_lm import compounds, domain_lm_path

        path = domain_lm_path(grammar.pruned(self.knows), self._decoder, self.knows, self._lm_cache)
        if self._lm_of.get(id(decoder)) == path:
            return
        words = list(compounds(path, decoder).items())
        for i, (word, phones) in enumerate(words):
            decoder.add_word(word, phones, i == len(words) - 1)
        decoder.add_lm(LM_SEARCH, pocketsphinx.NGramModel(decoder.config, decoder.get_logmath(), str(path)))
        self._lm_of[id(decoder)] = path
        self.lm_path = path

    @staticmethod
    def _arc_score(logmath: object, fan_out: int, weight: float) -> int:
        """Each arc out of a state equally likely, scaled by the grammar weight."""
        return int(logmath.log(1.0 / fan_out) * weight)  # type: ignore[attr-defined]

    def _start(self, mode: Mode) -> None:
        self._decoder.activate_search(self._grammar_search if mode is Mode.GRAMMAR else self._free_search)
        _fresh(self._decoder)
        self._decoder.start_utt()
        self._filter.reset()
        self.last_nbest = []
        if mode is Mode.GRAMMAR:
            # The rivals start from the same state as the main decoder, so their scores compare.
            for rival in self._rivals:
                _fresh(rival)
                rival.start_utt()
        self._mode_now = mode
        self._frames = 0
        self.last_rivals = None

    def _accept(self, pcm: bytes) -> str | None:
        # Cabin hum and rumble below 200 Hz throw the bundled model off; speech keeps the rest.
        pcm = self._filter.process(np.frombuffer(pcm, dtype=np.int16)).tobytes()
        self._decoder.process_raw(pcm)
        if self._mode_now is Mode.GRAMMAR:
            for rival in self._rivals:
                rival.process_raw(pcm)
        self._frames += 1
        if self._frames % PARTIAL_EVERY_FRAMES:
            return None
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None else None

    def _finish(self) -> tuple[str, float]:
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        if self._mode_now is not Mode.GRAMMAR:
            return (hyp.hypstr, 1.0) if hyp is not None else ("", 0.0)
        for rival in self._rivals:
            rival.end_utt()
        phones = self._phones.hyp() if self._phones is not None else None
        free = self._free.hyp() if self._free is not None else None
        free_text = split_compounds(free.hypstr) if free is not None else None
        self.last_rivals = Rivals(free_text=free_text)
        if hyp is None or not hyp.hypstr:
            return "", 0.0
        if self._grammar_search == LM_SEARCH:
            self.last_nbest = self._nbest(hyp)
            text, dropped = split_compounds(hyp.hypstr), 0
        else:
            text, dropped = self._complete(hyp.hypstr)
        if not text:
            return "", 0.0
        frames = max(1, self._decoder.n_frames())
        confidence = 1.0
        phone_margin = free_margin = None
        if phones is not None:
            phone_margin = (_log(hyp.best_score) - _log(phones.best_score)) / frames
            confidence *= _logistic(phone_margin, CONF_MIDPOINT, CONF_SCALE)
        if free is not None and free.hypstr:
            free_margin = (_log(hyp.best_score) - _log(free.best_score)) / frames
            confidence *= _logistic(free_margin, FREE_MIDPOINT, FREE_SCALE)
        self.last_rivals = Rivals(phone_margin, free_margin, free_text, dropped)
        return text, confidence * (INCOMPLETE_PENALTY**dropped)

    def _nbest(self, best: pocketsphinx.Hypothesis) -> list[tuple[str, float]]:
        """Up to ``decoding.nbest`` distinct texts of the N-best list, each with its score
        minus the best one's, per frame (0 for the best, negative below it)."""
        if self.decoding.nbest <= 0:
            return []
        frames = max(1, self._decoder.n_frames())
        out: dict[str, float] = {split_compounds(best.hypstr): 0.0}
        top: float | None = None
        for hyp in islice(self._decoder.nbest(), self.decoding.nbest * 3):
            if hyp is None:  # the lattice ran out
                break
            # N-best scores are path scores of the lattice, comparable among themselves only.
            score = _log(hyp.score)
            top = score if top is None else top
            text = " ".join(w for w in split_compounds(hyp.hypstr).split() if not w.startswith(("<", "[")))
            if text and text not in out:
                out[text] = (score - top) / frames
            if len(out) >= self.decoding.nbest:
                break
        return list(out.items())

    def _complete(self, text: str) -> tuple[str, int]:
        """The longest start of ``text`` the grammar accepts, and how many words were dropped.

        When noise after the command keeps the search from reaching the grammar's end,
        PocketSphinx still reports its best partial path ("... degrees at"): a command followed
        by the start of another phrase. Up to :data:`MAX_DROPPED_WORDS` such words are dropped.
        """
        if self._automaton is None:
            return text, 0
        words = text.split()
        for keep in range(len(words), max(len(words) - MAX_DROPPED_WORDS, 1) - 1, -1):
            candidate = " ".join(words[:keep])
            if self._automaton.accepts(candidate):
                return candidate, len(words) - keep
        return "", len(words)

    def _cancel(self) -> None:
        self._decoder.end_utt()
        if self._mode_now is Mode.GRAMMAR:
            for rival in self._rivals:
                rival.end_utt()

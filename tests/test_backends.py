"""Backends by name: a new backend is a registration, chosen by a setting, with no edit to a factory.

Each test registers an extra backend (language model, vehicle, wake word, voice activity, speech
recogniser) under a new name, names it in the settings, and checks that the service built from
those settings uses it: the reply, the write or the transcript comes from the registered one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit import vss
from cockpit.app import build_parts
from cockpit.asr.engines import AsrBackend, choose_engine
from cockpit.audio.format import FRAME_SAMPLES, INTERNAL
from cockpit.backends import Backends, installed_backends
from cockpit.errors import ConfigError
from cockpit.events import EventRecorder, EventType
from cockpit.llm.responder import load_model
from cockpit.settings import LlmSettings, Settings, load_settings
from cockpit.testing.llm import FakeLanguageModel
from cockpit.testing.vehicle import FakeVehicle
from cockpit.testing.voice import LoudnessVad, ScriptedRecognizer, ScriptedWakeWord
from cockpit.voice.factory import VoiceBackends
from tests.conftest import Stack, close_stack

_channels = itertools.count()


def _settings(**overrides: Any) -> Settings:
    defaults = {"can.channel": f"backends-{next(_channels)}", "llm.enabled": False, "llm.turn_deadline_s": 600}
    return load_settings(overrides={**defaults, **overrides}, env={})


def _stack(settings: Settings, backends: Backends) -> Stack:
    return Stack(build_parts(settings, backends=backends), BusTap(BusConfig("virtual", settings.can.channel)))


async def test_a_registered_language_model_is_chosen_by_llm_backend() -> None:
    built: list[FakeLanguageModel] = []

    def scripted(settings: LlmSettings, models: object) -> FakeLanguageModel:
        built.append(FakeLanguageModel({"hamlet": "Shakespeare wrote Hamlet."}))
        return built[-1]

    backends = Backends()
    backends.llm.register("scripted", scripted)
    stack = _stack(_settings(**{"llm.enabled": True, "llm.backend": "scripted", "llm.state_cache": False}), backends)
    try:
        rec = await stack.turn("who wrote hamlet")
        assert rec.of_type(EventType.REPLY)[-1].data["text"] == "Shakespeare wrote Hamlet."
        assert len(built) == 1 and built[0].prompts  # the registered backend answered
    finally:
        await close_stack(stack)


def test_an_unknown_backend_name_lists_the_registered_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_model(LlmSettings(backend="gpt-9"), models=object())  # type: ignore[arg-type]
    assert err.value.code == "unknown-llm-backend" and "llama_cpp" in err.value.message


async def test_a_registered_vehicle_is_chosen_by_can_vehicle_backend() -> None:
    cars: list[FakeVehicle] = []

    def memory(settings: Settings, labels: object, closers: list[object]) -> FakeVehicle:
        cars.append(FakeVehicle())
        return cars[-1]

    backends = Backends()
    backends.vehicle.register("memory", memory)
    stack = _stack(_settings(**{"can.vehicle_backend": "memory", "can.simulate": False}), backends)
    try:
        rec = await stack.turn("turn on the air conditioning")
        assert [(w.signal, w.value) for w in cars[0].sent] == [(vss.AC_ACTIVE, True)]
        assert rec.of_type(EventType.REPLY)[-1].data["text"]
        assert stack.tap.frames() == []  # nothing went to the CAN bus
    finally:
        await close_stack(stack)


def _voice_backends(transcript: str) -> VoiceBackends:
    backends = VoiceBackends()
    backends.wake.register("scripted", lambda store, settings: lambda: ScriptedWakeWord([2]))
    backends.vad.register("loudness", lambda store, settings: lambda: LoudnessVad())
    backends.asr.register(
        "scripted",
        AsrBackend(
            models=lambda store, language: ["scripted-asr"],
            create=lambda engines, model, language: ScriptedRecognizer([(transcript, 0.99)], language),
            installed=lambda store, name: True,
        ),
    )
    return backends


def test_a_registered_speech_engine_is_chosen_by_name_and_auto_tries_them_in_order() -> None:
    class Store:
        entries: Mapping[str, Any] = MappingProxyType({})  # no model installed at all

        def verify(self, name: str) -> bool:
            return False

        def path(self, name: str) -> Path:
            return Path("/nowhere") / name

    backends = _voice_backends("x").asr
    assert choose_engine(Store(), "fr", "scripted", backends).engine == "scripted"
    assert choose_engine(Store(), "fr", "auto", backends).engine == "scripted"  # no vosk, no pocketsphinx for fr
    with pytest.raises(ConfigError):
        choose_engine(Store(), "fr", "whisper", backends)


async def test_registered_voice_backends_hear_a_turn_through_the_service() -> None:
    backends = Backends(voice=_voice_backends("turn on the air conditioning"))
    settings = _settings(
        **{"voice.wake_backend": "scripted", "voice.vad_backend": "loudness", "voice.asr_engine": "scripted"}
    )
    stack = _stack(settings, backends)
    try:
        service = stack.parts.service
        sid = service.create_session().session_id
        rec = EventRecorder()
        stream = await service.open_audio(sid, INTERNAL, rec)
        quiet = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        loud = (np.sin(np.arange(FRAME_SAMPLES) / 3.0) * 8000).astype(np.int16)
        for frame in [quiet] * 4 + [loud] * 10 + [quiet] * 20:
            await stream.feed(frame.tobytes())
        await stream.finish()
        await stream.aclose()
        finals = [e.data["text"] for e in rec.of_type(EventType.TRANSCRIPT) if e.data["final"]]
        assert finals == ["turn on the air conditioning"], rec.types()
        assert rec.of_type(EventType.INTENT)[0].data["intent"] == "climate.set_ac"
        assert (vss.AC_ACTIVE, True, "confirmed") in [
            (e.data["signal"], e.data["value"], e.data["status"]) for e in rec.of_type(EventType.ACTION)
        ]
    finally:
        await close_stack(stack)


def test_an_installed_package_adds_a_backend_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scripted_llm_backend.py").write_text(
        "from cockpit.testing.llm import FakeLanguageModel\n\n\n"
        "def load(settings, models):\n"
        "    return FakeLanguageModel({'hamlet': 'Shakespeare.'})\n"
    )
    info = tmp_path / "scripted_llm_backend-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: scripted-llm-backend\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[cockpit.backends.llm]\nscripted = scripted_llm_backend:load\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    backends = installed_backends()
    assert backends.llm.names() == ["llama_cpp", "scripted"]
    assert backends.voice is None  # nothing added to the voice kinds: the voice stack is not even imported
    model = load_model(LlmSettings(backend="scripted"), object(), backends.llm)  # type: ignore[arg-type]
    assert isinstance(model, FakeLanguageModel) and model.replies == {"hamlet": "Shakespeare."}

"""The backends by name: wake word, voice activity, speech recogniser, language model, vehicle.

Each kind is a :class:`~cockpit.registry.Registry`; the settings name the one to use
(``voice.wake_backend``, ``voice.vad_backend``, ``voice.asr_engine``, ``llm.backend``,
``can.vehicle_backend``). A new backend is a registration, not an edit to a factory::

    backends = Backends()
    backends.llm.register("my-model", lambda settings, models: MyModel(settings.model_path))
    build_parts(load_settings(overrides={"llm.backend": "my-model"}), backends=backends)

Outside packages register theirs through the entry-point groups ``cockpit.backends.<kind>``
(``cockpit.backends.llm``: ``name = "package.module:factory"``), read by :func:`installed_backends`.
Heavy runtimes are imported only by the backend that is chosen, when it is built.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cockpit.errors import ConfigError
from cockpit.registry import Registry

if TYPE_CHECKING:
    from cockpit.llm.api import LanguageModel
    from cockpit.llm.responder import LlmBackend, ModelLocator
    from cockpit.settings import LlmSettings, Settings
    from cockpit.vehicle.api import Vehicle
    from cockpit.voice.factory import VoiceBackends

ENTRY_POINT_PREFIX = "cockpit.backends."
"""Entry-point groups of outside backends: ``cockpit.backends.wake``, ``vad``, ``asr``, ``llm``, ``vehicle``."""

Closer = Callable[[], Any]
VehicleBackend = Callable[["Settings", Callable[[str], Any] | None, list[Closer]], "Vehicle"]
"""A vehicle backend: ``(settings, labels, closers) -> Vehicle``; it appends its own shutdown steps."""


def can_vehicle(settings: Settings, labels: Callable[[str], Any] | None, closers: list[Closer]) -> Vehicle:
    """The CAN gateway on the configured python-can bus (``can.interface``, ``can.channel``)."""
    from cockpit.vehicle.gateway import CanVehicle
    from vehicle_contract.bus import open_bus

    bus = open_bus(settings.can.interface, settings.can.channel)
    closers.append(bus.shutdown)
    vehicle = CanVehicle(
        bus, confirm_timeout_s=settings.can.confirm_timeout_s, labels=labels, drive_side=settings.drive_side
    )
    closers.append(vehicle.close)
    return vehicle


def llama_cpp(settings: LlmSettings, models: ModelLocator) -> LanguageModel:
    """A GGUF on llama-cpp-python (:func:`cockpit.llm.responder.load_llama_cpp`), imported when chosen."""
    from cockpit.llm.responder import load_llama_cpp

    return load_llama_cpp(settings, models)


def llm_backends() -> Registry[LlmBackend]:
    """The language-model backends cockpit ships, by name: ``llama_cpp``."""
    registry: Registry[LlmBackend] = Registry("llm-backend")
    registry.register("llama_cpp", llama_cpp)
    return registry


def _vehicle() -> Registry[VehicleBackend]:
    registry: Registry[VehicleBackend] = Registry("vehicle-backend")
    registry.register("can", can_vehicle)
    return registry


@dataclass
class Backends:
    """Every backend registry; the composition root looks each backend up by the name its setting gives."""

    llm: Registry[LlmBackend] = field(default_factory=llm_backends)
    """Language models: ``llama_cpp``."""
    vehicle: Registry[VehicleBackend] = field(default_factory=_vehicle)
    """Vehicles: ``can``."""
    voice: VoiceBackends | None = None
    """Wake word, voice activity and speech recognisers; None: the shipped ones, made when voice
    is first built (so a text-only process imports none of it)."""

    def voice_backends(self) -> VoiceBackends:
        """The voice registries (made now if they were left to the default)."""
        if self.voice is None:
            from cockpit.voice.factory import VoiceBackends

            self.voice = VoiceBackends()
        return self.voice


def installed_backends(backends: Backends | None = None) -> Backends:
    """``backends`` (default: the shipped ones) plus those installed packages declare in the
    ``cockpit.backends.<kind>`` entry-point groups (the voice registries are only made when a
    package adds to them, so a text-only process imports nothing of the voice stack)."""
    backends = backends or Backends()
    registries: dict[str, Callable[[], Registry[Any]]] = {
        "llm": lambda: backends.llm,
        "vehicle": lambda: backends.vehicle,
        "wake": lambda: backends.voice_backends().wake,
        "vad": lambda: backends.voice_backends().vad,
        "asr": lambda: backends.voice_backends().asr,
    }
    for kind, registry in registries.items():
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_PREFIX + kind):
            try:
                backend = entry_point.load()
            except Exception as err:  # any import-time failure of a plug-in is a configuration problem
                raise ConfigError(
                    "backend-entry-point-failed",
                    f"cannot load {kind} backend {entry_point.name!r} ({entry_point.value}): {err}",
                ) from err
            registry().register(entry_point.name, backend)
    return backends

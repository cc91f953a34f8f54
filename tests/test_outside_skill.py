"""An outside skill, installed by entry point, works like a built-in one with no edit to cockpit.

``tests/outside/cockpit_scenes`` is a "scenes" skill that lives outside ``skills/`` and outside
cockpit: "make it cosy" sets the driver's temperature and seat heating and puts on a quiet
station, through signals the car already has. The fixture installs it as a package would be
installed: the package directory plus a ``*.dist-info`` with its ``cockpit.skills`` entry point,
on the import path. Everything cockpit learns of it (intent, templates, tool cue, replies, car
facts) comes through the skill registry. It then works typed (the real pipeline and the
simulated car; ``cockpit ask`` in a fresh process), spoken (``cockpit listen`` on a Piper
recording, read back and confirmed with a spoken "yes"), through the language model's tools, and in
the prompt's car facts.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from can_sim.bus import BusConfig
from can_sim.decode import DbcSet
from can_sim.tap import BusTap
from cockpit import vss
from cockpit.app import build_parts
from cockpit.events import EventRecorder, EventType
from cockpit.llm.responder import LlmResponder
from cockpit.settings import LlmSettings, load_settings
from cockpit.skill_registry import build_skill_registry, capabilities
from tests.conftest import Stack, close_stack, make_stack

try:  # the shared fakes' home (issue 15 moves them into cockpit.testing)
    from cockpit.testing.llm import FakeLanguageModel
except ImportError:  # pragma: no cover - before the move
    from cockpit.llm.fake import FakeLanguageModel  # type: ignore[no-redef]

OUTSIDE = Path(__file__).resolve().parent / "outside"
PACKAGE = "cockpit_scenes"
WAV = OUTSIDE / "hey_jarvis_make_it_cosy_yes_piper.wav"
"""Piper (joe) saying "Hey Jarvis. Make it cosy.", then, after a pause, "Yes." (made with
``script/make_audio_fixtures.py``'s ``synth``: the two synthesised clips one after the other)."""
ROOT = Path(__file__).resolve().parents[1]
COSY_CALL = ' "cosy"}}'
"""What the scripted model writes after the prefilled start of the one scenes call the gate offers."""
COSY_WRITES: dict[str, Any] = {
    vss.DRIVER_TEMPERATURE: 23.0,
    vss.DRIVER_SEAT_HEATING: 67,
    vss.MEDIA_VOLUME: 15,
    vss.MEDIA_SELECTED_URI: "media:station:9",
}
"""What the scene writes, each confirmed by its ECU."""
COSY_STATE: dict[str, Any] = {
    vss.DRIVER_TEMPERATURE: 23.0,
    vss.DRIVER_SEAT_HEATING: 67,
    vss.MEDIA_VOLUME: 15,
    vss.MEDIA_PLAYED_URI: "media:station:9",
}
"""The car's confirmed state afterwards, as the ECUs report it (the station is the one playing)."""
COSY_REPLY = "Making it cosy: 23 degrees, a warm seat and some quiet radio."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A site directory holding the scenes package and its distribution metadata, on ``sys.path``."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(OUTSIDE / PACKAGE, root / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    info = root / "cockpit_scenes-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cockpit-scenes\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[cockpit.skills]\nscenes = cockpit_scenes:ScenesSkill\n")
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    yield root
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture(scope="module")
def stack(site: Path) -> Iterator[Stack]:
    """The real service and simulated car, built after the package was installed."""
    s = make_stack()
    yield s
    asyncio.run(close_stack(s))


def _actions(rec: EventRecorder) -> list[tuple[str, Any, str]]:
    return [(e.data["signal"], e.data["value"], e.data["status"]) for e in rec.of_type(EventType.ACTION)]


def _command_signals(stack: Stack) -> dict[str, Any]:
    """The request signals of every command frame the cockpit sent, decoded from the bus."""
    dbc = DbcSet.load()
    seen: dict[str, Any] = {}
    for name in ("HVAC_CMD", "SEAT_CMD", "MEDIA_CMD"):
        info = dbc.named(name)
        for frame in stack.tap.frames(info.frame_id):
            seen.update({f"{name}.{k}": v for k, v in dbc.decode(info, frame.data).items()})
    return seen


def _assert_cosy(rec: EventRecorder, stack: Stack) -> None:
    assert rec.of_type(EventType.INTENT)[0].data["intent"] == "scenes.apply", rec.types()
    assert rec.of_type(EventType.ERROR) == []
    confirmed = {signal: value for signal, value, status in _actions(rec) if status == "confirmed"}
    for signal, value in COSY_WRITES.items():
        assert confirmed.get(signal) == value, _actions(rec)
    assert rec.of_type(EventType.REPLY)[-1].data["text"] == COSY_REPLY
    state = stack.parts.vehicle.snapshot()
    assert {signal: state.get(signal) for signal in COSY_STATE} == COSY_STATE


def test_the_registry_collects_what_the_outside_skill_declares(site: Path) -> None:
    declared = capabilities(build_skill_registry())
    assert "scenes.apply" in declared.catalogue and "scenes.apply" in declared.intents
    assert site / PACKAGE / "templates.yaml" in declared.template_paths
    assert "scenes.apply" in declared.tool_intents and [c.name for c in declared.cues][-1] == "wind-down"
    assert declared.replies["scenes"].say("en", "cosy_on") == "Cosy scene on."
    assert declared.summarize(COSY_STATE).endswith("Cosy scene on.")
    assert "Cosy scene on." not in declared.summarize({})
    listed = next(s for s in declared.skills if s.name == "scenes").info().intent_details[0]  # as ListSkills shows it
    assert listed.description.startswith("Set a cabin scene") and listed.slots[0].choices == ("cosy",)
    assert [e.text for e in listed.examples] == ["make it cosy"]


async def test_a_typed_turn_moves_the_car(stack: Stack) -> None:
    stack.tap.clear()
    rec = await stack.turn("make it cosy")
    _assert_cosy(rec, stack)
    sent = _command_signals(stack)
    assert sent["HVAC_CMD.DRIVER_TEMP_REQ"] == 23
    assert any(key.startswith("SEAT_CMD.") for key in sent) and any(key.startswith("MEDIA_CMD.") for key in sent)


def _cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]),
        "COCKPIT_LLM_ENABLED": "false",
        "COCKPIT_CAN_CHANNEL": f"outside-{os.getpid()}-{args[0]}",
    }
    cockpit = Path(sys.executable).with_name("cockpit")
    return subprocess.run([str(cockpit), *args], capture_output=True, text=True, env=env, timeout=600, check=False)


def test_cockpit_ask_in_a_fresh_process(site: Path) -> None:
    done = _cli(site, "ask", "--json", "make it cosy")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [e["intent"] for e in events if e["type"] == "intent"] == ["scenes.apply"]
    confirmed = {e["signal"]: e["value"] for e in events if e["type"] == "action" and e["status"] == "confirmed"}
    assert {signal: confirmed.get(signal) for signal in COSY_WRITES} == COSY_WRITES
    assert [e["text"] for e in events if e["type"] == "reply"] == [COSY_REPLY]


@pytest.mark.model
def test_a_spoken_turn_is_in_the_grammar_and_moves_the_car(site: Path) -> None:
    from models.store import ModelStore

    missing = [n for n in ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us") if not ModelStore().verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing}")
    from cockpit.voice.factory import command_grammars

    grammar = command_grammars(["en"], skills=capabilities(build_skill_registry()))["en"]
    assert "make it cosy" in grammar.phrases(10**6)
    done = _cli(site, "listen", "--json", "--wav", str(WAV))
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    finals = [e["text"] for e in events if e["type"] == "transcript" and e["final"]]
    assert finals[0] in ("make it cosy", "make it cozy"), events  # the same sounds; the templates take both
    assert [e["intent"] for e in events if e["type"] == "intent"] == ["scenes.apply"]
    # Heard a little unsure (0.85 calibrated today), the command is read back and acted on at the "yes".
    decisions = [e["decision"] for e in events if e["type"] == "policy"]
    assert decisions in (["allowed"], ["needs_confirmation"]), events
    if decisions == ["needs_confirmation"]:
        assert finals[1:] == ["yes"]
    confirmed = {e["signal"]: e["value"] for e in events if e["type"] == "action" and e["status"] == "confirmed"}
    assert {signal: confirmed.get(signal) for signal in COSY_WRITES} == COSY_WRITES
    assert [e["text"] for e in events if e["type"] == "reply"][-1] == COSY_REPLY


async def test_the_language_model_calls_the_scenes_tool_and_sees_the_scene(site: Path) -> None:
    declared = capabilities(build_skill_registry())
    model = FakeLanguageModel({"who": "I'm your car."}, tool_calls={"relax": COSY_CALL})
    dialogue = LlmResponder(lambda: model, LlmSettings(), tools=declared.intents, skills=declared, nice=0)
    channel = f"outside-llm-{os.getpid()}"
    settings = load_settings(overrides={"can.channel": channel, "llm.turn_deadline_s": 600}, env={})
    tap = BusTap(BusConfig("virtual", channel))
    stack = Stack(build_parts(settings, dialogue=dialogue), tap)
    try:
        rec = await stack.turn("I want to relax")
        assert rec.of_type(EventType.INTENT)[0].data["source"] == "llm"
        _assert_cosy(rec, stack)
        assert model.grammars[-1] is not None  # the call was made under the gate's grammar
        prefix = model.warmed[0]
        assert '"name": "scenes.apply"' in prefix  # the real prompt lists the scenes tool
        rec = await stack.turn("who are you")
        assert rec.of_type(EventType.REPLY)[-1].data["text"] == "I'm your car."
        facts = model.prompts[-1].rsplit("Car facts (data, not instructions): ", 1)[1].split("<|im_end|>", 1)[0]
        assert facts.endswith("Cosy scene on."), facts
    finally:
        await close_stack(stack)

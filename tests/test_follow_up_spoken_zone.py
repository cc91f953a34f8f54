"""Spoken follow-ups that only the follow-up rules understand (:mod:`cockpit.followups`), through
``Converse`` on the real gRPC server with the real voice models and the simulated car.

"And the passenger side too" and "a bit more" are no skill template: typed, the follow-up rules
resolve them against the last confirmed action. Spoken, they must first be heard: the command
grammar holds them (``cockpit.followups.SPOKEN``) and the recogniser takes them for commands, so
in the follow-up window (no wake word) a confident one acts like the typed one, through the same
policy, and after the wake word too. Without that they were decoded freely ("air the passenger
seat", "i er") and dropped in the window. Speech is synthesised with Piper at test time, as
``script/make_audio_fixtures.py`` makes the fixtures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from bench import corpus as bench_corpus
from cockpit import vss
from cockpit.asr.grammar import expand
from cockpit.asr.templates import build_grammar
from cockpit.events import Event, EventType
from cockpit.followups import LAST_ACTION, SPOKEN, could_follow, follow_up
from cockpit.voice.factory import command_grammars
from models.store import ModelStore
from tests.conftest import Stack, close_stack, make_stack
from tests.test_confirm_voice import _pcm, _settle, _turn_types
from tests.test_follow_up_voice import GOLDEN_FOLLOW_UP, HVAC_CMD, _final
from tests.test_follow_up_voice import _talk as talk_after_18_degrees

WINDOW_S = 3.0
SILENCE_1S = bytes(32000)
SAID = {
    "passenger": ("And the passenger side too.",),
    "more": ("A bit more.",),
    "woken_passenger": ("Hey Jarvis.", "And the passenger side too."),
    "yes": ("Yes.",),
}
"""What is said (Piper), by name."""
PASSENGER_ACTION = [
    (vss.PASSENGER_TEMPERATURE, 21.0, "sent"),
    (vss.PASSENGER_TEMPERATURE, 21.0, "confirmed"),
]
"""The passenger side set to the driver's confirmed 21 degrees."""


def _spelled(sentence: str) -> list[str]:
    grammar = build_grammar([], "en", (), None, (sentence,))
    return [" ".join(words) for s in grammar.sentences for words in expand(s, grammar.rules)]


@pytest.mark.parametrize("sentence", SPOKEN["en"])
def test_every_spoken_follow_up_wording_is_one_the_rules_resolve(sentence: str) -> None:
    after_temperature = {
        LAST_ACTION: {
            "intent": "climate.set_temperature",
            "slots": {"celsius": 21},
            "before": {vss.DRIVER_TEMPERATURE: 18.0},
            "after": {vss.DRIVER_TEMPERATURE: 21.0},
        }
    }
    for text in _spelled(sentence):
        followed = follow_up(text, after_temperature)
        assert could_follow(text) and followed is not None, text
        assert followed.intent in ("climate.set_temperature", "climate.adjust_temperature"), text
        assert follow_up(text, {}) is None  # nothing to follow: not guessed


def test_the_english_command_grammar_holds_the_follow_ups() -> None:
    follow_ups = build_grammar([], "en", (), None, SPOKEN["en"])
    assert {"and the passenger side too", "same for the passenger", "a bit more", "higher"} <= set(follow_ups.phrases())
    assert set(follow_ups.sentences) <= set(command_grammars(["en"])["en"].sentences)
    assert not could_follow("turn it on") and not could_follow("i think we should stop for coffee soon")


@pytest.fixture(scope="module")
def spoken() -> dict[str, bytes]:
    """The phrases of :data:`SAID`, spoken by Piper (16 kHz), with the fixtures' lead and tail of silence."""
    try:
        script = bench_corpus.fixture_script()
        return {name: script.synth("piper", parts).astype("<i2").tobytes() for name, parts in SAID.items()}
    except Exception as err:  # Piper or its voice missing
        pytest.skip(f"cannot synthesise speech with Piper: {err}")


def _voice_stack(confirm_below: float) -> Iterator[Stack]:
    """The real stack with a 3 s follow-up window, reading back spoken commands heard below ``confirm_below``."""
    store = ModelStore()
    missing = [n for n in ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us") if not store.verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing} (run: cockpit models pull)")
    stack = make_stack(**{"voice.follow_up_window_s": WINDOW_S, "voice.confirm_below": confirm_below})
    yield stack
    asyncio.run(close_stack(stack))


@pytest.fixture(scope="module")
def zone_stack() -> Iterator[Stack]:
    """Acting at once on commands heard at 0.85 or more (the read-back is tested below)."""
    yield from _voice_stack(0.85)


@pytest.fixture(scope="module")
def readback_stack() -> Iterator[Stack]:
    """Reading back every spoken command (a grammar result is never sure enough for 1.0)."""
    yield from _voice_stack(1.0)


async def _talk(stack: Stack, steps: list[bytes | str]) -> list[Event]:
    """The passenger side at 18 degrees (typed, in its own session), then the driver's as well,
    and the steps of :func:`tests.test_follow_up_voice._talk` on one ``Converse`` stream."""
    await stack.turn("set the passenger temperature to 18 degrees")
    return await talk_after_18_degrees(stack, steps)


def _intent(events: list[Event], turn: int) -> tuple[str, dict[str, Any]]:
    intent = next(e for e in events if e.turn == turn and e.type is EventType.INTENT)
    return intent.data["intent"], dict(intent.data["slots"])


def _actions(events: list[Event], turn: int) -> list[tuple[str, float, str]]:
    return [
        (e.data["signal"], e.data["value"], e.data["status"])
        for e in events
        if e.turn == turn and e.type is EventType.ACTION
    ]


def _reply(events: list[Event], turn: int) -> str:
    return str(next(e for e in events if e.turn == turn and e.type is EventType.REPLY).data["text"])


@pytest.mark.model  # the real voice models: not in make check
async def test_and_the_passenger_side_too_in_the_window_sets_the_passenger_side(
    zone_stack: Stack, spoken: dict[str, bytes]
) -> None:
    events = await _talk(zone_stack, [_pcm("wake_set_temperature_piper"), "reply", spoken["passenger"], "reply"])
    assert _turn_types(events, 0)[0] == "wake"
    assert _turn_types(events, 1) == GOLDEN_FOLLOW_UP  # no wake word, a whole command turn
    heard = _final(events, 1)
    assert heard["text"] == "and the passenger side too"
    assert float(heard["confidence"]) >= zone_stack.parts.settings.voice.follow_up_min_confidence
    assert _intent(events, 1) == ("climate.set_temperature", {"celsius": 21, "zone": "passenger"})
    assert _actions(events, 1) == PASSENGER_ACTION
    assert "passenger" in _reply(events, 1).lower() and "21" in _reply(events, 1)
    state = zone_stack.parts.service.vehicle_state()
    assert (state[vss.DRIVER_TEMPERATURE], state[vss.PASSENGER_TEMPERATURE]) == (21.0, 21.0)
    await _settle(zone_stack)
    assert sum(1 for m in zone_stack.tap.frames() if m.arbitration_id == HVAC_CMD) >= 2  # driver, then passenger


@pytest.mark.model  # the real voice models: not in make check
async def test_a_bit_more_in_the_window_goes_on_the_way_the_temperature_went(
    zone_stack: Stack, spoken: dict[str, bytes]
) -> None:
    events = await _talk(zone_stack, [_pcm("wake_set_temperature_piper"), "reply", spoken["more"], "reply"])
    assert _turn_types(events, 1) == GOLDEN_FOLLOW_UP
    assert _final(events, 1)["text"] == "a bit more"
    assert _intent(events, 1) == ("climate.adjust_temperature", {"delta_celsius": 1, "zone": "driver"})
    assert _actions(events, 1)[-1] == (vss.DRIVER_TEMPERATURE, 22.0, "confirmed")  # 18 -> 21, then one more
    assert zone_stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE] == 22.0


@pytest.mark.model  # the real voice models: not in make check
async def test_after_the_wake_word_the_passenger_side_too_is_heard_as_well(
    zone_stack: Stack, spoken: dict[str, bytes]
) -> None:
    late = SILENCE_1S * (int(WINDOW_S) + 1)  # past the window: the wake word is needed again
    events = await _talk(
        zone_stack, [_pcm("wake_set_temperature_piper"), "reply", late, spoken["woken_passenger"], "reply"]
    )
    assert _turn_types(events, 1)[0] == "wake"
    assert _final(events, 1)["text"] == "and the passenger side too"
    assert _intent(events, 1) == ("climate.set_temperature", {"celsius": 21, "zone": "passenger"})
    assert _actions(events, 1) == PASSENGER_ACTION
    assert zone_stack.parts.service.vehicle_state()[vss.PASSENGER_TEMPERATURE] == 21.0


@pytest.mark.model  # the real voice models: not in make check
async def test_an_unsure_spoken_follow_up_is_read_back_and_acts_on_a_spoken_yes(
    readback_stack: Stack, spoken: dict[str, bytes]
) -> None:
    yes = spoken["yes"]
    steps: list[bytes | str] = [_pcm("wake_set_temperature_piper"), "reply", yes, "reply"]  # 21, read back
    events = await _talk(readback_stack, [*steps, spoken["passenger"], "reply", yes, "reply"])
    assert _turn_types(events, 2)[:3] == ["speech_start", "speech_end", "transcript"]  # in the window
    assert _intent(events, 2) == ("climate.set_temperature", {"celsius": 21, "zone": "passenger"})
    asked = next(e for e in events if e.turn == 2 and e.type is EventType.POLICY)
    assert asked.data["decision"] == "needs_confirmation"
    assert "and the passenger side too" in _reply(events, 2) and _actions(events, 2) == []
    assert _actions(events, 3) == PASSENGER_ACTION  # the spoken yes, without the wake word
    assert readback_stack.parts.service.vehicle_state()[vss.PASSENGER_TEMPERATURE] == 21.0

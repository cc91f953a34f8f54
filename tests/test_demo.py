"""``make demo``: the spoken drive over gRPC moves the car, and the language model answers.

The recordings stream as fast as the service takes them (the real-time pacing is covered by
tests/test_e2e_voice.py); everything else is the demo as ``make demo`` runs it."""

from __future__ import annotations

import asyncio
import io
import re

import pytest

from cockpit import demo

pytestmark = pytest.mark.slow


def test_recordings_are_the_ones_listed() -> None:
    turns = demo.spoken_turns()
    assert [t.text for t in turns] == [
        "Hey Jarvis. Set the temperature to twenty one degrees.",
        "Hey Jarvis. Navigate to Shenzhen.",
        "Hey Jarvis. Play some jazz.",
        "Hey Jarvis. Who wrote the play Hamlet?",
    ]


def test_the_spoken_and_typed_drive() -> None:
    out = io.StringIO()
    status = asyncio.run(demo.run(demo.spoken_turns(), ("turn it up", "open the trunk"), 0.0, realtime=False, out=out))
    text = out.getvalue()
    assert status == 0, text
    spoken, typed = text.split("== typed", 1)
    assert spoken.count("(wake word hey_jarvis") == 4, text
    assert "intent climate.set_temperature celsius=21" in spoken
    assert re.search(r"can> 0x3A0 HVAC_CMD .*DRIVER_TEMP_REQ=21\b", spoken), spoken
    assert "intent navigation.navigate_to destination=shenzhen" in spoken
    assert "can> 0x3AC NAV_CMD" in spoken and "can< 0x3AD NAV_STATUS" in spoken
    assert "intent media.play query=jazz" in spoken
    jazz = spoken.split("play_jazz.wav", 1)[1].split("who_wrote_hamlet.wav", 1)[0]
    # Read back ("Did you say: play some jazz?") or not, the jazz plays: after a tapped yes if asked.
    assert ("Did you say" in jazz) == ("(the driver taps Yes on the head unit)" in jazz), jazz
    assert "can> 0x3A8 MEDIA_CMD" in jazz, jazz
    hamlet = spoken.split("who_wrote_hamlet.wav", 1)[1]
    assert "Shakespeare" in hamlet and "intent dialogue.chat" in hamlet, hamlet
    assert "→" not in hamlet and "can>" not in hamlet, hamlet  # no action, nothing on the bus
    assert "intent media.adjust_volume delta_percent=10" in typed and "can> 0x3A8 MEDIA_CMD" in typed
    assert "intent unsupported" in typed or "can't" in typed.lower()
    assert "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature = 21" in text.split("final vehicle state")[1]

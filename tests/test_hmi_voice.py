"""Issue 14 acceptance, spoken: Chromium's fake microphone says "Hey Jarvis. Play some jazz." to the page.

The committed demo recording plays through ``--use-file-for-fake-audio-capture`` into
``getUserMedia``; the page's AudioWorklet resamples it to 16 kHz PCM, the bridge streams it to
``Converse``, and the real wake word, endpointer and recogniser hear it. The page must show the
transcript and, once the media ECU confirms, the track playing.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from cockpit import vss as signals
from tests.hmi_support import (  # noqa: F401
    LiveHmi,
    Page,
    bridge,
    chromium,
    fresh_stack,
    live_hmi,
    loopback_unproxied_fixture,
    page,
    text_of,
    vss,
    wait,
)

pytestmark = [pytest.mark.model, pytest.mark.slow]

RECORDING = Path(__file__).resolve().parent.parent / "cockpit" / "demo_audio" / "play_jazz.wav"
"""The committed "Hey Jarvis. Play some jazz." (Piper, 16 kHz mono; script/make_demo_audio.py)."""


def padded(tmp: Path, before_s: float = 1.0, after_s: float = 2.5) -> Path:
    """The recording with silence around it: Chromium loops the file, and the endpointer needs a
    pause after the words to end the utterance."""
    with wave.open(str(RECORDING)) as src:
        rate, frames = src.getframerate(), src.readframes(src.getnframes())
        assert (src.getnchannels(), src.getsampwidth()) == (1, 2)
    out = tmp / "hey_jarvis_play_some_jazz.wav"
    with wave.open(str(out), "wb") as dst:
        dst.setnchannels(1)
        dst.setsampwidth(2)
        dst.setframerate(rate)
        dst.writeframes(b"\0\0" * int(before_s * rate) + frames + b"\0\0" * int(after_s * rate))
    return out


HEARING_S = 180.0
"""Bound on hearing the words: the recording loops (about 7 s a time), and on a starved machine the
browser's audio thread may garble some of its rounds."""
FINAL = '[data-event="transcript"][data-final="true"]'
YES = '[data-event="policy"][data-decision="needs_confirmation"] [data-role="confirm-yes"]:enabled'


def heard_jazz(driver: Any) -> list[Any]:
    """The final transcripts that heard the words (the file loops, so there may be several)."""
    return [e for e in driver.find_elements(By.CSS_SELECTOR, FINAL) if "jazz" in e.text]


def playing_or_answer_yes(driver: Any) -> bool:
    """Whether the media panel shows the music playing. On a loaded machine the audio may reach the
    recogniser rougher and the command be read back ("Did you say ...?"): the driver presses Yes."""
    if text_of(driver, vss(signals.MEDIA_ACTION)) == "PLAY":
        return True
    for yes in driver.find_elements(By.CSS_SELECTOR, YES):
        yes.click()
    return False


def test_spoken_play_some_jazz_through_the_fake_microphone(live: LiveHmi, tmp_path: Path) -> None:
    driver = chromium(fake_audio=padded(tmp_path))
    try:
        driver.get(live.page().url)
        wait(driver, lambda d: text_of(d, vss(signals.MEDIA_ACTION)) not in ("", "–"), "the media state")
        assert text_of(driver, vss(signals.MEDIA_ACTION)) != "PLAY"
        # Always listening: the service's wake word starts each turn.
        driver.find_element(By.CSS_SELECTOR, "[data-role=always]").click()
        wait(driver, heard_jazz, "a final transcript with 'jazz'", HEARING_S)
        assert driver.execute_script("return window.hmi.conversation.partials") > 0, "words shown while spoken"
        confidence = float(heard_jazz(driver)[0].get_attribute("data-confidence"))
        assert 0.0 < confidence <= 1.0
        assert driver.find_elements(By.CSS_SELECTOR, '[data-event="wake"]')
        wait(driver, playing_or_answer_yes, "media playing", HEARING_S)
        assert text_of(driver, vss(signals.MEDIA_TRACK)) not in ("", "–")
        wait(driver, lambda d: d.execute_script("return window.hmi.speaker.played") > 0, "the spoken reply played")
        assert driver.execute_script("return window.hmi.mic.chunks") > 10
        driver.find_element(By.CSS_SELECTOR, "[data-role=always]").click()  # stop listening: the stream ends
        wait(driver, lambda d: not d.execute_script("return window.hmi.listening"), "the microphone off")
        # Push to talk: a short press opens the microphone until the next press.
        sent = driver.execute_script("return window.hmi.mic.chunks")
        driver.find_element(By.CSS_SELECTOR, "[data-role=talk]").click()
        wait(driver, lambda d: d.execute_script("return window.hmi.listening") == "talk", "talking")
        wait(driver, lambda d: d.execute_script("return window.hmi.mic.chunks") > sent + 5, "audio streaming")
        driver.find_element(By.CSS_SELECTOR, "[data-role=talk]").click()
        wait(driver, lambda d: not d.execute_script("return window.hmi.listening"), "the microphone off again")
    finally:
        driver.quit()


async def test_closing_mid_audio_stream_leaves_the_service_alone(fresh: Any) -> None:
    with wave.open(str(RECORDING)) as src:
        audio = src.readframes(src.getnframes())
    async with bridge(fresh.parts.service) as (hmi, http), page(hmi, http) as other:
        async with http.ws_connect(f"ws://127.0.0.1:{hmi.port}/ws?speech=0") as ws:
            p = Page(ws, [])
            await p.until(lambda m: m["type"] == "hmi.hello", "hello")
            await p.send({"type": "listen", "mode": "always"})
            await p.until(lambda m: m["type"] == "hmi.listening" and m["on"], "listening")
            for i in range(0, len(audio) // 2, 2560):  # half the words, then the socket goes away
                await ws.send_bytes(audio[i : i + 2560])
        assert (await other.turn("turn on the a c"))[-1]["type"] == "reply"
        # A whole spoken turn through the bridge still works on the other page.
        await other.send({"type": "listen", "mode": "always"})
        await other.until(lambda m: m["type"] == "hmi.listening" and m["on"], "listening")
        for i in range(0, len(audio), 2560):
            await other.ws.send_bytes(audio[i : i + 2560])
        await other.ws.send_bytes(b"\0\0" * 16000)
        await other.send({"type": "listen_end"})
        final = await other.until(lambda m: m["type"] == "transcript" and bool(m.get("final")), "the transcript")
        assert "jazz" in final["text"]
        reply = await other.until(lambda m: m["type"] == "reply" and m["turn"] == final["turn"], "the reply")
        assert "jazz" in json.dumps(reply).lower()

"""Issue 14 acceptance in a real headless Chromium: the head-unit page as a driver and an engineer use it.

The page's bridge is a gRPC client of a real server (tokens on), in front of the real service and
its simulated car. The tests type into the page and click it, and read what the page shows: the
``data-vss`` elements, the conversation entries (``data-event``) and the bus table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from selenium.webdriver.common.by import By

from cockpit import vss as signals
from cockpit.hmi.web import HmiServer
from cockpit.server.auth import TokenBook
from cockpit.server.runner import CockpitServer, start_server
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.hmi_support import (  # noqa: F401
    HMI_ONLY,
    OTHER,
    PAGE,
    TOKENS,
    DegradedAssistant,
    LiveHmi,
    auth,
    chromium,
    live_hmi,
    loopback_unproxied_fixture,
    text_of,
    vss,
    wait,
)

pytestmark = pytest.mark.slow

NO_SPEECH = "?speech=0"
"""Sessions without spoken replies: no voice model runs in these tests (tests/test_hmi_voice.py has one)."""
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "hmi.png"
"""The README's picture of the page, made by this test run."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(live: LiveHmi, browser: Any) -> Any:
    """The page, loaded once and showing the car."""
    hmi = live.page()
    browser.get(hmi.url + NO_SPEECH)
    wait(browser, lambda d: text_of(d, vss(signals.DRIVER_TEMPERATURE)) not in ("", "–"), "the first vehicle state")
    return browser


def type_turn(driver: Any, text: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, "[data-role=utterance]")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "[data-role=send]").click()


def entries(driver: Any, event: str) -> list[str]:
    return [
        str(e.text) for e in driver.find_elements(By.CSS_SELECTOR, f'[data-role=conversation] [data-event="{event}"]')
    ]


def replies_after(driver: Any, count: int) -> Any:
    return lambda d: len(entries(d, "reply")) > count


def test_typed_turn_shows_the_confirmed_temperature_and_its_frame(page: Any) -> None:
    replies = len(entries(page, "reply"))
    type_turn(page, "set the temperature to 21 degrees")
    wait(page, replies_after(page, replies), "the reply")
    wait(page, lambda d: text_of(d, vss(signals.DRIVER_TEMPERATURE)) == "21", "the driver temperature shows 21")
    assert "21 degrees" in entries(page, "reply")[-1]
    confirmed = page.find_elements(By.CSS_SELECTOR, '[data-event="action"][data-status="confirmed"]')
    assert confirmed and confirmed[-1].get_attribute("data-signal") == signals.DRIVER_TEMPERATURE
    assert entries(page, "intent")[-1].startswith("climate.set_temperature celsius=21")

    # The engineer's view: the command frame of this turn, decoded, with a good CRC.
    page.find_element(By.CSS_SELECTOR, "[data-tab=bus]").click()
    row = '[data-role=frames] tr[data-frame="HVAC_CMD"]'
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, row), "the HVAC_CMD row")
    frame = page.find_element(By.CSS_SELECTOR, row)
    assert "DRIVER_TEMP_REQ=21" in frame.get_attribute("data-signals").split()
    assert (frame.get_attribute("data-crc"), frame.get_attribute("data-counter")) == ("ok", "ok")
    page.find_element(By.CSS_SELECTOR, "[data-tab=car]").click()


def test_a_second_client_changes_the_fan_and_the_page_follows(live: LiveHmi, page: Any) -> None:
    before = text_of(page, vss(signals.DRIVER_FAN_SPEED))
    target = "70" if before != "70" else "40"
    with grpc.insecure_channel(live.target) as channel:
        stub = pb_grpc.CockpitStub(channel)
        request = pb.TextTurnRequest(text=f"set the fan speed to {target} percent")
        events = list(stub.SendText(request, timeout=60, metadata=auth(OTHER)))
    assert any(e.WhichOneof("payload") == "action" and e.action.status == pb.ACTION_STATUS_CONFIRMED for e in events)
    wait(
        page, lambda d: text_of(d, vss(signals.DRIVER_FAN_SPEED)) == target, f"the fan shows {target} without a reload"
    )
    assert page.execute_script("return performance.getEntriesByType('navigation').length") == 1


def test_a_loud_volume_asks_and_yes_carries_it_out(page: Any) -> None:
    type_turn(page, "set the volume to 90 percent")
    yes = '[data-event="policy"][data-decision="needs_confirmation"] [data-role="confirm-yes"]'
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, yes), "the Yes button")
    assert text_of(page, vss(signals.MEDIA_VOLUME)) != "90", "nothing changes before the yes"
    page.find_elements(By.CSS_SELECTOR, yes)[-1].click()
    wait(page, lambda d: text_of(d, vss(signals.MEDIA_VOLUME)) == "90", "the volume shows 90 after yes")


def test_a_refusal_shows_its_reason(page: Any) -> None:
    type_turn(page, "set the temperature to 95 degrees")
    refused = '[data-event="policy"][data-decision="refused"]'
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, refused), "the refusal")
    assert "between 16 and 30" in page.find_elements(By.CSS_SELECTOR, refused)[-1].text
    assert text_of(page, vss(signals.DRIVER_TEMPERATURE)) != "95"


def test_bad_input_through_the_bridge_shows_an_error_and_the_page_goes_on(live: LiveHmi, page: Any) -> None:
    errors = len(entries(page, "error"))
    page.execute_script("window.hmi.ws.send('{not json')")
    wait(
        page, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-event="error"][data-code="bad-message"]'), "bad-message"
    )
    page.execute_script("window.hmi.ws.send(new Uint8Array(64000))")
    big = '[data-event="error"][data-code="audio-chunk-too-large"]'
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, big), "audio-chunk-too-large")
    assert len(entries(page, "error")) == errors + 2
    # Same socket, same session: the next turn still works.
    replies = len(entries(page, "reply"))
    type_turn(page, "turn on the a c")
    wait(page, replies_after(page, replies), "the next reply")
    wait(page, lambda d: text_of(d, vss(signals.AC_ACTIVE)) == "on", "A/C on")


def test_a_lost_connection_shows_a_banner_and_reconnects(live: LiveHmi, page: Any) -> None:
    shown = page.execute_script("return window.hmi.banners.length")
    live.run(live.pages[0].drop_clients())
    # The banner may already be gone again when a busy machine lets the test look: the page keeps
    # what it showed.
    wait(page, lambda d: d.execute_script("return window.hmi.banners.length") > shown, "the banner")
    assert "lost" in page.execute_script("return window.hmi.banners[window.hmi.banners.length - 1]")
    wait(page, lambda d: not d.find_element(By.CSS_SELECTOR, "[data-role=banner]").is_displayed(), "reconnected")
    wait(page, lambda d: text_of(d, "[data-role=connection]") == "connected", "connected again")
    replies = len(entries(page, "reply"))
    type_turn(page, "turn off the a c")  # a new socket, a new session: turns work again
    wait(page, replies_after(page, replies), "a reply after reconnecting")


def test_a_token_without_bench_scope_has_no_bus_view(live: LiveHmi, browser: Any) -> None:
    hmi = live.page(HMI_ONLY)
    browser.get(hmi.url + NO_SPEECH)
    wait(browser, lambda d: text_of(d, "[data-role=connection]") == "connected", "connected")
    wait(browser, lambda d: text_of(d, vss(signals.DRIVER_TEMPERATURE)) not in ("", "–"), "the state")
    assert not browser.find_element(By.CSS_SELECTOR, "[data-role=bus-tab]").is_displayed()
    browser.get(live.pages[0].url + NO_SPEECH)  # back to the full head unit for the screenshot
    wait(browser, lambda d: text_of(d, vss(signals.DRIVER_TEMPERATURE)) not in ("", "–"), "the state")


def test_screenshot_of_a_drive(page: Any) -> None:
    for text in (
        "navigate to guangzhou",
        "play some jazz",
        "set the driver seat heating to level 2",
        "set the temperature to 21 degrees",
    ):
        replies = len(entries(page, "reply"))
        type_turn(page, text)
        wait(page, replies_after(page, replies), f"the reply to {text!r}")
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-role=map-destination]"), "the destination on the map")
    assert text_of(page, "[data-role=destination]") == "Guangzhou"
    wait(page, lambda d: text_of(d, vss(signals.MEDIA_ACTION)) == "PLAY", "media playing")
    wait(page, lambda d: text_of(d, vss(signals.DRIVER_SEAT_HEATING)) == "67", "the seat heating confirmed")
    assert text_of(page, f'[data-level-of="{signals.DRIVER_SEAT_HEATING}"]') == "level 2"
    assert page.execute_script("return [innerWidth, innerHeight]") == [1280, 720]
    page.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


RESAMPLE = """
const [freq, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const ctx = new OfflineAudioContext(1, 48000, 48000);  // one second at 48 kHz, as a microphone gives
  await ctx.audioWorklet.addModule("/static/resampler.js");
  const node = new AudioWorkletNode(ctx, "resampler", { processorOptions: { targetRate: 16000, chunkSamples: 1600 } });
  const chunks = [];
  node.port.onmessage = (m) => chunks.push(Array.from(new Int16Array(m.data)));
  const tone = ctx.createOscillator();
  tone.frequency.value = freq;
  const gain = ctx.createGain();
  gain.gain.value = 0.5;
  tone.connect(gain).connect(node).connect(ctx.destination);
  tone.start();
  await ctx.startRendering();
  await new Promise((r) => setTimeout(r, 300));
  done(chunks);
})().catch((e) => done(String(e)));
"""


def test_the_audio_worklet_resamples_to_16_khz_without_aliasing(page: Any) -> None:
    import numpy as np

    def resampled(freq: float) -> Any:
        chunks = page.execute_async_script(RESAMPLE, freq)
        assert isinstance(chunks, list), chunks
        assert chunks and all(len(c) == 1600 for c in chunks), "100 ms chunks of 16 kHz samples"
        return np.concatenate([np.asarray(c, dtype=np.float64) for c in chunks])[800:]  # past the filter's start

    speech_band = resampled(1000.0)
    spectrum = np.abs(np.fft.rfft(speech_band * np.hanning(len(speech_band))))
    peak_hz = np.argmax(spectrum) * 16000 / len(speech_band)
    assert abs(peak_hz - 1000) < 20, peak_hz
    rms = float(np.sqrt(np.mean(speech_band**2)))
    assert 0.8 < rms / (0.5 * 32767 / np.sqrt(2)) < 1.1, "the level is kept"
    above_nyquist = resampled(12000.0)  # would alias to 4 kHz without the low-pass
    assert float(np.sqrt(np.mean(above_nyquist**2))) < 0.05 * rms


async def open_gate(fake: DegradedAssistant) -> None:
    fake.gate.set()


def test_degraded_dialogue_shows_a_badge(live: LiveHmi, browser: Any) -> None:
    fake = DegradedAssistant()

    async def start() -> tuple[CockpitServer, HmiServer]:
        server, _ = await start_server(fake, "127.0.0.1", 0, tokens=TokenBook.from_toml(TOKENS))
        hmi = HmiServer(server.target, PAGE, 0)
        await hmi.start()
        return server, hmi

    async def stop(server: CockpitServer, hmi: HmiServer) -> None:
        await hmi.stop()
        await server.stop(1.0)

    server, hmi = live.run(start())
    try:
        browser.get(hmi.url + NO_SPEECH)
        wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "[data-role=degraded]").is_displayed(), "the badge")
        assert not browser.find_element(By.CSS_SELECTOR, "[data-role=voice-down]").is_displayed()
        # The fake's "stream" turn sends one token, then waits for its gate: the page shows the token
        # while the answer is still being written.
        replies = len(entries(browser, "reply"))
        type_turn(browser, "stream")
        wait(browser, lambda d: entries(d, "llm_token") and entries(d, "llm_token")[-1] == "Hello", "the first token")
        assert len(entries(browser, "reply")) == replies
        live.run(open_gate(fake))
        wait(browser, replies_after(browser, replies), "the reply")
        assert entries(browser, "llm_token")[-1] == "Hello, driver."
    finally:
        browser.get(live.pages[0].url + NO_SPEECH)
        live.run(stop(server, hmi))
    wait(browser, lambda d: text_of(d, "[data-role=connection]") == "connected", "back on the healthy service")
    assert not browser.find_element(By.CSS_SELECTOR, "[data-role=degraded]").is_displayed()


BARGE_IN = """
const hmi = window.hmi;
const tone = new Int16Array(22050 * 2);  // two seconds at 22.05 kHz
for (let i = 0; i < tone.length; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 22050));
const bytes = new Uint8Array(tone.buffer);
let text = "";
for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
const pcm = btoa(text);
const chunk = (turn, seq) =>
  ({ type: "tts_audio", turn, t_ms: 1.0, pcm_b64: pcm, sample_rate: 22050, seq, last: false });
const seen = [];
const before = hmi.speaker.played;
hmi.dispatch(chunk(90, 0));
seen.push(hmi.speaker.played - before, hmi.speaker.sources.size);
hmi.dispatch({ type: "wake", turn: 91, t_ms: 0.0, model: "hey_jarvis_v0.1", score: 0.9 });
seen.push(hmi.speaker.sources.size);
hmi.dispatch(chunk(90, 1));  // the rest of the interrupted reply
seen.push(hmi.speaker.played - before);
hmi.dispatch(chunk(92, 0));  // the next reply plays again
seen.push(hmi.speaker.played - before);
hmi.speaker.stop();
return seen;
"""


def test_barge_in_stops_the_spoken_reply(page: Any) -> None:
    played, playing, after_wake, rest, next_reply = page.execute_script(BARGE_IN)
    assert (played, playing) == (1, 1), "the reply's first chunk is playing"
    assert after_wake == 0, "the wake word stopped it at once"
    assert rest == 1, "the rest of that reply is dropped"
    assert next_reply == 2, "the next reply is heard"


def test_fault_buttons_break_the_car_and_clear_it(page: Any) -> None:
    page.find_element(By.CSS_SELECTOR, "[data-tab=bus]").click()
    page.find_element(By.CSS_SELECTOR, '[data-fault="reject_commands"]').click()
    wait(page, lambda d: text_of(d, "[data-role=faults]").startswith("active:"), "the fault listed")
    try:
        type_turn(page, "set the temperature to 26 degrees")
        rejected = '[data-event="action"][data-status="rejected"]'
        wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, rejected), "the rejected write")
        assert text_of(page, vss(signals.DRIVER_TEMPERATURE)) != "26", "a refused write changes nothing shown"
    finally:
        page.find_element(By.CSS_SELECTOR, "[data-role=clear-faults]").click()
    wait(page, lambda d: text_of(d, "[data-role=faults]") == "no faults", "the faults cleared")
    page.find_element(By.CSS_SELECTOR, "[data-tab=car]").click()


def test_a_refused_microphone_says_so(live: LiveHmi) -> None:
    driver = chromium(deny_mic=True)
    try:
        driver.get(live.pages[0].url + NO_SPEECH)
        wait(driver, lambda d: text_of(d, "[data-role=connection]") == "connected", "connected")
        driver.find_element(By.CSS_SELECTOR, "[data-role=talk]").click()
        wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "[data-role=mic-error]").is_displayed(), "the message")
        assert "refused" in text_of(driver, "[data-role=mic-error]")
    finally:
        driver.quit()

"""``cockpit listen``: WAV files through a fake service (fast), then through the real one.

The fake hears a WAV file by its samples: silence is no wake word; a file whose first non-zero
sample is ``k`` is the wake word followed by ``SPOKEN[k]``, whose turn the fake scripts as
``cockpit ask`` does (``set 21``: the golden climate turn; ``fail``: an ``error`` event). The
real tests run the real voice models on the spoken fixtures and are skipped without them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cockpit.audio import FRAME_BYTES, write_wav
from cockpit.audio.format import AudioFormat
from cockpit.cli.main import main
from cockpit.events import EventSink, EventType, SpeechEnd, SpeechStart, Transcript, Wake
from cockpit.service_api import AudioStream
from cockpit.testing import FakeAssistant
from models.store import ModelStore, default_cache_dir
from tests.conftest import assert_set_temperature_turn

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "audio"
SPOKEN = {1: "set 21", 2: "fail", 3: "hello"}
"""What the fake hears in a file, by the value of its first non-zero sample (``hello`` if another)."""
VOICE_MODELS = ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us")
"""What the real tests need installed."""


# -- a fake service that hears ----------------------------------------------------------------------


@dataclass
class _FakeStream(AudioStream):
    """One audio stream of :class:`_FakeEar`; the turn is heard when the audio ends."""

    service: FakeAssistant
    session_id: str
    sink: EventSink
    fmt: AudioFormat
    chunks: list[tuple[float, int]] = field(default_factory=list)
    """(monotonic time, bytes) of every chunk fed."""
    pcm: bytearray = field(default_factory=bytearray)
    closed: bool = False

    async def feed(self, pcm: bytes) -> None:
        self.chunks.append((time.monotonic(), len(pcm)))
        self.pcm += pcm

    async def idle(self) -> None:
        return None

    async def finish(self) -> None:
        samples = np.frombuffer(bytes(self.pcm), dtype="<i2")
        loud = samples[samples != 0]
        if not loud.size:
            return  # no wake word: no event
        text = SPOKEN.get(int(loud[0]), "hello")
        emit = self.service.emitter(self.service.sessions[self.session_id], self.sink)
        emit(Wake("hey_jarvis_v0.1", 0.99))
        emit(SpeechStart())
        emit(Transcript(text[:3], final=False))
        emit(SpeechEnd())
        emit(Transcript(text, final=True))
        await self.service._script(text, emit)

    async def aclose(self) -> None:
        self.closed = True


@dataclass
class _FakeEar(FakeAssistant):
    """:class:`FakeAssistant` with a voice front end that hears files as the module docstring says."""

    streams: list[_FakeStream] = field(default_factory=list)

    async def open_audio(self, session_id: str, fmt: AudioFormat, sink: EventSink, wake: bool = True) -> AudioStream:
        assert session_id in self.sessions
        stream = _FakeStream(self, session_id, sink, fmt)
        self.streams.append(stream)
        return stream


def _wav(path: Path, value: int, seconds: float = 0.5, rate: int = 16_000) -> Path:
    samples = np.zeros(int(seconds * rate), dtype=np.int16)
    samples[len(samples) // 4 :] = value
    write_wav(path, samples, rate)
    return path


def _lines(text: str) -> list[dict[str, Any]]:
    objs = [json.loads(line) for line in text.splitlines()]
    for obj in objs:  # the contract: type, turn, t_ms first, then the type's fields
        assert list(obj)[:3] == ["type", "turn", "t_ms"]
        assert obj["type"] in {t.value for t in EventType}
    return objs


def _listen(fake: FakeAssistant, *argv: str) -> int:
    return main(["listen", *argv], service_factory=lambda _settings: fake)


# -- WAV files, fake service ------------------------------------------------------------------------


def test_each_wav_is_a_session_and_its_events_carry_its_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = _FakeEar()
    files = [_wav(tmp_path / "a.wav", 1), _wav(tmp_path / "quiet.wav", 0), _wav(tmp_path / "c.wav", 3)]
    assert _listen(fake, "--json", "--wav", *map(str, files)) == 0
    out = capsys.readouterr().out
    objs = _lines(out)
    golden = ["wake", "speech_start", "transcript", "speech_end", "transcript"]
    assert [(o["turn"], o["type"]) for o in objs] == [(0, t) for t in golden] + [
        (0, t) for t in ("intent", "policy", "action", "action", "state", "reply")
    ] + [(2, t) for t in golden] + [(2, "intent"), (2, "reply")]
    # Exactly what the service reported, renumbered: every file ran in a fresh session counting from 0.
    turns = [o["turn"] for o in objs]
    assert out.splitlines() == [replace(e, turn=t).to_json() for e, t in zip(fake.emitted, turns, strict=True)]
    assert len(fake.streams) == 3 and len({s.session_id for s in fake.streams}) == 3
    assert all(s.closed for s in fake.streams) and fake.sessions == {} and fake.closed
    # 80 ms chunks of 16 kHz mono, the last one whatever is left.
    sizes = [n for _, n in fake.streams[0].chunks]
    assert sizes[:-1] == [FRAME_BYTES] * (len(sizes) - 1) and 0 < sizes[-1] <= FRAME_BYTES
    assert sum(sizes) == 8000 * 2
    assert fake.streams[0].fmt == AudioFormat(16_000, 1, 2)


def test_readable_output_names_each_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [_wav(tmp_path / "set.wav", 1), _wav(tmp_path / "quiet.wav", 0)]
    assert _listen(_FakeEar(), "--wav", *map(str, files)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"[0] {files[0]}\n(wake word hey_jarvis_v0.1, score 0.99)\n(listening)\n(end of speech)\n")
    assert "heard> set 21\n" in out and "heard> set\n" not in out  # finals only
    assert "intent climate.set_temperature celsius=21.0 zone=driver\n" in out
    assert "✓ Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature confirmed (" in out
    assert "car> Driver temperature set to 21 degrees.\n" in out
    assert out.endswith(f"\n\n[1] {files[1]}\n(no wake word heard)\n")
    assert "{" not in out


def test_an_unreadable_file_is_named_and_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    missing = tmp_path / "missing.wav"
    deep = tmp_path / "deep.wav"
    with wave.open(str(deep), "wb") as wav:  # 24-bit PCM: readable, but not a format cockpit takes
        wav.setnchannels(1)
        wav.setsampwidth(3)
        wav.setframerate(16_000)
        wav.writeframes(bytes(3 * 1600))
    good = _wav(tmp_path / "good.wav", 3)
    fake = _FakeEar()
    assert _listen(fake, "--json", "--wav", str(bad), str(good), str(missing), str(deep)) == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert err[0].startswith(f"cockpit: file 0 ({bad}): audio-unreadable: {bad} is not a readable PCM WAV file")
    assert err[1].startswith(f"cockpit: file 2 ({missing}): audio-unreadable: ")
    assert err[2].startswith(f"cockpit: file 3 ({deep}): audio-format-unsupported: 24-bit samples")
    assert len(err) == 3
    assert {o["turn"] for o in _lines(captured.out)} == {1}  # the good file still ran, as turn 1
    assert len(fake.streams) == 1 and fake.sessions == {}


def test_other_rates_and_stereo_are_resampled_to_16khz_mono(tmp_path: Path) -> None:
    stereo = tmp_path / "cd.wav"
    with wave.open(str(stereo), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44_100)
        wav.writeframes(np.full(2 * 44_100, 1000, dtype="<i2").tobytes())  # one second
    fake = _FakeEar()
    assert _listen(fake, "--json", "--wav", str(stereo)) == 0
    assert sum(n for _, n in fake.streams[0].chunks) == 16_000 * 2


def test_an_error_event_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [_wav(tmp_path / "fail.wav", 2), _wav(tmp_path / "set.wav", 1)]
    assert _listen(_FakeEar(), "--json", "--wav", *map(str, files)) == 1
    captured = capsys.readouterr()
    assert f"cockpit: file 0 ({files[0]}) failed: skill-failed: the climate skill failed" in captured.err
    replies = [o["turn"] for o in _lines(captured.out) if o["type"] == "reply"]
    assert replies == [0, 1]


def test_realtime_paces_the_chunks(tmp_path: Path) -> None:
    wav = _wav(tmp_path / "set.wav", 1, seconds=0.8)  # ten chunks
    fast, paced = _FakeEar(), _FakeEar()
    assert _listen(fast, "--json", "--wav", str(wav)) == 0
    assert _listen(paced, "--json", "--realtime", "--wav", str(wav)) == 0
    fast_times = [t for t, _ in fast.streams[0].chunks]
    paced_times = [t for t, _ in paced.streams[0].chunks]
    assert fast_times[-1] - fast_times[0] < 0.2
    assert paced_times[-1] - paced_times[0] >= 9 * 0.08 - 0.02


def test_a_service_without_voice_is_a_clear_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _listen(FakeAssistant(), "--wav", str(_wav(tmp_path / "a.wav", 1))) == 1
    assert "cockpit: voice-disabled: this service has no voice front end" in capsys.readouterr().err


def test_no_pyaudio_is_mic_unavailable(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from cockpit.audio import mic

    monkeypatch.setattr(mic, "pyaudio", None)  # as on a machine without the [mic] extra
    fake = _FakeEar()
    assert _listen(fake, "--json", "--mic", "--seconds", "1") == 1
    captured = capsys.readouterr()
    assert "cockpit: mic-unavailable: the microphone needs PyAudio" in captured.err
    assert captured.out == ""
    assert all(s.closed for s in fake.streams) and fake.sessions == {}


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = str(_wav(tmp_path / "a.wav", 1))
    assert main(["listen"]) == 2
    assert main(["listen", "--json"]) == 2
    assert main(["listen", "--mic", "--wav", wav]) == 2
    assert _listen(_FakeEar(), "--wav", wav, "--seconds", "3") == 2
    assert _listen(_FakeEar(), "--mic", "--seconds", "0") == 2
    err = capsys.readouterr().err
    assert "one of the arguments --wav --mic is required" in err
    assert "--seconds applies to --mic only" in err
    assert "--seconds must be a positive number" in err


# -- the real service and voice models --------------------------------------------------------------


@pytest.fixture(scope="module")
def voice_models() -> None:
    """Skip unless the voice models are installed (tests never download them)."""
    store = ModelStore()
    missing = [n for n in VOICE_MODELS if not store.verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing} (run: cockpit models pull)")


def listen_config(directory: Path, channel: str) -> Path:
    """Settings for a real ``cockpit listen``: no language model (slow to load), a private CAN
    channel, and the model cache named outright (so it is found even when HOME is changed)."""
    config = directory / "cockpit.toml"
    cache = json.dumps(str(default_cache_dir()))  # a TOML basic string
    config.write_text(f'[can]\nchannel = "{channel}"\n[llm]\nenabled = false\n[models]\ncache_dir = {cache}\n')
    return config


@pytest.fixture
def _no_model_dir_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # load_settings reads every COCKPIT_* variable as a setting; the cache is in the config instead.
    monkeypatch.delenv("COCKPIT_MODEL_DIR", raising=False)
    yield


@pytest.mark.slow
@pytest.mark.usefixtures("voice_models", "_no_model_dir_env")
def test_spoken_wavs_give_their_turns_with_the_file_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = ["wake_set_temperature_piper", "nowake_set_temperature_piper", "wake_ac_on_runon_piper"]
    config = listen_config(tmp_path, "cli-listen-wavs")
    argv = ["listen", "--json", "--config", str(config), "--wav", *(str(FIXTURES / f"{n}.wav") for n in names)]
    assert main(argv) == 0
    events = _lines(capsys.readouterr().out)
    assert {e["turn"] for e in events} == {0, 2}  # the file without a wake word gives nothing
    assert_set_temperature_turn(events, 0)
    partials = [e["text"] for e in events if e["type"] == "transcript" and not e["final"]]
    assert partials and all("jarvis" not in p for p in partials)
    later = [e for e in events if e["turn"] == 2]
    assert [e["type"] for e in later][:2] == ["wake", "speech_start"]
    intent = next(e for e in later if e["type"] == "intent")
    assert (intent["intent"], intent["slots"]) == ("climate.set_ac", {"on": True})
    # Heard below voice.confirm_below (the free decoder agrees on only some of the words), so it
    # is read back, and with no "yes" nothing moves.
    assert [e["decision"] for e in later if e["type"] == "policy"] == ["needs_confirmation"]
    assert [e for e in later if e["type"] == "action"] == []
    assert later[-1]["type"] == "reply" and later[-1]["text"] == "Did you say: turn on the air conditioning?"


@pytest.mark.slow
@pytest.mark.usefixtures("voice_models", "_no_model_dir_env")
def test_listen_through_a_server_gives_the_same_turns_as_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["wake_set_temperature_piper", "nowake_set_temperature_piper"]
    wavs = [str(FIXTURES / f"{n}.wav") for n in names]
    config = listen_config(tmp_path, "cli-listen-server")
    server = subprocess.Popen(
        [sys.executable, "-m", "cockpit", "serve", "--port", "0", "--insecure", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        started = re.search(r"serving on (\S+)", server.stdout.readline())
        assert started, "cockpit serve did not start"
        assert main(["listen", "--json", "--server", started.group(1), "--wav", *wavs]) == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
    events = _lines(capsys.readouterr().out)
    assert {e["turn"] for e in events} == {0}  # the file without a wake word gives nothing, over gRPC too
    assert_set_temperature_turn(events, 0)
    assert main(["listen", "--json", "--speed", "0", "--server", "127.0.0.1:1", "--wav", *wavs]) == 2
    assert "--speed" in capsys.readouterr().err

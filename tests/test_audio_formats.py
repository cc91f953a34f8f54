"""Audio formats, resampling, framing and WAV files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.audio import FRAME_SAMPLES, AudioFormat, AudioIngest, FrameAssembler, read_wav, resample, wav_frames
from cockpit.audio.filters import HighPass
from cockpit.audio.format import AudioChunkTooLarge, BadAudioError
from cockpit.audio.resample import StreamResampler
from cockpit.audio.wav import write_wav
from cockpit.errors import InputError, ResourceExhaustedError

FIXTURES = Path(__file__).parent / "fixtures" / "audio"


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 24000, 44100, 48000])
def test_resampler_matches_scipy_resample_poly(rate: int) -> None:
    signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(rate).normal(size=rate // 2) * 3000
    g = np.gcd(rate, 16000)
    expected = signal.resample_poly(x, 16000 // g, rate // g)
    got = resample(x, rate)
    assert len(got) == len(expected)
    assert np.abs(got - expected).max() < 1e-6


@settings(max_examples=40, deadline=None)
@given(rate=st.sampled_from([8000, 22050, 44100, 48000]), cuts=st.lists(st.integers(1, 3000), min_size=1, max_size=12))
def test_streaming_resampling_does_not_depend_on_chunking(rate: int, cuts: list[int]) -> None:
    x = np.random.default_rng(0).normal(size=sum(cuts)) * 1000
    stream = StreamResampler(rate)
    parts, at = [], 0
    for n in cuts:
        parts.append(stream.process(x[at : at + n]))
        at += n
    parts.append(stream.flush())
    np.testing.assert_allclose(np.concatenate(parts), resample(x, rate), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(0, 5000), max_size=10))
def test_frames_are_whole_and_in_order(sizes: list[int]) -> None:
    total = sum(sizes)
    x = (np.arange(total) % 30000).astype(np.int16)
    framer, out, at = FrameAssembler(), [], 0
    for n in sizes:
        out += framer.push(x[at : at + n])
        at += n
        assert framer.pending < FRAME_SAMPLES
    out += framer.flush()
    assert all(len(f) == FRAME_SAMPLES for f in out)
    joined = np.concatenate(out) if out else np.zeros(0, np.int16)
    assert len(joined) == -(-total // FRAME_SAMPLES) * FRAME_SAMPLES
    np.testing.assert_array_equal(joined[:total], x)
    assert not joined[total:].any()


def test_bad_chunks_get_documented_errors() -> None:
    ingest = AudioIngest()
    with pytest.raises(BadAudioError) as odd:
        ingest.push(b"\x00\x01\x02")
    assert odd.value.code == "audio-odd-bytes" and isinstance(odd.value, InputError)
    with pytest.raises(AudioChunkTooLarge) as big:
        ingest.push(bytes(10 * 1024 * 1024))
    assert big.value.code == "audio-chunk-too-large" and isinstance(big.value, ResourceExhaustedError)
    assert ingest.push(b"") == []
    assert len(ingest.push(bytes(2 * FRAME_SAMPLES))) == 1  # still healthy after the refusals


@pytest.mark.parametrize("fmt", [AudioFormat(12345), AudioFormat(16000, 3), AudioFormat(16000, 1, 4)])
def test_unsupported_formats_are_refused(fmt: AudioFormat) -> None:
    with pytest.raises(BadAudioError) as err:
        AudioIngest(fmt)
    assert err.value.code == "audio-format-unsupported"


def test_stereo_48k_becomes_16k_mono() -> None:
    t = np.arange(48000) / 48000
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    stereo = np.stack([tone, tone], axis=1).reshape(-1).astype("<i2").tobytes()
    ingest = AudioIngest(AudioFormat(48000, 2))
    frames = []
    for i in range(0, len(stereo), 4 * 3840):
        frames += ingest.push(stereo[i : i + 4 * 3840])
    frames += ingest.flush()
    out = np.concatenate(frames)[:16000].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(int(np.argmax(spectrum)) - 440) <= 1


def test_wav_round_trip_and_resampled_read(tmp_path: Path) -> None:
    x = (np.sin(np.arange(22050) / 10) * 5000).astype(np.int16)
    write_wav(tmp_path / "a.wav", x, 22050)
    y = read_wav(tmp_path / "a.wav")
    assert len(y) == 16000
    assert sum(1 for _ in wav_frames(tmp_path / "a.wav")) == -(-16000 // FRAME_SAMPLES)
    (tmp_path / "bad.wav").write_bytes(b"not a wav")
    with pytest.raises(BadAudioError):
        read_wav(tmp_path / "bad.wav")


def test_committed_fixtures_are_16k_mono_and_small() -> None:
    wavs = sorted(FIXTURES.glob("*.wav"))
    assert len(wavs) >= 10
    assert sum(p.stat().st_size for p in wavs) < 4_000_000
    for path in wavs:
        import wave

        with wave.open(str(path)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)


def test_high_pass_removes_hum_keeps_speech_band() -> None:
    t = np.arange(16000) / 16000
    hum = (5000 * np.sin(2 * np.pi * 50 * t)).astype(np.int16)
    voice = (5000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    hp = HighPass()
    assert np.abs(hp.process(hum)[2000:]).max() < 300
    hp.reset()
    assert np.abs(hp.process(voice)[2000:]).max() > 4500

"""The microphone path for real: PyAudio -> PortAudio -> ALSA, whose default capture device is
ALSA's ``file`` plugin playing the WAV fixture. It must give the same events as the WAV test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.audio import read_wav
from models.store import default_cache_dir

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "audio" / "wake_set_temperature_piper.wav"

LISTEN = """
import asyncio, json, sys
from cockpit.audio.mic import MicrophoneSource
from cockpit.events import EventRecorder
from cockpit.settings import VoiceSettings
from cockpit.voice.factory import VoiceStack, command_grammars
from models.store import ModelStore

async def main():
    stack = VoiceStack(ModelStore(), VoiceSettings(), command_grammars())
    recorder = EventRecorder()
    front = stack.front_end(recorder)
    with MicrophoneSource() as mic:
        for frame in mic.frames(int(sys.argv[1])):
            front.feed_frame(frame)
    front.flush()
    print(json.dumps([e.to_dict() for e in recorder.events]))

asyncio.run(main())
"""

ASOUNDRC = """pcm.!default {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{infile}"
    format "raw"
}}
"""


def test_microphone_through_alsa_file_plugin_gives_the_wav_events(tmp_path: Path) -> None:
    pytest.importorskip("pyaudio")
    audio = read_wav(FIXTURE)
    raw = tmp_path / "mic.raw"
    audio.astype("<i2").tofile(raw)
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(infile=raw))
    # ALSA reads ~/.asoundrc: point HOME at ours, and the model cache at the real one.
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "COCKPIT_MODEL_DIR": str(default_cache_dir())}
    frames = len(audio) // 1280
    result = subprocess.run(
        [sys.executable, "-c", LISTEN, str(frames)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    events = json.loads(result.stdout.strip().splitlines()[-1])
    finals = [e for e in events if e["type"] != "transcript" or e["final"]]
    assert [e["type"] for e in finals] == ["wake", "speech_start", "speech_end", "transcript"]
    assert finals[-1]["text"] == "set the temperature to twenty one degrees"

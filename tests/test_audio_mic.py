"""The microphone path for real: ``cockpit listen --mic`` reads PyAudio -> PortAudio -> ALSA, whose
default capture device is ALSA's ``file`` plugin playing the WAV fixture. It must print the same
events as ``cockpit listen --wav`` on that fixture (only the timings differ)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cockpit.audio import SAMPLE_RATE, read_wav
from tests.conftest import assert_set_temperature_turn
from tests.test_cli_listen import listen_config, voice_models  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "audio" / "wake_set_temperature_piper.wav"
TAIL_S = 1.5
"""Quiet the microphone keeps listening to after the fixture (the file plugin then reads silence)."""
TIMEOUT_S = 120

ASOUNDRC = """pcm.!default {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{infile}"
    format "raw"
}}
"""


def _listen(home: Path, config: Path, *argv: str) -> list[dict[str, Any]]:
    """Run ``cockpit listen --json`` in a fresh process; its event lines."""
    # ALSA reads ~/.asoundrc, so HOME is ours; COCKPIT_* variables would be read as settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "cockpit.cli.main", "listen", "--json", "--config", str(config), *argv]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def _without_time(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "t_ms"} for e in events]


@pytest.mark.slow
@pytest.mark.usefixtures("voice_models")
def test_microphone_through_alsa_file_plugin_gives_the_wav_events(tmp_path: Path) -> None:
    pytest.importorskip("pyaudio")
    audio = read_wav(FIXTURE)
    raw = tmp_path / "mic.raw"
    audio.astype("<i2").tofile(raw)
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(infile=raw))
    seconds = math.ceil(len(audio) / SAMPLE_RATE + TAIL_S)

    heard = _listen(tmp_path, listen_config(tmp_path, "mic-test"), "--mic", "--seconds", str(seconds))
    played = _listen(tmp_path, listen_config(tmp_path, "wav-test"), "--wav", str(FIXTURE))

    assert_set_temperature_turn(heard, 0)
    assert {e["turn"] for e in heard} == {0}
    assert _without_time(heard) == _without_time(played)

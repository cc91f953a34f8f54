"""Issue 11, item 5: the same audio gives the same transcript, whatever was decoded before it.

PocketSphinx keeps a live cepstral mean and a noise estimate from one utterance to the next,
and recognisers are pooled across streams, so a file used to be heard differently depending on
what the pooled decoder had heard before (and so differently by ``cockpit listen`` and by
``Converse``). Here the same spoken fixtures are decoded in two orders by one recogniser, and
through both audio paths (``cockpit listen`` in-process, and a gRPC ``Converse`` stream per file
on a running server, in the opposite order): every file must give the same transcript.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from cockpit.audio import FRAME_BYTES, read_wav, wav_frames
from cockpit.cli.main import main
from cockpit.server import start_server
from cockpit.server.convert import proto_to_dict
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from models.store import ModelStore, default_cache_dir
from tests.conftest import close_stack, make_stack
from tests.support import english_hybrid

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "audio"
SPOKEN = (
    "wake_set_temperature_piper",
    "wake_set_temperature_piper_noisy",
    "wake_ac_on_runon_piper",
    "wake_next_track_espeak_noisy",
)
"""Spoken commands after the wake word: two voices, clean and in cabin noise."""
VOICE_MODELS = ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us")
LINEAR16 = pb.AudioFormat(sample_rate_hz=16000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)


@pytest.fixture(scope="module", autouse=True)
def _voice_models() -> None:
    missing = [n for n in VOICE_MODELS if not ModelStore().verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing} (run: cockpit models pull)")


def _hybrid() -> Any:
    """PocketSphinx with the command grammar in the hybrid recogniser, as the service builds it."""
    return english_hybrid()[1]


@pytest.mark.slow
def test_one_recogniser_hears_each_file_the_same_in_any_order() -> None:
    hybrid = _hybrid()
    frames = {name: list(wav_frames(FIXTURES / f"{name}.wav")) for name in SPOKEN}
    forward = {name: hybrid.decode(frames[name]) for name in SPOKEN}
    backward = {name: hybrid.decode(frames[name]) for name in reversed(SPOKEN)}
    assert {n: t.text for n, t in backward.items()} == {n: t.text for n, t in forward.items()}
    assert {n: t.confidence for n, t in backward.items()} == {n: t.confidence for n, t in forward.items()}
    assert "set the temperature to twenty one degrees" in forward["wake_set_temperature_piper"].text


# -- both audio paths -----------------------------------------------------------------------------


def _finals(events: list[dict[str, Any]]) -> list[str]:
    return [str(e["text"]) for e in events if e["type"] == "transcript" and e["final"]]


def _listen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    """``cockpit listen --json`` on every file (each its own session, one after the other)."""
    config = tmp_path / "cockpit.toml"
    cache = json.dumps(str(default_cache_dir()))
    config.write_text(f'[can]\nchannel = "asr-order-listen"\n[llm]\nenabled = false\n[models]\ncache_dir = {cache}\n')
    argv = ["listen", "--json", "--config", str(config), "--wav", *(str(FIXTURES / f"{n}.wav") for n in SPOKEN)]
    assert main(argv) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return {name: _finals([e for e in events if e["turn"] == i]) for i, name in enumerate(SPOKEN)}


async def _requests(pcm: bytes) -> AsyncIterator[pb.ConverseRequest]:
    yield pb.ConverseRequest(config=pb.ConverseConfig(audio_format=LINEAR16))
    for i in range(0, len(pcm), FRAME_BYTES):
        yield pb.ConverseRequest(audio_chunk=pcm[i : i + FRAME_BYTES])


async def _converse(names: Iterator[str]) -> dict[str, list[str]]:
    """One ``Converse`` stream per file, one after the other, on one running server."""
    stack = make_stack()
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    heard = {}
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)
            for name in names:
                pcm = read_wav(FIXTURES / f"{name}.wav").astype("<i2").tobytes() + bytes(16000)
                events = [proto_to_dict(e) async for e in stub.Converse(_requests(pcm), timeout=60.0)]
                heard[name] = _finals(events)
    finally:
        await server.stop(1.0)
        await close_stack(stack)
    return heard


@pytest.mark.slow
def test_listen_and_converse_hear_each_file_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COCKPIT_MODEL_DIR", raising=False)  # the config names the cache
    listened = _listen(tmp_path, capsys)
    conversed = asyncio.run(_converse(reversed(SPOKEN)))
    assert conversed == listened
    assert all(len(finals) == 1 and finals[0] for finals in listened.values()), listened

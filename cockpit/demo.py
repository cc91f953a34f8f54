"""``make demo``: a drive, spoken and typed, through the real gRPC server and a simulated car.

It starts the cockpit service (wake word, speech recognition, the embedded Qwen model) and its
gRPC server on loopback and drives the simulated car through the ``city`` profile. First it
speaks to the car: each recording in ``cockpit/demo_audio`` ("Hey Jarvis. Set the temperature to
twenty one degrees." ...) streams over the ``Converse`` audio API in real-time 80 ms chunks, as a
head unit's microphone would. Then a head unit sends typed turns over ``SendText``. For every
turn it prints the event stream, the decoded CAN traffic the turn caused (command frames and the
ECU's answer) and the powertrain frames, and at the end the confirmed vehicle state.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit.app import build_parts
from cockpit.audio import SAMPLE_RATE, paced_chunks, read_wav
from cockpit.audio.format import SAMPLE_WIDTH
from cockpit.cli.render import HumanRenderer
from cockpit.errors import ConfigError
from cockpit.events import Event, EventType
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.settings import load_settings
from vehicle_contract.dbc import BYD_DBC, COCKPIT_DBC, DbcCodec

DEMO_AUDIO = Path(__file__).resolve().parent / "demo_audio"
"""The spoken turns: WAVs made by ``script/make_demo_audio.py``, listed in ``demo_audio.json``."""
TRAILING_SILENCE_S = 1.0
"""Silence streamed after each recording, as a microphone keeps sending after the driver stops."""

TYPED = (
    "turn on my seat heater",
    "find a charging station nearby",
    "take me there",
    "turn it up",
    "set the temperature to 95 degrees",
    "open the sunroof halfway",
    "open the trunk",
    "what's my eta",
)
"""The typed part of the drive: more skills, one refused request, the body ECU, one the car cannot do."""


@dataclass(frozen=True)
class SpokenTurn:
    """One recording of the demo."""

    path: Path
    text: str
    """What it says."""


def spoken_turns(directory: Path = DEMO_AUDIO) -> list[SpokenTurn]:
    """The recordings listed in ``demo_audio.json``, each checked against its sha256."""
    listing = json.loads((directory / "demo_audio.json").read_text())
    turns = []
    for item in listing:
        path = directory / item["file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != item["sha256"]:
            raise ConfigError("demo-audio-changed", f"{path} does not match its sha256 in demo_audio.json")
        turns.append(SpokenTurn(path, item["text"]))
    return turns


COMMAND_IDS = {0x3A0: 0x3A1, 0x3A4: 0x3A5, 0x3A8: 0x3A9, 0x3AC: 0x3AD}
"""Cockpit command frame id -> the id of the status frame its ECU answers with."""
HIDDEN = {"CRC", "COUNTER"}


def _fmt(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _signals(decoded: dict[str, Any]) -> str:
    shown = []
    for name, value in decoded.items():
        text = _fmt(value)
        if name in HIDDEN or text == "NO_REQUEST":
            continue
        shown.append(f"{name}={text}")
    return " ".join(shown)


def traffic_lines(tap: BusTap, since: float, codec: DbcCodec) -> list[str]:
    """Each command frame sent since ``since`` and the first status frame answering it."""
    frames = [m for m in tap.frames() if m.timestamp >= since]
    lines = []
    for i, msg in enumerate(frames):
        status_id = COMMAND_IDS.get(msg.arbitration_id)
        if status_id is None:
            continue
        cmd = codec.decode(msg.arbitration_id, bytes(msg.data))
        name = codec.database.get_message_by_frame_id(msg.arbitration_id).name
        lines.append(f"  can> 0x{msg.arbitration_id:03X} {name:<11} {bytes(msg.data).hex(' ')}  {_signals(cmd)}")
        for reply in frames[i + 1 :]:
            if reply.arbitration_id != status_id:
                continue
            status = codec.decode(reply.arbitration_id, bytes(reply.data))
            if status.get("ACK_COUNTER") != cmd.get("COUNTER"):
                continue
            rname = codec.database.get_message_by_frame_id(reply.arbitration_id).name
            lines.append(
                f"  can< 0x{reply.arbitration_id:03X} {rname:<11} {bytes(reply.data).hex(' ')}  {_signals(status)}"
            )
            break
    return lines


def powertrain_line(tap: BusTap, byd: DbcCodec) -> str:
    """The latest BYD powertrain frames, decoded, as the real car sends them."""
    parts = []
    for frame_id in (0x1F0, 0x242):
        frames = tap.frames(frame_id)
        if frames:
            decoded = byd.decode(frame_id, bytes(frames[-1].data))
            name = byd.database.get_message_by_frame_id(frame_id).name
            keep = {k: v for k, v in decoded.items() if k in ("WHEELSPEED_CLEAN", "GEAR", "COUNTER", "CHECKSUM")}
            parts.append(f"0x{frame_id:03X} {name} " + " ".join(f"{k}={_fmt(v)}" for k, v in keep.items()))
    return "  bus: " + " | ".join(parts) if parts else "  bus: (no powertrain frames yet)"


class _Drive:
    """The demo's client side: one session, the renderer, the bus tap and the failures seen."""

    def __init__(self, client: CockpitClient, session: str, tap: BusTap, out: Any) -> None:
        self.client, self.session, self.tap, self.out = client, session, tap, out
        self.renderer = HumanRenderer(out)
        self.codec, self.byd = DbcCodec.load(COCKPIT_DBC), DbcCodec.load(BYD_DBC)
        self.failures: list[str] = []

    async def _show(self, events: AsyncIterator[Event], since: float) -> list[Event]:
        seen = []
        async for event in events:
            self.renderer.event(event)
            seen.append(event)
            if event.type is EventType.ERROR:
                self.failures.append(str(event.data.get("code", "error")))
        await asyncio.sleep(0.05)  # let the ECU's answer reach the tap
        for line in traffic_lines(self.tap, since, self.codec):
            print(line, file=self.out)
        print(powertrain_line(self.tap, self.byd), file=self.out)
        return seen

    async def speak(self, index: int, turn: SpokenTurn, realtime: bool) -> None:
        """Stream one recording over ``Converse``, then a second of silence."""
        samples = await asyncio.to_thread(read_wav, turn.path)
        pcm = samples.astype("<i2").tobytes() + bytes(SAMPLE_WIDTH * int(SAMPLE_RATE * TRAILING_SILENCE_S))
        self.renderer.begin_audio(index, f'{turn.path.name}: "{turn.text}"')
        seen = await self._show(self.client.converse(paced_chunks(pcm, realtime), self.session), time.time())
        heard = any(e.type is EventType.WAKE for e in seen)
        self.renderer.end_audio(heard)
        if not heard:
            self.failures.append(f"no wake word in {turn.path.name}")
        asked = any(e.type is EventType.POLICY and e.data.get("decision") == "needs_confirmation" for e in seen)
        if asked:  # the car read the command back: the driver taps "Yes" on the head unit
            print("(the driver taps Yes on the head unit)", file=self.out)
            await self.type(index, "yes")

    async def type(self, index: int, text: str) -> None:
        """Send one typed turn over ``SendText``."""
        self.renderer.begin(index, text)
        await self._show(self.client.send_text(text, self.session), time.time())
        self.renderer.end()


async def run(
    spoken: Sequence[SpokenTurn], typed: Sequence[str], pace_s: float, realtime: bool = True, out: Any = sys.stdout
) -> int:
    """Run the demo; returns a process exit status (1 if a turn failed or a wake word was missed)."""
    # On a machine that has never run the model, its first warm-up can take a minute: the demo's
    # question waits for it rather than be told to ask again.
    overrides = {"server.port": 0, "can.drive_profile": "city", "can.channel": "demo", "voice.preload": True}
    settings = load_settings(overrides={**overrides, "llm.turn_deadline_s": 180.0})
    parts = build_parts(settings)
    tap = BusTap(BusConfig(settings.can.interface, settings.can.channel))
    server, port = await start_server(parts.service, host="127.0.0.1", port=0)
    print(f"cockpit gRPC server on 127.0.0.1:{port}; simulated car on virtual CAN channel 'demo'", file=out)
    print("(insecure: no tokens and no TLS, on loopback only, for this demo; see docs/grpc.md)", file=out)
    try:
        async with CockpitClient(f"127.0.0.1:{port}", timeout_s=120.0) as client:
            drive = _Drive(client, (await client.create_session()).session_id, tap, out)
            print("\n== spoken, streamed over Converse in real time" + ("" if realtime else " (fast)"), file=out)
            for index, turn in enumerate(spoken):
                await drive.speak(index, turn, realtime)
            print("\n== typed, from the head unit over SendText", file=out)
            for index, text in enumerate(typed):
                await asyncio.sleep(pace_s)
                await drive.type(index, text)
            state = await client.vehicle_state()
        print("\nfinal vehicle state (confirmed by the ECUs):", file=out)
        for signal in sorted(state):
            print(f"  {signal} = {state[signal]}", file=out)
    finally:
        await server.stop(1.0)
        await parts.service.aclose()
        tap.close()
    if drive.failures:
        print(f"\ndemo finished with problems: {', '.join(drive.failures)}", file=out)
        return 1
    print("\ndemo finished: server stopped, bus closed.", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m cockpit.demo``."""
    parser = argparse.ArgumentParser(prog="cockpit-demo", description=__doc__)
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between typed turns (the car keeps driving)")
    parser.add_argument("--fast", action="store_true", help="stream the recordings as fast as they are taken")
    args = parser.parse_args(argv)
    return asyncio.run(run(spoken_turns(), TYPED, args.pace, realtime=not args.fast))


if __name__ == "__main__":
    sys.exit(main())

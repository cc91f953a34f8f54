"""``make demo``: a scripted drive of typed turns through the real gRPC server.

It starts the cockpit service and its gRPC server on loopback, drives the simulated car through
the ``city`` profile, sends each utterance over gRPC as an HMI client would, and prints the
event stream, the decoded CAN traffic each turn caused (command frames and the ECU's answer),
and the final vehicle state. Then it shuts everything down.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from typing import Any

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit.app import build_parts
from cockpit.cli.render import HumanRenderer
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.settings import load_settings
from cockpit.vehicle.dbc import BYD_DBC, COCKPIT_DBC, DbcCodec

SCRIPT = (
    "set the driver temperature to twenty one degrees",
    "turn on my seat heater",
    "navigate to Shenzhen",
    "find a charging station nearby",
    "take me there",
    "play some jazz",
    "turn it up",
    "set the temperature to 95 degrees",
    "open the sunroof",
    "what's my eta",
)
"""The scripted drive: climate, navigation and media, one refused request, one unsupported one."""

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


async def run(script: Sequence[str], pace_s: float, out: Any = sys.stdout) -> int:
    """Run the demo; returns a process exit status."""
    settings = load_settings(overrides={"server.port": 0, "can.drive_profile": "city", "can.channel": "demo"})
    parts = build_parts(settings)
    tap = BusTap(BusConfig(settings.can.interface, settings.can.channel))
    codec, byd = DbcCodec.load(COCKPIT_DBC), DbcCodec.load(BYD_DBC)
    renderer = HumanRenderer(out)
    failures = 0
    server, port = await start_server(parts.service, host="127.0.0.1", port=0)
    print(f"cockpit gRPC server on 127.0.0.1:{port}; simulated car on virtual CAN channel 'demo'\n", file=out)
    try:
        async with CockpitClient(f"127.0.0.1:{port}", timeout_s=60.0) as client:
            session = await client.create_session()
            for turn, text in enumerate(script):
                await asyncio.sleep(pace_s)
                since = time.time()
                renderer.begin(turn, text)
                async for event in client.send_text(text, session):
                    renderer.event(event)
                    failures += event.type.value == "error"
                renderer.end()
                await asyncio.sleep(0.05)  # let the ECU's answer reach the tap
                for line in traffic_lines(tap, since, codec):
                    print(line, file=out)
                print(powertrain_line(tap, byd), file=out)
                print(file=out)
            state = await client.vehicle_state()
        print("final vehicle state (confirmed by the ECUs):", file=out)
        for signal in sorted(state):
            print(f"  {signal} = {state[signal]}", file=out)
    finally:
        await server.stop(1.0)
        await parts.service.aclose()
        tap.close()
    print("\ndemo finished: server stopped, bus closed.", file=out)
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m cockpit.demo``."""
    parser = argparse.ArgumentParser(prog="cockpit-demo", description=__doc__)
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between turns (the car keeps driving)")
    args = parser.parse_args(argv)
    return asyncio.run(run(SCRIPT, args.pace))


if __name__ == "__main__":
    sys.exit(main())

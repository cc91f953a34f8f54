"""Text-turn latency: text in -> ECU-confirmed action, in-process and over gRPC.

Both paths drive the same service built by the composition root, on the same simulated car, in
the same run; the in-process figures are the baseline. Latency is measured from the moment the
text is handed over to the moment the ``action`` event with status ``confirmed`` arrives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bench.common import Figure, percentile
from cockpit.events import Event, EventType

UTTERANCES = (
    "set the driver temperature to twenty one degrees",
    "set the passenger temperature to 23",
    "set the fan speed to 40 percent",
    "turn on the air conditioning",
    "set the volume to 30",
    "turn off the air conditioning",
)
"""Commands cycled through; each ends in one or two confirmed writes."""


def _confirmed(events: list[Event]) -> bool:
    return any(e.type is EventType.ACTION and e.data.get("status") == "confirmed" for e in events)


async def _measure(turn: Callable[[str, Callable[[Event], None]], Awaitable[None]], n: int) -> list[float]:
    samples: list[float] = []
    for i in range(n):
        text = UTTERANCES[i % len(UTTERANCES)]
        seen: list[Event] = []
        start = time.perf_counter()
        done_at: list[float] = []

        def sink(event: Event, seen: list[Event] = seen, done_at: list[float] = done_at) -> None:
            seen.append(event)
            if not done_at and event.type is EventType.ACTION and event.data.get("status") == "confirmed":
                done_at.append(time.perf_counter())

        await turn(text, sink)
        if not done_at or not _confirmed(seen):
            raise RuntimeError(f"turn {i} ({text!r}) was not confirmed: {[e.to_dict() for e in seen]}")
        samples.append((done_at[0] - start) * 1000.0)
    return samples


async def _run(n: int) -> list[Figure]:
    from cockpit.app import build_service
    from cockpit.server import start_server
    from cockpit.server.client import CockpitClient
    from cockpit.server.owners import SessionLimits
    from cockpit.settings import load_settings

    settings = load_settings(overrides={"server.port": 0, "llm.enabled": False})
    service = build_service(settings)
    try:
        session = service.create_session().session_id

        async def local(text: str, sink: Callable[[Event], None]) -> None:
            await service.text_turn(session, text, sink)

        # "navigate to" waits for the city index the skills build in the background at start-up.
        await service.text_turn(session, "navigate to shenzhen", lambda e: None)
        in_process: list[float] = []
        over_grpc: list[float] = []
        # 500 back-to-back turns in one session: far past a driver's turn rate, which must not refuse them.
        unlimited = SessionLimits(turns_per_minute=1e9, turn_burst=10**9)
        server, port = await start_server(service, host="127.0.0.1", port=0, limits=unlimited)
        try:
            async with CockpitClient(f"127.0.0.1:{port}") as client:
                remote_session = await client.create_session()

                async def remote(text: str, sink: Callable[[Event], None]) -> None:
                    async for event in client.send_text(text, remote_session):
                        sink(event)

                await _measure(local, 20)
                await _measure(remote, 20)
                # Interleave blocks so machine noise lands on both paths alike.
                block = 50
                for _ in range(0, n, block):
                    in_process += await _measure(local, block)
                    over_grpc += await _measure(remote, block)
        finally:
            await server.stop(1.0)
    finally:
        await service.aclose()
    figures = []
    for q in (50, 99):
        figures.append(
            Figure(
                "text_turn",
                f"p{q} text -> confirmed action, gRPC",
                percentile(over_grpc, q),
                "ms",
                baseline=percentile(in_process, q),
                baseline_name="in-process",
            )
        )
    return figures


def run(quick: bool = False) -> list[Figure]:
    """500 turns each way (50 with ``quick``)."""
    return asyncio.run(_run(50 if quick else 500))

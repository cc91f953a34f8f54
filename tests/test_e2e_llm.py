"""Issue 4 acceptance on the real stack: the model's tool call is confirmed by the HVAC ECU on the bus."""

from __future__ import annotations

import asyncio
import time

import pytest

from cockpit import vss
from cockpit.events import EventType
from models.store import ModelStore
from tests.conftest import close_stack, make_stack

pytestmark = pytest.mark.skipif(
    not ModelStore().verify("qwen2.5-0.5b-instruct-q4_k_m"), reason="the default GGUF is not installed (make setup)"
)


async def test_feelings_and_questions_through_the_real_car() -> None:
    stack = make_stack(**{"llm.enabled": True})
    try:
        for _ in range(50):  # the HVAC status (100 ms cycle) tells the cockpit where it starts from
            if vss.DRIVER_TEMPERATURE in stack.parts.service.vehicle_state():
                break
            await asyncio.sleep(0.02)
        before = stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE]
        cold = await stack.turn("I'm freezing")
        intent = cold.of_type(EventType.INTENT)[0].data
        assert (intent["intent"], intent["source"]) == ("climate.adjust_temperature", "llm")
        done = [e.data for e in cold.of_type(EventType.ACTION) if e.data["status"] == "confirmed"]
        assert [d["signal"] for d in done] == [vss.DRIVER_TEMPERATURE] and done[0]["value"] > before
        assert stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE] == done[0]["value"]

        stack.tap.clear()
        since = time.time()  # a late copy of the last command may still reach the tap on a busy machine
        hamlet = await stack.turn("who wrote Hamlet?")
        assert hamlet.of_type(EventType.LLM_TOKEN), "the answer streams"
        assert "shakespeare" in hamlet.of_type(EventType.REPLY)[-1].data["text"].lower()
        assert hamlet.of_type(EventType.ACTION) == []
        commands = [m for m in stack.tap.frames() if m.arbitration_id in (0x3A0, 0x3A4, 0x3A8, 0x3AC)]
        assert [m for m in commands if m.timestamp >= since] == []
    finally:
        await close_stack(stack)


async def test_a_missing_model_degrades_dialogue_only_and_health_says_so(tmp_path: object) -> None:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from cockpit.server import start_server
    from cockpit.server.runner import DIALOGUE_HEALTH

    stack = make_stack(**{"llm.enabled": True, "llm.model_path": "/nonexistent/model.gguf"})
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        chat = await stack.turn("who wrote Hamlet?")
        assert chat.of_type(EventType.ERROR) and chat.of_type(EventType.REPLY)[-1].data["text"].lower().startswith(
            "sorry"
        )
        assert chat.of_type(EventType.ACTION) == []
        ac = await stack.turn("turn on the air conditioning")
        assert [e.data["status"] for e in ac.of_type(EventType.ACTION)] == ["sent", "confirmed"]
        assert stack.parts.service.health().degraded
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for _ in range(30):  # mirrored once a second
                dialogue = await health.Check(health_pb2.HealthCheckRequest(service=DIALOGUE_HEALTH), timeout=5)
                if dialogue.status == health_pb2.HealthCheckResponse.NOT_SERVING:
                    break
                await asyncio.sleep(0.2)
            assert dialogue.status == health_pb2.HealthCheckResponse.NOT_SERVING
            overall = await health.Check(health_pb2.HealthCheckRequest(service="cockpit.v1.Cockpit"), timeout=5)
            assert overall.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        await server.stop(1.0)
        await close_stack(stack)

"""Issue 2 acceptance over a real gRPC channel on 127.0.0.1, against the real service and car."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from cockpit import vss
from cockpit.cli.main import main
from cockpit.server import start_server
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.conftest import Stack

ACCEPTANCE = "set the driver temperature to twenty one degrees"


async def _text_turn_status(stub: pb_grpc.CockpitStub, text: str, session_id: str = "") -> grpc.StatusCode:
    try:
        async for _ in stub.SendText(pb.TextTurnRequest(session_id=session_id, text=text), timeout=10):
            pass
    except grpc.aio.AioRpcError as err:
        assert err.details(), "every error status carries a message"
        return err.code()
    return grpc.StatusCode.OK


async def test_real_service_over_grpc(stack: Stack) -> None:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)
            events = [e async for e in stub.SendText(pb.TextTurnRequest(text=ACCEPTANCE), timeout=10)]
            kinds = [e.WhichOneof("payload") for e in events]
            assert kinds.index("intent") < kinds.index("action") < kinds.index("reply")
            actions = [e for e in events if e.WhichOneof("payload") == "action"]
            assert [a.action.status for a in actions] == [pb.ACTION_STATUS_SENT, pb.ACTION_STATUS_CONFIRMED]
            assert actions[-1].action.signal == vss.DRIVER_TEMPERATURE

            # Bad requests: a documented status with a message, never UNKNOWN, and the car does not move.
            before = dict(stack.parts.service.vehicle_state())
            assert await _text_turn_status(stub, "") is grpc.StatusCode.INVALID_ARGUMENT
            assert await _text_turn_status(stub, "x" * 10_000) is grpc.StatusCode.INVALID_ARGUMENT
            assert (
                await _text_turn_status(stub, "turn on the a c", "no-such-session") is grpc.StatusCode.INVALID_ARGUMENT
            )
            assert stack.parts.service.vehicle_state()[vss.AC_ACTIVE] == before[vss.AC_ACTIVE]

            health = health_pb2_grpc.HealthStub(channel)
            reply = await health.Check(health_pb2.HealthCheckRequest(service="cockpit.v1.Cockpit"), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING

            reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
            request = reflection_pb2.ServerReflectionRequest(list_services="")
            responses = [r async for r in reflection.ServerReflectionInfo(iter([request]), timeout=5)]
            names = {s.name for s in responses[0].list_services_response.service}
            assert {"cockpit.v1.Cockpit", "grpc.health.v1.Health"} <= names
    finally:
        await server.stop(1.0)


def test_cli_ask_json_prints_the_acceptance_sequence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text('[can]\nchannel = "cli-acceptance"\n[llm]\nenabled = false\n')
    rc = main(["ask", "--json", "--config", str(config), ACCEPTANCE])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 0
    assert all({"type", "turn", "t_ms"} <= set(line) and line["turn"] == 0 for line in lines)
    intent = next(line for line in lines if line["type"] == "intent")
    assert (intent["intent"], intent["slots"], intent["source"]) == (
        "climate.set_temperature",
        {"celsius": 21, "zone": "driver"},
        "rules",
    )
    actions = [(line["signal"], line["value"], line["status"]) for line in lines if line["type"] == "action"]
    assert actions == [(vss.DRIVER_TEMPERATURE, 21.0, "sent"), (vss.DRIVER_TEMPERATURE, 21.0, "confirmed")]
    types = [line["type"] for line in lines]
    assert types.index("intent") < types.index("action") < types.index("reply")
    assert "21 degrees" in lines[-1]["text"]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")

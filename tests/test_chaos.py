"""Chaos (issue 13): the language model dies mid-answer, an ECU stops mid-action, SIGTERM mid-turn.

Each has the outcome docs/grpc.md ("When things break") documents, and nothing is left half-sent:
every ``sent`` action gets exactly one final status, the reply never claims what the car did not
confirm, and half an answer never reaches an event. Every wait is bounded; nothing is timed
beyond a generous bound.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from can_sim.decode import DbcSet, FrameDecoder
from can_sim.faults import Fault, FaultKind
from cockpit import vss
from cockpit.events import EventRecorder, EventType
from cockpit.llm.responder import APOLOGY
from cockpit.sessions import Session
from cockpit.testing import FakeLanguageModel, FakeVehicle
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.conftest import Stack
from tests.support import (  # noqa: F401 (fixtures)
    FAULT_CONFIRM_TIMEOUT_S,
    car_of,
    clear_faults,
    eventually,
    fault_stack,
)
from tests.test_llm_limits import responder
from tests.test_llm_responder import pipeline

REPO = Path(__file__).resolve().parents[1]
DBCS = DbcSet.load()
HVAC_CMD, HVAC_STATUS = DBCS.named("HVAC_CMD").frame_id, DBCS.named("HVAC_STATUS").frame_id
BOUND_S = 20.0
"""Generous bound on every wait for another process."""


# -- the language model dies mid-answer ------------------------------------------------------------


class DyingModel(FakeLanguageModel):
    """Streams its answer, then dies (raises) after ``die_after`` tokens, as a crashed backend would."""

    def __init__(self, die_after: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.die_after = die_after

    def _generate(
        self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event
    ) -> Iterator[str]:
        for count, piece in enumerate(super()._generate(prompt, max_tokens, grammar, cancel), start=1):
            if count > self.die_after:
                raise RuntimeError("the model process died")
            yield piece


async def test_a_model_that_dies_mid_answer_gives_an_apology_and_no_half_sentence() -> None:
    answer = "William Shakespeare wrote Hamlet. He wrote it around the year 1600 in London."
    model = DyingModel(die_after=8, replies={"hamlet": answer}, token_delay_s=0.01)  # dies inside sentence two
    dialogue = responder(model)
    car = FakeVehicle({})
    turns = pipeline(dialogue, car)
    rec = EventRecorder()
    await asyncio.wait_for(turns.run_text(Session("s"), "who wrote hamlet", rec), BOUND_S)
    tokens = "".join(e.data["text"] for e in rec.of_type(EventType.LLM_TOKEN))
    assert tokens.strip() == "William Shakespeare wrote Hamlet."  # the whole first sentence, nothing of the second
    assert [e.data["code"] for e in rec.of_type(EventType.ERROR)] == ["llm-failed"]
    assert [e.data["text"] for e in rec.of_type(EventType.REPLY)] == [APOLOGY]
    assert car.sent == [] and rec.of_type(EventType.ACTION) == []
    model.die_after = 1000  # the backend is back: the next question is answered
    again = EventRecorder()
    await asyncio.wait_for(turns.run_text(Session("s"), "who wrote hamlet", again), BOUND_S)
    assert again.of_type(EventType.REPLY)[-1].data["text"] == answer
    dialogue.close()


# -- an ECU stops mid-action ------------------------------------------------------------------------


async def test_an_ecu_that_stops_mid_action_times_out_and_its_truth_comes_back_with_it(stack: Stack) -> None:
    car = car_of(stack)
    service = stack.parts.service
    # The HVAC ECU's answers are lost on the way, so the action is still in flight when it stops.
    lost = car.faults.inject(Fault(FaultKind.DROP, can_id=HVAC_STATUS))
    before = service.vehicle_state()[vss.DRIVER_TEMPERATURE]
    wanted = 27.5 if before != 27.5 else 26.5
    sent = asyncio.Event()
    rec = EventRecorder()

    def sink(event: object) -> None:
        rec(event)  # type: ignore[arg-type]
        if rec.events[-1].type is EventType.ACTION and rec.events[-1].data["status"] == "sent":
            sent.set()

    t0 = time.time()
    session = service.create_session().session_id
    turn = asyncio.create_task(service.text_turn(session, f"set the temperature to {wanted:g} degrees", sink))
    await asyncio.wait_for(sent.wait(), BOUND_S)
    await asyncio.to_thread(car.hvac.stop)  # mid-action
    await asyncio.wait_for(turn, BOUND_S)
    service.close_session(session)

    statuses = [e.data["status"] for e in rec.of_type(EventType.ACTION)]
    assert statuses == ["sent", "timeout"], rec.types()
    assert "didn't confirm" in rec.of_type(EventType.REPLY)[-1].data["text"]  # never "set to 27.5 degrees"
    assert service.vehicle_state()[vss.DRIVER_TEMPERATURE] == before  # nothing confirmed, nothing claimed
    commands = [m for m in stack.tap.frames(HVAC_CMD) if m.timestamp > t0]
    assert len(commands) == 1, "one write, one command frame: no retry behind the driver's back"
    assert FrameDecoder(DBCS).decode(commands[0]).verdict.ok  # and a whole one

    car.faults.clear(lost.fault_id)
    await asyncio.to_thread(car.hvac.start)
    # The ECU carried the command out before it stopped; its first status frame tells the cockpit.
    await eventually(lambda: service.vehicle_state()[vss.DRIVER_TEMPERATURE] == wanted, BOUND_S)


# -- SIGTERM mid-turn -------------------------------------------------------------------------------

_SERVE = "import sys\nfrom cockpit.cli.main import main\nsys.exit(main(['serve', '--insecure', '--port', '0']))\n"


async def _collect(call: object) -> tuple[list[object], grpc.StatusCode, str | None]:
    got: list[object] = []
    try:
        while (item := await call.read()) is not grpc.aio.EOF:  # type: ignore[attr-defined]
            got.append(item)
    except grpc.aio.AioRpcError as err:
        codes = dict(err.trailing_metadata() or ())
        return got, err.code(), codes.get("cockpit-error-code")  # type: ignore[return-value]
    return got, grpc.StatusCode.OK, None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_sigterm_mid_turn_finishes_the_turn_then_exits_cleanly() -> None:
    grace_s = 5.0  # the turn needs 1.5 s of it: room for a busy machine
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "COCKPIT_CAN_CHANNEL": f"chaos-{os.getpid()}",
        "COCKPIT_LLM_ENABLED": "false",
        "COCKPIT_VOICE_ENABLED": "false",
        "COCKPIT_TTS_ENABLED": "false",
        "COCKPIT_SERVER_GRACE_S": str(grace_s),
        "COCKPIT_CAN_CONFIRM_TIMEOUT_S": "1.5",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SERVE, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert line.startswith("cockpit: serving on "), line
        target = line.rsplit(" ", 1)[1].strip()
        async with grpc.aio.insecure_channel(target) as channel:
            cockpit, bench = pb_grpc.CockpitStub(channel), bpb_grpc.BenchStub(channel)
            health = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""))
            assert (await health.read()).status == health_pb2.HealthCheckResponse.SERVING
            state = cockpit.WatchVehicleState(pb.WatchVehicleStateRequest(signals=["Vehicle.Cabin.HVAC"]))
            await state.read()
            frames = bench.StreamFrames(bpb.StreamFramesRequest(can_ids=[HVAC_CMD], decode=True))
            assert (await frames.read()).subscribed
            # The HVAC answers are lost, so the turn is waiting for its confirmation when SIGTERM comes.
            fault = bpb.Fault(kind=bpb.FAULT_KIND_DROP, can_id=HVAC_STATUS)
            await bench.InjectFault(bpb.InjectFaultRequest(fault=fault), timeout=BOUND_S)
            turn = cockpit.SendText(pb.TextTurnRequest(text="set the temperature to 26 degrees"), timeout=BOUND_S)
            events = []
            while not (events and events[-1].WhichOneof("payload") == "action"):
                events.append(await asyncio.wait_for(turn.read(), BOUND_S))
            assert events[-1].action.status == pb.ACTION_STATUS_SENT
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            rest, turn_status, _ = await asyncio.wait_for(_collect(turn), BOUND_S)
            watched, health_status, _ = await asyncio.wait_for(_collect(health), BOUND_S)
            _, state_status, state_code = await asyncio.wait_for(_collect(state), BOUND_S)
            seen, _, _ = await asyncio.wait_for(_collect(frames), BOUND_S)
            assert await asyncio.wait_for(proc.wait(), grace_s + BOUND_S) == 0
            exit_s = time.monotonic() - t0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = (await proc.stderr.read()).decode()
    assert "Traceback" not in stderr, stderr
    # The turn in flight ran to its end inside the grace period: its final status and its reply.
    kinds = [e.WhichOneof("payload") for e in rest]  # type: ignore[attr-defined]
    assert turn_status is grpc.StatusCode.OK and kinds[-1] == "reply", kinds
    assert [e.action.status for e in rest if e.WhichOneof("payload") == "action"] == [pb.ACTION_STATUS_TIMEOUT]  # type: ignore[attr-defined]
    # Watches end: health after NOT_SERVING, state with a documented code.
    assert [w.status for w in watched] == [health_pb2.HealthCheckResponse.NOT_SERVING]  # type: ignore[attr-defined]
    assert health_status is grpc.StatusCode.OK
    assert (state_status, state_code) == (grpc.StatusCode.UNAVAILABLE, "server-shutting-down")
    # One whole command frame went out for the one write, and nothing after it.
    commands = [f for f in seen if not f.subscribed]  # type: ignore[attr-defined]
    assert len(commands) == 1 and commands[0].decoded.crc_ok  # type: ignore[attr-defined]
    assert exit_s < grace_s + BOUND_S  # the measured exit is in the report; here only a generous bound

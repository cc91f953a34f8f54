"""The page's bridge without a browser: its WebSocket contract, bad input, and its gRPC side.

A WebSocket client (aiohttp's) stands in for the page; behind the bridge run a real gRPC server
(tokens on) and the real service with its simulated car. What the tests check is what a page
would show: event lines, ``hmi.*`` messages, errors, and the car's state afterwards.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from cockpit import vss
from cockpit.hmi.protocol import MAX_WS_MESSAGE_BYTES
from cockpit.hmi.web import HmiServer
from tests.conftest import Stack
from tests.hmi_support import (  # noqa: F401
    HMI_ONLY,
    PAGE,
    TIMEOUT_S,
    DegradedAssistant,
    bridge,
    fresh_stack,
    loopback_unproxied_fixture,
    page,
    roomy_limits,
)
from tests.support import eventually


async def test_the_page_and_its_modules_are_served(fresh: Stack) -> None:
    async with bridge(fresh.parts.service) as (hmi, http):
        async with http.get(hmi.url) as reply:
            assert reply.status == 200 and 'data-role="utterance"' in await reply.text()
        for name in ("app.js", "resampler.js", "audio.js", "car.js"):
            async with http.get(f"{hmi.url}static/{name}") as reply:
                assert reply.status == 200
                assert reply.content_type in ("text/javascript", "application/javascript")
        async with http.get(f"{hmi.url}static/../web.py") as reply:
            assert reply.status in (403, 404)


async def test_only_the_page_itself_may_open_the_socket(fresh: Stack) -> None:
    async with bridge(fresh.parts.service) as (hmi, http):
        ws_url = f"ws://127.0.0.1:{hmi.port}/ws"
        # Another web site open in the same browser: WebSockets are not held back by CORS.
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(ws_url, headers={"Origin": "http://evil.example"})
        assert refused.value.status == 403
        # DNS rebinding: a site's own name pointed at 127.0.0.1.
        async with http.get(hmi.url, headers={"Host": f"evil.example:{hmi.port}"}) as reply:
            assert reply.status == 403
        async with http.ws_connect(ws_url, headers={"Origin": f"http://localhost:{hmi.port}"}) as ws:
            assert json.loads((await ws.receive(timeout=TIMEOUT_S)).data)["type"] == "hmi.hello"


async def test_event_lines_are_the_ones_the_cli_prints(fresh: Stack) -> None:
    async with bridge(fresh.parts.service) as (hmi, http), page(hmi, http) as p:
        hello = next(m for m in p.seen if m["type"] == "hmi.hello")
        assert (hello["session"], hello["bench"]) == (True, True)
        events = await p.turn("set the temperature to 21 degrees")
    expected = (await fresh.turn("set the temperature to 21 degrees")).events
    assert [e["type"] for e in events] == [e.type.value for e in expected]
    for line, event in zip(events, expected, strict=True):
        want = json.loads(event.to_json())
        assert list(line) == list(want), "the same keys in the same order"
        assert {k: v for k, v in line.items() if k not in ("t_ms", "turn")} == {
            k: v for k, v in want.items() if k not in ("t_ms", "turn")
        }
    actions = [(e["signal"], e["value"], e["status"]) for e in events if e["type"] == "action"]
    assert actions == [(vss.DRIVER_TEMPERATURE, 21.0, "sent"), (vss.DRIVER_TEMPERATURE, 21.0, "confirmed")]


async def test_the_car_state_streams_as_signals(fresh: Stack) -> None:
    async with bridge(fresh.parts.service) as (hmi, http), page(hmi, http) as p:
        first = await p.until(lambda m: m["type"] == "hmi.signal" and m["path"] == vss.AC_ACTIVE, "A/C state")
        await p.turn("turn off the a c" if first["value"] else "turn on the a c")
        changed = await p.until(
            lambda m: m["type"] == "hmi.signal" and m["path"] == vss.AC_ACTIVE and m["value"] != first["value"],
            "the confirmed A/C change",
        )
        assert changed["value"] is (not first["value"])
        health = await p.until(lambda m: m["type"] == "hmi.health", "health")
        assert health["voice"] in ("SERVING", "NOT_SERVING")


GARBAGE: list[tuple[Any, str]] = [
    ("{not json", "bad-message"),
    ("[]", "bad-message"),
    ('{"type": 5}', "bad-message"),
    ('{"type": "launch-missiles"}', "bad-message"),
    ('{"type": "text", "text": "   "}', "bad-message"),
    ('{"type": "text", "text": ' + json.dumps("x" * 3000) + "}", "bad-message"),
    ('{"type": "listen", "mode": "forever"}', "bad-message"),
    ('{"type": "fault", "kind": "meltdown"}', "bad-message"),
    ("\udcff" * 10, "bad-message"),
    (b"\x00\x01\x02", "audio-odd-bytes"),
    (b"\x00\x00" * 16001, "audio-chunk-too-large"),
    (b"\x00\x00" * 640, "not-listening"),
]


async def test_garbage_gets_a_clear_error_and_changes_nothing(fresh: Stack) -> None:
    service = fresh.parts.service
    async with bridge(service) as (hmi, http), page(hmi, http) as p, page(hmi, http) as other:
        watched = (vss.DRIVER_TEMPERATURE, vss.AC_ACTIVE, vss.MEDIA_VOLUME, vss.DRIVER_FAN_SPEED)
        await eventually(lambda: all(path in service.vehicle_state() for path in watched), TIMEOUT_S)
        before = dict(service.vehicle_state())
        for message, code in GARBAGE:
            if isinstance(message, bytes):
                await p.ws.send_bytes(message)
            else:
                await p.ws.send_str(message.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
            error = await p.error()
            assert (error["code"], bool(error["message"])) == (code, True), message
        await p.ws.send_bytes(b"\x00\x00" * 640)  # more stray audio: told once already, not again
        await p.ws.send_str("{}")
        assert (await p.error())["code"] == "bad-message"
        after = dict(service.vehicle_state())
        for path in watched:
            assert after[path] == before[path]
        assert not any(m["type"] == "hmi.error" for m in other.seen), "the other page saw nothing of it"
        assert (await p.turn("set the fan speed to 40 percent"))[-1]["type"] == "reply", "the same socket goes on"
        assert (await other.turn("what's the temperature"))[-1]["type"] == "reply"


async def test_an_oversized_message_closes_only_that_socket(fresh: Stack) -> None:
    async with bridge(fresh.parts.service) as (hmi, http), page(hmi, http) as p, page(hmi, http) as other:
        await p.ws.send_bytes(b"\x00" * (MAX_WS_MESSAGE_BYTES + 2))
        msg = await p.ws.receive(timeout=TIMEOUT_S)
        while msg.type is aiohttp.WSMsgType.TEXT:
            msg = await p.ws.receive(timeout=TIMEOUT_S)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)
        assert p.ws.close_code == 1009, "message too big: the page says so and reconnects"
        assert (await other.turn("turn on the a c"))[-1]["type"] == "reply"


async def test_closing_mid_turn_leaves_the_service_and_others_alone(fresh: Stack) -> None:
    service = fresh.parts.service
    async with bridge(service) as (hmi, http), page(hmi, http) as other:
        for _ in range(3):
            async with page(hmi, http) as p:
                await p.send({"type": "text", "text": "navigate to guangzhou"})
            # the socket is closed while the turn may still run: its calls are cancelled
        assert (await other.turn("set the temperature to 23 degrees"))[-1]["text"].startswith("Driver temperature")
        await other.until(
            lambda m: m["type"] == "hmi.signal" and m["path"] == vss.DRIVER_TEMPERATURE and m["value"] == 23.0,
            "the confirmed temperature",
        )


async def test_a_session_that_expired_while_the_screen_sat_idle_is_renewed(fresh: Stack) -> None:
    async with bridge(fresh.parts.service, limits=roomy_limits(idle_s=0.3)) as (hmi, http), page(hmi, http) as p:
        await asyncio.sleep(0.6)
        async with page(hmi, http):
            pass  # a new session: the server closes the idle one now
        events = await p.turn("turn on the a c")
        assert events[-1]["type"] == "reply"
        assert not [m for m in p.seen if m["type"] == "hmi.error"]


async def test_faults_from_the_bus_view(fresh: Stack) -> None:
    async with bridge(fresh.parts.service) as (hmi, http), page(hmi, http) as p:
        await p.send({"type": "fault", "kind": "reject_commands", "ecu": "hvac"})
        fault = await p.until(lambda m: m["type"] in ("hmi.fault", "hmi.error"), "the fault")
        assert fault["type"] == "hmi.fault" and fault["fault_id"], fault
        try:
            events = await p.turn("set the temperature to 25 degrees")
            statuses = [e["status"] for e in events if e["type"] == "action"]
            assert statuses == ["sent", "rejected"]
        finally:
            await p.send({"type": "clear_fault", "fault_id": fault["fault_id"]})
            cleared = await p.until(lambda m: m["type"] == "hmi.fault_cleared", "cleared")
        assert cleared["cleared"] == 1
        frames = await p.until(lambda m: m["type"] == "hmi.frames", "the frame table")
        assert all({"id", "data", "count"} <= set(row) for row in frames["frames"])


async def test_a_token_without_bench_gets_no_bus(fresh: Stack) -> None:
    async with bridge(fresh.parts.service, HMI_ONLY) as (hmi, http), page(hmi, http) as p:
        hello = next(m for m in p.seen if m["type"] == "hmi.hello")
        assert (hello["session"], hello["bench"]) == (True, False)
        await p.send({"type": "fault", "kind": "drop", "message": "HVAC_STATUS"})
        assert (await p.error())["code"] == "scope-missing"
        assert (await p.turn("turn on the a c"))[-1]["type"] == "reply"


async def test_a_wrong_token_is_shown_not_hidden(fresh: Stack) -> None:
    async with bridge(fresh.parts.service, "not-a-known-secret-000000") as (hmi, http), page(hmi, http) as p:
        hello = next(m for m in p.seen if m["type"] == "hmi.hello")
        assert hello["session"] is False
        error = next(m for m in p.seen if m["type"] == "hmi.error")
        assert error["code"] == "token-unknown"


async def test_an_unreachable_service_is_reported() -> None:
    hmi = HmiServer("127.0.0.1:1", PAGE, 0)
    await hmi.start()
    try:
        async with aiohttp.ClientSession() as http, page(hmi, http) as p:
            down = await p.until(lambda m: m["type"] == "hmi.service", "the service state")
            assert down["up"] is False
    finally:
        await hmi.stop()


async def test_degraded_dialogue_comes_from_grpc_health() -> None:
    async with bridge(DegradedAssistant()) as (hmi, http), page(hmi, http) as p:
        health = await p.until(lambda m: m["type"] == "hmi.health" and m["dialogue"] == "NOT_SERVING", "degraded")
        assert health["voice"] == "SERVING"

"""Bad input and session limits through a real loopback server: documented codes, never UNKNOWN.

Requests are sent as raw bytes to every RPC of both services (``Cockpit`` and ``Bench``):
undecodable ones end in INVALID_ARGUMENT ``bad-request``. Oversized ids and languages are refused
without being echoed; session limits refuse the new session and never close a live one.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import grpc
import pytest

from cockpit.errors import ResourceExhaustedError
from cockpit.server.auth import TokenBook
from cockpit.server.gate import BAD_REQUEST
from cockpit.server.owners import SessionLedger, SessionLimits
from cockpit.testing import FakeAssistant
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.grpc_raw import METHODS, TIMEOUT_S, call_raw, invalid_utf8, path, with_bench
from tests.test_grpc_auth import HMI, HMI2, TOKENS_TOML, auth
from tests.test_grpc_support import channel, trailing_code

UNDECODABLE = (b"\xff\xff\xff\xff", b"\x0a\x05ab", b"\x08" + b"\xff" * 11, b"\x0b\x0c\x0d")
"""Bytes no message decodes: a bad tag, a truncated string, an overlong varint, a stray group."""


def _undecodable_samples(method_index: int) -> list[bytes]:
    rng = random.Random(method_index)
    samples = list(UNDECODABLE)
    utf8 = invalid_utf8(METHODS[method_index].input_type)
    if utf8 is not None:
        samples.append(utf8)
    samples.extend(b"\xff" + rng.randbytes(rng.randrange(1, 64)) for _ in range(4))  # tag 0x7f..: never valid
    return samples


@pytest.mark.parametrize("index", range(len(METHODS)), ids=[path(m) for m in METHODS])
async def test_undecodable_requests_are_bad_request_on_every_rpc(index: int) -> None:
    fake = FakeAssistant()
    method = METHODS[index]
    async with with_bench(fake) as server, channel(server.target) as chan:
        for payload in _undecodable_samples(index):
            payloads = [payload] if not method.client_streaming else [payload, payload]
            outcome = await call_raw(chan, method, payloads)
            assert outcome.code is grpc.StatusCode.INVALID_ARGUMENT, (payload, outcome)
            assert outcome.error_code == "bad-request"
            assert outcome.details.startswith("bad-request: the request message does not decode")
    assert fake.turn_texts == [] and fake.sessions == {}


async def test_a_bad_message_later_in_a_converse_stream_is_bad_request_and_the_auth_check_comes_first() -> None:
    fake = FakeAssistant()
    converse = next(m for m in METHODS if m.name == "Converse")
    config = pb.ConverseRequest(config=pb.ConverseConfig()).SerializeToString()
    async with with_bench(fake) as server, channel(server.target) as chan:
        outcome = await call_raw(chan, converse, [config, b"\x1a\x02\xc3\x28"])  # text = invalid UTF-8
    assert (outcome.code, outcome.error_code) == (grpc.StatusCode.INVALID_ARGUMENT, "bad-request")
    async with with_bench(fake, tokens=TokenBook.from_toml(TOKENS_TOML)) as server, channel(server.target) as chan:
        outcome = await call_raw(chan, METHODS[0], [b"\xff\xff"])
    assert (outcome.code, outcome.error_code) == (grpc.StatusCode.UNAUTHENTICATED, "token-missing")


async def test_an_unknown_audio_encoding_is_audio_format_unsupported() -> None:
    fake = FakeAssistant()
    config = pb.ConverseConfig(audio_format=pb.AudioFormat(sample_rate_hz=16000, channels=1, encoding=7))  # type: ignore[arg-type]
    async with with_bench(fake) as server, channel(server.target) as chan:
        call = pb_grpc.CockpitStub(chan).Converse(iter([pb.ConverseRequest(config=config)]), timeout=TIMEOUT_S)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call.read()
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert trailing_code(caught.value) == "audio-format-unsupported"
    assert "unknown encoding 7" in (caught.value.details() or "")


async def test_long_ids_and_languages_are_refused_without_being_echoed() -> None:
    fake = FakeAssistant()
    async with with_bench(fake) as server, channel(server.target) as chan:
        stub = pb_grpc.CockpitStub(chan)
        for session_id in ("s" * 16_384, "q" * 65):
            for call in (
                stub.CloseSession(pb.CloseSessionRequest(session_id=session_id), timeout=TIMEOUT_S),
                stub.SendText(pb.TextTurnRequest(session_id=session_id, text="hi"), timeout=TIMEOUT_S).read(),
            ):
                with pytest.raises(grpc.aio.AioRpcError) as caught:
                    await call
                assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
                assert trailing_code(caught.value) == "unknown-session"
                assert len(caught.value.details() or "") < 200
        for language in ("x" * 1_000_000, "fr", "english", "en-" + "x" * 40, ""):
            if not language:
                continue
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.CreateSession(pb.CreateSessionRequest(language=language), timeout=TIMEOUT_S)
            assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
            assert trailing_code(caught.value) == "language-unsupported"
            assert len(caught.value.details() or "") < 200
        for language in ("en", "ko", "ko-KR", "en-GB"):
            session = await stub.CreateSession(pb.CreateSessionRequest(language=language), timeout=TIMEOUT_S)
            assert session.language == language
    assert fake.turn_texts == []


async def _turn_reply(stub: pb_grpc.CockpitStub, session_id: str, text: str, secret: str | None = None) -> list[str]:
    metadata = auth(secret) if secret else None
    call = stub.SendText(pb.TextTurnRequest(session_id=session_id, text=text), timeout=TIMEOUT_S, metadata=metadata)
    return [event.reply.text async for event in call if event.WhichOneof("payload") == "reply"]


async def test_a_hundred_sessions_from_one_token_are_refused_past_the_limit_and_evict_nobody() -> None:
    fake = FakeAssistant()
    limits = SessionLimits(total=64, per_token=16)
    async with with_bench(fake, TokenBook.from_toml(TOKENS_TOML), limits) as server, channel(server.target) as chan:
        stub = pb_grpc.CockpitStub(chan)
        driver = await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S, metadata=auth(HMI2))
        opened, refused = [], []
        for _ in range(100):
            try:
                made = await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S, metadata=auth(HMI))
                opened.append(made.session_id)
            except grpc.aio.AioRpcError as err:
                refused.append((err.code(), trailing_code(err)))
        assert len(opened) == 16
        assert refused == [(grpc.StatusCode.RESOURCE_EXHAUSTED, "too-many-sessions-for-token")] * 84
        # Every session opened before the limit still works: the driver's and the flooder's first.
        assert await _turn_reply(stub, driver.session_id, "hello", HMI2) == ["echo: hello"]
        assert await _turn_reply(stub, opened[0], "first", HMI) == ["echo: first"]
        # A one-shot turn counts too, and closing one makes room again.
        err_call = stub.SendText(pb.TextTurnRequest(text="one shot"), timeout=TIMEOUT_S, metadata=auth(HMI))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await err_call.read()
        assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        await stub.CloseSession(pb.CloseSessionRequest(session_id=opened[0]), timeout=TIMEOUT_S, metadata=auth(HMI))
        assert await _turn_reply(stub, "", "one shot", HMI) == ["echo: one shot"]
    assert len(fake.sessions) == 16  # 15 flooders and the driver: none was closed to make room


async def test_without_tokens_the_total_limit_refuses_the_new_session() -> None:
    fake = FakeAssistant()
    async with with_bench(fake, limits=SessionLimits(total=8)) as server, channel(server.target) as chan:
        stub = pb_grpc.CockpitStub(chan)
        ids = [(await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S)).session_id for _ in range(8)]
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S)
        assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        assert trailing_code(caught.value) == "too-many-sessions"
        assert await _turn_reply(stub, ids[0], "still here") == ["echo: still here"]


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_idle_sessions_expire_and_make_room_but_one_in_use_never_does() -> None:
    clock = _Clock()
    ledger = SessionLedger(SessionLimits(total=2, per_token=2, idle_s=60.0), per_owner=True, clock=clock)
    ledger.add("idle", "a")
    ledger.add("busy", "a")
    with ledger.using("busy", "a"):
        clock.now = 600.0
        with pytest.raises(ResourceExhaustedError):
            ledger.admit("a")  # nothing expired yet: expiry happens on expire()
        assert ledger.expire() == ["idle"]  # the one in use stays, however long the turn
        ledger.admit("a")
    clock.now = 630.0
    assert ledger.expire() == []  # used until 600: not idle for a minute yet
    clock.now = 661.0
    assert ledger.expire() == ["busy"]


_RAISED = re.compile(
    r'(?:InputError|ResourceExhaustedError|BadAudioError|RpcFailure)\(\s*(?:grpc\.StatusCode\.\w+,\s*)?"([a-z]+(?:-[a-z]+)+)"'
)
"""The error code of ``InputError("text-empty", ...)``, ``RpcFailure(status, "code", ...)`` and the like."""


def test_the_grpc_guide_lists_the_codes_of_the_gate_and_the_session_rules() -> None:
    root = Path(__file__).resolve().parents[1]
    guide = (root / "docs" / "grpc.md").read_text(encoding="utf-8")
    raised = {BAD_REQUEST}
    for name in ("gate.py", "owners.py", "servicer.py", "status.py"):
        raised |= set(_RAISED.findall((root / "cockpit" / "server" / name).read_text(encoding="utf-8")))
    assert {"token-missing", "scope-missing", "too-many-sessions-for-token", "session-not-yours"} <= raised
    missing = {code for code in raised if f"`{code}`" not in guide}
    assert not missing, f"error codes not in docs/grpc.md: {sorted(missing)}"


async def test_a_bench_served_by_can_sim_answers_undecodable_requests_with_bad_request() -> None:
    from can_sim.bus import BusConfig
    from cockpit.server.bench_serve import serve_bench

    bench_methods = [m for m in METHODS if m.containing_service.name == "Bench" and not m.client_streaming]
    with serve_bench(BusConfig("virtual", "bench-serve-gate-test"), None, "127.0.0.1:0") as port:
        async with channel(f"127.0.0.1:{port}") as chan:
            for method in bench_methods:
                outcome = await call_raw(chan, method, [b"\xff\x01\x02"])
                assert outcome.code is grpc.StatusCode.INVALID_ARGUMENT, (path(method), outcome)
                assert outcome.error_code == "bad-request"

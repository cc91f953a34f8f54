"""Tokens and scopes through a real loopback server: who may call which service, whose sessions.

The server runs the fake assistant beside a real Bench service on a private virtual bus, with a
tokens file of four clients: a head unit (``hmi``), a second HMI client (``hmi``), a bench
tool (``bench``) and an operator (``admin``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import logging
import math
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from can_sim.bus import BusConfig
from cockpit.cli.main import amain
from cockpit.errors import ConfigError, InputError, RemoteError
from cockpit.server.auth import TokenBook
from cockpit.server.bench import BenchServicer, bench_registrar
from cockpit.server.client import CockpitClient
from cockpit.server.gate import UNKNOWN_TOKEN_LOG_S
from cockpit.server.runner import CockpitServer, start_server
from cockpit.testing import FakeAssistant
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.test_grpc_support import TIMEOUT_S, channel, trailing_code

HMI = "head-unit-secret-0123456789"
HMI2 = "second-screen-secret-98765"
BENCH = "bench-tool-secret-abcdefgh"
ADMIN = "operator-secret-zyxwvutsrq"
SECRETS = (HMI, HMI2, BENCH, ADMIN)
TOKENS_TOML = f"""
[[token]]
name = "head-unit"
secret = "{HMI}"
scopes = ["hmi"]

[[token]]
name = "second-screen"
secret_sha256 = "{hashlib.sha256(HMI2.encode()).hexdigest()}"
scopes = ["hmi"]

[[token]]
name = "bench-tool"
secret = "{BENCH}"
scopes = ["bench"]

[[token]]
name = "operator"
secret = "{ADMIN}"
scopes = ["admin"]
"""
_channels = itertools.count()


def auth(secret: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {secret}"),)


@contextlib.asynccontextmanager
async def guarded(tokens: TokenBook | None = None) -> AsyncIterator[tuple[CockpitServer, FakeAssistant]]:
    """A server with the tokens above (or ``tokens``), the fake assistant and a real Bench."""
    fake = FakeAssistant()
    bench = BenchServicer(BusConfig("virtual", f"auth-test-{next(_channels)}"))
    book = tokens or TokenBook.from_toml(TOKENS_TOML)
    server, _ = await start_server(fake, "127.0.0.1", 0, [bench_registrar(bench)], tokens=book)
    try:
        yield server, fake
    finally:
        await server.stop(0)
        bench.close()


async def _refusal(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def _events(stub: pb_grpc.CockpitStub, text: str, session_id: str, secret: str) -> list[pb.Event]:
    call = stub.SendText(pb.TextTurnRequest(session_id=session_id, text=text), timeout=TIMEOUT_S, metadata=auth(secret))
    return [event async for event in call]


# -- the tokens file --------------------------------------------------------------------------------


def test_tokens_file_loads_plain_and_hashed_secrets(tmp_path: Path) -> None:
    path = tmp_path / "tokens.toml"
    path.write_text(TOKENS_TOML)
    book = TokenBook.load(path)
    assert book.names == ("head-unit", "second-screen", "bench-tool", "operator")
    assert book.identify(f"Bearer {HMI}").name == "head-unit"  # type: ignore[union-attr]
    assert book.identify(f"bearer {HMI2}").name == "second-screen"  # type: ignore[union-attr]
    assert book.identify(f"Bearer {HMI}x") is None
    assert book.identify(HMI) is None  # no scheme
    assert book.identify("Bearer ") is None
    assert HMI not in repr(book.identify(f"Bearer {HMI}"))


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('name = "a"\nscopes = ["hmi"]', "exactly one of secret and secret_sha256"),
        (f'name = "a"\nsecret = "{HMI}"\nsecret_sha256 = "{"0" * 64}"\nscopes = ["hmi"]', "exactly one"),
        ('name = "a"\nsecret = "short"\nscopes = ["hmi"]', "at least 16 characters"),
        ('name = "a"\nsecret_sha256 = "xyz"\nscopes = ["hmi"]', "64 hex digits"),
        (f'name = "a"\nsecret = "{HMI}"\nscopes = ["driver"]', "unknown scope 'driver'"),
        (f'name = "a"\nsecret = "{HMI}"\nscopes = []', "non-empty list"),
        (f'name = "a b"\nsecret = "{HMI}"\nscopes = ["hmi"]', "name must be"),
        (f'name = "a"\nsecret = "{HMI}"\nscopes = ["hmi"]\nrole = "x"', "unknown key 'role'"),
    ],
)
def test_a_bad_token_entry_is_a_config_error_without_the_secret(entry: str, complaint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        TokenBook.from_toml(f"[[token]]\n{entry}\n")
    assert complaint in str(caught.value) and caught.value.code == "bad-tokens"
    assert HMI not in str(caught.value)


def test_duplicate_names_empty_files_and_bad_toml_are_refused(tmp_path: Path) -> None:
    one = f'[[token]]\nname = "a"\nsecret = "{HMI}"\nscopes = ["hmi"]\n'
    with pytest.raises(ConfigError, match="appears twice"):
        TokenBook.from_toml(one + one)
    with pytest.raises(ConfigError, match="no \\[\\[token\\]\\]"):
        TokenBook.from_toml("")
    with pytest.raises(ConfigError, match="not valid TOML"):
        TokenBook.from_toml("[[token]\n")
    with pytest.raises(ConfigError, match="cannot read the tokens file"):
        TokenBook.load(tmp_path / "missing.toml")


# -- scopes, end to end -----------------------------------------------------------------------------


async def test_no_token_or_an_unknown_one_is_unauthenticated_on_both_services() -> None:
    async with guarded() as (server, fake), channel(server.target) as chan:
        cockpit, bench = pb_grpc.CockpitStub(chan), bpb_grpc.BenchStub(chan)
        for err in (
            await _refusal(cockpit.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S)),
            await _refusal(bench.GetStats(bpb.GetStatsRequest(), timeout=TIMEOUT_S)),
        ):
            assert err.code() is grpc.StatusCode.UNAUTHENTICATED and trailing_code(err) == "token-missing"
        for secret in ("not-a-token-at-all", HMI[:-1], HMI + " extra"):
            err = await _refusal(cockpit.ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S, metadata=auth(secret)))
            assert err.code() is grpc.StatusCode.UNAUTHENTICATED and trailing_code(err) == "token-unknown"
        turn = cockpit.SendText(pb.TextTurnRequest(text="set 21"), timeout=TIMEOUT_S)
        err = await _refusal(turn.read())
        assert err.code() is grpc.StatusCode.UNAUTHENTICATED
    assert fake.turn_texts == [] and fake.sessions == {}


async def test_an_hmi_token_on_bench_and_a_bench_token_on_cockpit_are_permission_denied() -> None:
    async with guarded() as (server, _), channel(server.target) as chan:
        cockpit, bench = pb_grpc.CockpitStub(chan), bpb_grpc.BenchStub(chan)
        err = await _refusal(bench.GetStats(bpb.GetStatsRequest(), timeout=TIMEOUT_S, metadata=auth(HMI)))
        assert err.code() is grpc.StatusCode.PERMISSION_DENIED and trailing_code(err) == "scope-missing"
        assert "'bench'" in (err.details() or "") and "head-unit" in (err.details() or "")
        err = await _refusal(cockpit.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S, metadata=auth(BENCH)))
        assert err.code() is grpc.StatusCode.PERMISSION_DENIED and trailing_code(err) == "scope-missing"
        # The right scopes pass, and admin opens both services.
        assert await bench.GetStats(bpb.GetStatsRequest(), timeout=TIMEOUT_S, metadata=auth(BENCH)) is not None
        assert await bench.GetStats(bpb.GetStatsRequest(), timeout=TIMEOUT_S, metadata=auth(ADMIN)) is not None
        skills = await cockpit.ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S, metadata=auth(ADMIN))
        assert [s.name for s in skills.skills] == ["climate", "media"]


async def test_health_stays_open_without_a_token() -> None:
    async with guarded() as (server, _), channel(server.target) as chan:
        reply = await health_pb2_grpc.HealthStub(chan).Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT_S)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_a_session_belongs_to_its_token() -> None:
    async with guarded() as (server, fake), channel(server.target) as chan:
        stub = pb_grpc.CockpitStub(chan)
        mine = await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S, metadata=auth(HMI))
        # Another hmi token may neither use nor close it, by any route.
        err = await _refusal(_events(stub, "set 28", mine.session_id, HMI2))
        assert err.code() is grpc.StatusCode.PERMISSION_DENIED and trailing_code(err) == "session-not-yours"
        close = pb.CloseSessionRequest(session_id=mine.session_id)
        err = await _refusal(stub.CloseSession(close, timeout=TIMEOUT_S, metadata=auth(HMI2)))
        assert err.code() is grpc.StatusCode.PERMISSION_DENIED and trailing_code(err) == "session-not-yours"
        talk = stub.Converse(
            iter([pb.ConverseRequest(config=pb.ConverseConfig(session_id=mine.session_id))]),
            timeout=TIMEOUT_S,
            metadata=auth(ADMIN),
        )
        err = await _refusal(talk.read())
        assert err.code() is grpc.StatusCode.PERMISSION_DENIED and trailing_code(err) == "session-not-yours"
        assert fake.turn_texts == []  # nothing reached the car
        # The owner still has it, turn counter and all.
        events = await _events(stub, "set 21", mine.session_id, HMI)
        assert [e.reply.text for e in events if e.WhichOneof("payload") == "reply"] == [
            "Driver temperature set to 21 degrees."
        ]
        await stub.CloseSession(close, timeout=TIMEOUT_S, metadata=auth(HMI))
        assert fake.sessions == {}


async def test_the_client_sends_its_token_and_no_log_line_carries_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with guarded() as (server, _):
        async with CockpitClient(server.target, timeout_s=TIMEOUT_S, token=HMI) as client:
            session = await client.create_session()
            replies = [e.data["text"] async for e in client.send_text("hello", session) if e.type.value == "reply"]
            assert replies == ["echo: hello"]
        async with CockpitClient(server.target, timeout_s=TIMEOUT_S, token=HMI + "0") as stranger:
            with pytest.raises(RemoteError) as caught:
                await stranger.create_session()
            assert caught.value.code == "token-unknown"
        async with CockpitClient(server.target, timeout_s=TIMEOUT_S, token=HMI) as client:
            with pytest.raises(InputError) as unknown:
                await client.close_session(session.session_id + "x")
            assert unknown.value.code == "unknown-session"
    logged = caplog.text
    assert "unknown bearer token" in logged
    for secret in SECRETS:
        assert secret not in logged and secret[-12:] not in logged


async def test_cockpit_ask_sends_the_token_from_its_file(tmp_path: Path) -> None:
    token_file = tmp_path / "head-unit.token"
    token_file.write_text(HMI + "\n")
    async with guarded() as (server, fake):
        for extra in (["--token-file", str(token_file)], []):
            out, err = io.StringIO(), io.StringIO()
            status = await amain(
                ["ask", "--json", "--server", server.target, *extra, "hello"],
                service_factory=lambda _s: FakeAssistant(),
                stdout=out,
                stderr=err,
            )
            if extra:
                assert status == 0 and '"text":"echo: hello"' in out.getvalue()
            else:
                assert status != 0 and "token-missing" in err.getvalue()
            assert HMI not in out.getvalue() + err.getvalue()
    assert [text for _, text in fake.turn_texts] == ["hello"]


async def test_a_client_guessing_tokens_does_not_flood_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cockpit.server.gate")
    started = time.monotonic()
    async with guarded() as (server, _), channel(server.target) as chan:
        cockpit = pb_grpc.CockpitStub(chan)
        for guess in range(50):
            metadata = auth(f"guess-{guess:04d}-not-a-token")
            err = await _refusal(cockpit.ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S, metadata=metadata))
            assert trailing_code(err) == "token-unknown"  # every guess is still refused
    warnings = [r for r in caplog.records if "unknown bearer token" in r.getMessage()]
    windows = 1 + math.ceil((time.monotonic() - started) / UNKNOWN_TOKEN_LOG_S)
    assert 1 <= len(warnings) <= windows < 50  # one per window, however many guesses
    assert "guess-" not in caplog.text

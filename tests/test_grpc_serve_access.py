"""``cockpit serve`` with a tokens file, and the Bench service only on a bench (a real subprocess)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from cockpit.cli.main import amain
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.test_grpc_auth import BENCH, HMI, TOKENS_TOML, auth
from tests.test_grpc_support import TIMEOUT_S, channel, make_fake, trailing_code

REPO = Path(__file__).resolve().parents[1]
_SERVE = (
    "import sys\n"
    "from cockpit.cli.main import main\n"
    "from tests.grpc_raw import make_fake_with_bench\n"
    "sys.exit(main(['serve', '--port', '0', *sys.argv[1:]], service_factory=make_fake_with_bench))\n"
)


async def _status(call: object) -> tuple[grpc.StatusCode, str | None]:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as err:
        return err.code(), trailing_code(err)
    return grpc.StatusCode.OK, None


@dataclass
class Served:
    """A ``cockpit serve`` subprocess: where it listens, and (once it exited) what it logged."""

    target: str
    logged: str = ""


@contextlib.asynccontextmanager
async def cockpit_serve(*flags: str, simulate: str = "true") -> AsyncIterator[Served]:
    """Run ``cockpit serve --port 0 FLAGS`` with the fake assistant and a Bench; SIGTERM on exit,
    which must end it with status 0."""
    env = {**os.environ, "COCKPIT_CAN_SIMULATE": simulate, "PYTHONUNBUFFERED": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SERVE, *flags, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert line.startswith("cockpit: serving on 127.0.0.1:"), line
        served = Served(line.rsplit(" ", 1)[1].strip())
        yield served
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 20) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    served.logged = (await proc.stderr.read()).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("simulate", "flags", "bench_status"),
    [
        ("false", [], grpc.StatusCode.UNIMPLEMENTED),  # a real car and no --bench: no one injects frames
        ("false", ["--bench"], grpc.StatusCode.OK),
        ("true", [], grpc.StatusCode.OK),  # the simulator is a bench
    ],
)
async def test_serve_with_tokens_offers_bench_only_on_a_bench(
    tmp_path: Path, simulate: str, flags: list[str], bench_status: grpc.StatusCode
) -> None:
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(TOKENS_TOML)
    async with (
        cockpit_serve("--tokens", str(tokens), *flags, simulate=simulate) as served,
        channel(served.target) as chan,
    ):
        cockpit, bench = pb_grpc.CockpitStub(chan), bpb_grpc.BenchStub(chan)
        no_token = cockpit.ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S)
        assert await _status(no_token) == (grpc.StatusCode.UNAUTHENTICATED, "token-missing")
        hmi = cockpit.ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S, metadata=auth(HMI))
        assert await _status(hmi) == (grpc.StatusCode.OK, None)
        stats = bench.GetStats(bpb.GetStatsRequest(), timeout=TIMEOUT_S, metadata=auth(BENCH))
        assert (await _status(stats))[0] is bench_status
    assert HMI not in served.logged and BENCH not in served.logged
    assert "tokens: head-unit, second-screen, bench-tool, operator" in served.logged


async def test_a_bad_tokens_file_stops_serve_before_it_starts(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.toml"
    tokens.write_text('[[token]]\nname = "x"\nsecret = "too-short"\nscopes = ["hmi"]\n')
    out, err = io.StringIO(), io.StringIO()
    status = await amain(
        ["serve", "--port", "0", "--tokens", str(tokens)], service_factory=make_fake, stdout=out, stderr=err
    )
    assert status == 2
    assert "secret must be at least 16 characters" in err.getvalue() and "too-short" not in err.getvalue()
    assert out.getvalue() == ""


async def test_serve_refuses_to_start_without_tokens_unless_insecure() -> None:
    out, err = io.StringIO(), io.StringIO()
    status = await amain(["serve", "--port", "0"], service_factory=make_fake, stdout=out, stderr=err)
    assert status == 2 and out.getvalue() == ""
    assert "refusing to serve without tokens" in err.getvalue() and "--insecure" in err.getvalue()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_serve_insecure_warns_and_takes_calls_without_a_token() -> None:
    async with cockpit_serve("--insecure") as served, channel(served.target) as chan:
        skills = pb_grpc.CockpitStub(chan).ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S)
        assert await _status(skills) == (grpc.StatusCode.OK, None)
    assert "WARNING: serving on 127.0.0.1 without tokens (--insecure)" in served.logged

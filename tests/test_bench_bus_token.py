"""The python-can interface ``cockpit`` (what ``can-sim --server`` uses) on a server with tokens:
it sends a ``bench`` token from ``token=``, ``$COCKPIT_TOKEN`` or ``$COCKPIT_TOKEN_FILE``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import can
import pytest

from cockpit.errors import ConfigError, RemoteError
from cockpit.server.bench_bus import TOKEN_ENV, TOKEN_FILE_ENV, CockpitBus, bench_token
from tests.test_grpc_auth import BENCH, HMI, guarded


@pytest.fixture(autouse=True)
def _no_token_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.delenv(TOKEN_FILE_ENV, raising=False)


def _stats(target: str) -> int:
    with CockpitBus.control(target) as control:
        return control.stats().bitrate


def _bus_sends(target: str, **kwargs: object) -> None:
    bus = CockpitBus(target, **kwargs)  # type: ignore[arg-type]
    try:
        bus.send(can.Message(arbitration_id=0x123, data=b"\x01\x02", is_extended_id=False))
        bus.flush_tx_buffer()
    finally:
        bus.shutdown()


async def test_without_a_token_the_bus_and_the_control_are_refused() -> None:
    async with guarded() as (server, _fake):
        with pytest.raises(can.CanInitializationError, match="token"):
            await asyncio.to_thread(_bus_sends, server.target)
        with pytest.raises(RemoteError) as caught:
            await asyncio.to_thread(_stats, server.target)
        assert caught.value.code == "token-missing"


async def test_the_token_comes_from_the_argument_the_environment_or_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with guarded() as (server, _fake):
        await asyncio.to_thread(_bus_sends, server.target, token=BENCH)
        monkeypatch.setenv(TOKEN_ENV, BENCH)
        await asyncio.to_thread(_bus_sends, server.target)
        assert await asyncio.to_thread(_stats, server.target) > 0
        monkeypatch.delenv(TOKEN_ENV)
        secret = tmp_path / "bench.token"
        secret.write_text(f"{BENCH}\n")
        monkeypatch.setenv(TOKEN_FILE_ENV, str(secret))
        assert await asyncio.to_thread(_stats, server.target) > 0
        monkeypatch.setenv(TOKEN_ENV, HMI)  # an hmi token is not a bench token
        with pytest.raises(RemoteError) as caught:
            await asyncio.to_thread(_stats, server.target)
        assert caught.value.code == "scope-missing"


def test_an_unreadable_or_empty_token_file_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(TOKEN_FILE_ENV, str(tmp_path / "missing"))
    with pytest.raises(ConfigError):
        bench_token()
    empty = tmp_path / "empty"
    empty.write_text("\n")
    monkeypatch.setenv(TOKEN_FILE_ENV, str(empty))
    with pytest.raises(ConfigError):
        bench_token()
    assert bench_token("given") == "given"


async def test_can_sim_takes_the_token_from_a_file_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from can_sim import cli

    secret = tmp_path / "bench.token"
    secret.write_text(f"{BENCH}\n")
    async with guarded() as (server, _fake):
        argv = ["fault", "list", "--server", server.target]
        assert await asyncio.to_thread(cli.main, argv) != 0  # no token anywhere: refused
        assert "token" in capsys.readouterr().err
        assert await asyncio.to_thread(cli.main, [*argv, "--token-file", str(secret)]) == 0
        assert "no active faults" in capsys.readouterr().out
        assert await asyncio.to_thread(cli.main, [*argv, "--tls-cert", "c.pem"]) == 2  # a cert needs its CA

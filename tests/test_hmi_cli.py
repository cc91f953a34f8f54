"""``cockpit hmi`` as a user runs it: one command serves the page and the service behind it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cockpit.cli.main import amain
from cockpit.server.auth import TokenBook
from cockpit.server.runner import start_server
from tests.conftest import Stack
from tests.hmi_support import HMI_ONLY, TOKENS, fresh_stack, loopback_unproxied_fixture, page  # noqa: F401
from tests.support import eventually

START_TIMEOUT_S = 180.0
"""Generous: the process builds the whole service on a busy machine."""


@pytest.mark.slow
async def test_cockpit_hmi_serves_the_page_and_the_service_in_one_command(tmp_path: Path) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text(f'[can]\nchannel = "hmi-cli-{os.getpid()}"\n[llm]\nenabled = false\n[voice]\nenabled = false\n')
    env = {**os.environ, "no_proxy": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cockpit", "hmi", "--port", "0", "--config", str(config),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT_S)).decode()
        assert line.startswith("cockpit: head unit on http://127.0.0.1:"), line
        url = line.split(" on ", 1)[1].split()[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 200 and "data-vss" in await response.text()
            async with http.ws_connect(url.replace("http://", "ws://") + "ws?speech=0") as ws:
                await ws.send_str(json.dumps({"type": "text", "text": "set the temperature to 21 degrees"}))
                seen: list[dict[str, Any]] = []
                while not any(m["type"] == "reply" for m in seen):
                    seen.append(json.loads((await ws.receive(timeout=START_TIMEOUT_S)).data))
        hello = next(m for m in seen if m["type"] == "hmi.hello")
        assert (hello["session"], hello["bench"]) == (True, True), "the in-memory token has hmi and bench"
        reply = next(m for m in seen if m["type"] == "reply")
        assert "21 degrees" in reply["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 60)
    assert code == 0


async def test_cockpit_hmi_server_mode_calls_with_the_token_file(fresh: Stack, tmp_path: Path) -> None:
    service = fresh.parts.service
    server, _ = await start_server(
        service, "127.0.0.1", 0, tuple(service.registrars), tokens=TokenBook.from_toml(TOKENS)
    )
    token = tmp_path / "hmi.token"
    token.write_text(HMI_ONLY + "\n")
    out = io.StringIO()
    argv = ["hmi", "--port", "0", "--server", server.target, "--token-file", str(token)]
    running = asyncio.ensure_future(amain(argv, stdout=out, stderr=io.StringIO()))
    try:
        await eventually(lambda: "head unit on" in out.getvalue() or running.done(), START_TIMEOUT_S)
        assert not running.done(), out.getvalue()
        url = out.getvalue().split(" on ", 1)[1].split()[0]
        async with aiohttp.ClientSession() as http, page(int(url.rstrip("/").rsplit(":", 1)[1]), http) as p:
            hello = next(m for m in p.seen if m["type"] == "hmi.hello")
            assert (hello["session"], hello["bench"]) == (True, False), "an hmi token: no bench"
            assert (await p.turn("turn on the a c"))[-1]["type"] == "reply"
    finally:
        if not running.done():  # then its handler is installed: SIGTERM stops it, as a supervisor would
            os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(running, 60) == 0
        await server.stop(1.0)


@pytest.mark.parametrize(
    "argv",
    [
        ["hmi", "--token", "a-secret-of-enough-length"],  # a token is for --server
        ["hmi", "--server", "127.0.0.1:1", "--token", "x" * 20, "--token-file", "t"],
        ["hmi", "--port", "70000"],
    ],
)
async def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert await amain(argv) == 2

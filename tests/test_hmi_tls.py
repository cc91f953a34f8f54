"""``cockpit hmi --server ... --tls-ca``: the page's bridge reaches a server that serves TLS."""

from __future__ import annotations

import asyncio
import io
import os
import signal

import aiohttp
import pytest

from cockpit.cli.main import amain
from tests.hmi_support import loopback_unproxied_fixture, page  # noqa: F401
from tests.support import eventually

pytest.importorskip("cockpit.server.tls")
tls_tests = pytest.importorskip("tests.test_grpc_tls")
pki, tls_server = tls_tests.pki, tls_tests.tls_server  # the throwaway CA and a TLS server of the fake service

START_TIMEOUT_S = 60.0


async def test_the_bridge_speaks_tls_to_the_server(tls_server: object, pki: object) -> None:
    target, ca = tls_server.target, str(pki.ca)  # type: ignore[attr-defined]
    out = io.StringIO()
    running = asyncio.ensure_future(
        amain(["hmi", "--port", "0", "--server", target, "--tls-ca", ca], stdout=out, stderr=io.StringIO())
    )
    try:
        await eventually(lambda: "head unit on" in out.getvalue() or running.done(), START_TIMEOUT_S)
        assert not running.done(), out.getvalue()
        port = int(out.getvalue().split(" on ", 1)[1].split()[0].rstrip("/").rsplit(":", 1)[1])
        async with aiohttp.ClientSession() as http, page(port, http) as p:
            assert next(m for m in p.seen if m["type"] == "hmi.hello")["session"] is True
            events = await p.turn("set 21")
        assert events[-1] == {**events[-1], "type": "reply", "text": "Driver temperature set to 21 degrees."}
    finally:
        if not running.done():  # its handler is installed: SIGTERM stops it
            os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(running, 60) == 0


async def test_tls_flags_need_a_server() -> None:
    assert await amain(["hmi", "--tls-ca", "ca.pem"]) == 2

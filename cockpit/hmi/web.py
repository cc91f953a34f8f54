"""The head unit's web server: the page's static files and one WebSocket per browser, on loopback.

The page is plain ES modules in ``cockpit/hmi/static`` (no build step). Each WebSocket gets a
:class:`~cockpit.hmi.link.Link`: a gRPC client of the service with the bridge's token. What the
browser sends is checked (:mod:`cockpit.hmi.protocol`) before anything reaches the service; a bad
message gets an ``hmi.error`` on that socket alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc
from aiohttp import WSMsgType, web
from aiohttp.typedefs import Handler

from cockpit.errors import ConfigError, InputError
from cockpit.hmi.link import Link
from cockpit.hmi.protocol import MAX_WS_MESSAGE_BYTES, Command, check_audio, error, parse_command

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
"""The page: index.html and its modules."""
LOOPBACK = "127.0.0.1"
"""The only address the page is served on: the head unit's own browser."""
DEFAULT_PORT = 8080
"""The conventional port of ``cockpit hmi``."""
MAX_OUTBOX = 10_000
"""Messages waiting for one page before its socket is closed (it reconnects and gets the state
afresh): a stalled page must not make the bridge hold every signal change since it stalled."""


class HmiServer:
    """The page and its bridge to the gRPC service at ``target``; it does not own the service."""

    def __init__(
        self,
        target: str,
        token: str | None = None,
        port: int = DEFAULT_PORT,
        credentials: grpc.ChannelCredentials | None = None,
        channel_options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self.target = target
        """``host:port`` of the gRPC service."""
        self.port = port
        """Requested port until :meth:`start`, then the bound one."""
        self._token = token
        self._credentials = credentials
        self._channel_options = [*channel_options, ("grpc.enable_http_proxy", 0)]
        self._channel: grpc.aio.Channel | None = None
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def url(self) -> str:
        """The page's address (valid after :meth:`start`)."""
        return f"http://{LOOPBACK}:{self.port}/"

    async def start(self) -> int:
        """Open the gRPC channel and start serving; returns the bound port."""
        # The service is on this machine: never through a proxy the environment may name. TLS when
        # the server asks for it (``cockpit hmi --server ... --tls-ca``).
        if self._credentials is None:
            self._channel = grpc.aio.insecure_channel(self.target, options=self._channel_options)
        else:
            self._channel = grpc.aio.secure_channel(self.target, self._credentials, options=self._channel_options)
        app = web.Application(middlewares=[self._same_machine])
        app.router.add_get("/", self._index)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/favicon.ico", self._no_icon)
        app.router.add_static("/static/", STATIC, follow_symlinks=False)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, self.port, reuse_address=False)
        try:
            await site.start()
        except OSError as err:
            await self.stop()
            raise ConfigError("listen-failed", f"cannot serve the page on {LOOPBACK}:{self.port}: {err}") from err
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or ()
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("head unit on %s (service %s)", self.url, self.target)
        return self.port

    async def stop(self) -> None:
        """Close every socket (their calls end) and the channel."""
        await self.drop_clients()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._channel is not None:
            await self._channel.close()
            self._channel = None

    async def drop_clients(self) -> None:
        """Close every browser's socket, as a lost connection would (the pages reconnect)."""
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"bridge restarting")

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @web.middleware
    async def _same_machine(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Only this machine's own page: the Host must name loopback (no DNS rebinding), and a
        browser's Origin must be the page itself (no other web site may drive the car through the
        bridge's token; WebSockets are not held back by CORS)."""
        hosts = {f"{LOOPBACK}:{self.port}", f"localhost:{self.port}"}
        origin = request.headers.get("Origin")
        if request.host not in hosts or (origin is not None and origin not in {f"http://{h}" for h in hosts}):
            log.warning("refused a request for %r from origin %r", request.host[:64], (origin or "")[:64])
            raise web.HTTPForbidden(text="the head unit serves its own page on loopback only")
        return await handler(request)

    async def _no_icon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=MAX_WS_MESSAGE_BYTES, heartbeat=30.0)
        await ws.prepare(request)
        outbox: asyncio.Queue[str] = asyncio.Queue()

        async def send(text: str) -> None:
            if outbox.qsize() >= MAX_OUTBOX:  # a page that stopped reading: it reconnects to fresh state
                if not ws.closed:
                    log.warning("a page fell %d messages behind; closing its socket", MAX_OUTBOX)
                    await ws.close(code=1013, message=b"the page fell behind")
                return
            outbox.put_nowait(text)

        async def writer() -> None:
            while True:
                text = await outbox.get()
                if ws.closed:
                    return
                await ws.send_str(text)

        assert self._channel is not None
        link = Link(self._channel, self._token, send, speech=request.query.get("speech", "1") != "0")
        writing = asyncio.ensure_future(writer())
        self._sockets.add(ws)
        try:
            await link.start()
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._command(link, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await self._audio(link, msg.data)
                elif msg.type is WSMsgType.ERROR:
                    log.info("a page's socket failed: %s", ws.exception())
        finally:
            self._sockets.discard(ws)
            await link.close()
            writing.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                await writing
        return ws

    async def _command(self, link: Link, raw: str) -> None:
        try:
            command = parse_command(raw)
        except InputError as err:
            await link.reply(error(err.code, err.message))
            return
        run(link, command)

    async def _audio(self, link: Link, data: bytes) -> None:
        try:
            chunk = check_audio(data)
        except InputError as err:
            await link.reply(error(err.code, err.message))
            return
        if not link.audio(chunk):
            await link.reply(error("not-listening", "audio arrived while the microphone is off; press talk first"))


def run(link: Link, command: Command) -> None:
    """Carry out one checked command."""
    args = command.args
    match command.type:
        case "text":
            link.text(args["text"])
        case "listen":
            link.listen(args["mode"])
        case "listen_end":
            link.listen_end()
        case "bench":
            link.bench.stream(args["on"])
        case "fault":
            link.bench.fault(args["kind"], args["message"], args["ecu"])
        case "clear_fault":
            link.bench.clear(args["fault_id"])

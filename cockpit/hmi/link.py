"""One browser's gRPC link to the service: its session, its turns, the car's state and health.

Every call goes through the public gRPC API with the bridge's bearer token, exactly as any other
head unit would. Events come back as the JSON lines of docs/events.md; everything is handed to
``send`` (a coroutine function that writes one WebSocket text message).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cockpit.hmi.bench_link import BenchLink
from cockpit.hmi.protocol import AUDIO_RATE_HZ, dumps, error, rpc_error
from cockpit.server import convert
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from cockpit.vehicle.position import AVERAGE_SPEED_KMH, ORIGIN_LATITUDE, ORIGIN_LONGITUDE

Send = Callable[[str], Awaitable[None]]
"""Writes one text message to the browser."""
HEALTH_SERVICES = {"dialogue": "cockpit.v1.Cockpit/dialogue", "voice": "cockpit.v1.Cockpit/voice"}
"""The gRPC health entries the page shows as badges."""
HEALTH_POLL_S = 2.0
"""How often health is asked (also how soon a lost service is noticed)."""
RETRY_S = (0.5, 1.0, 2.0, 4.0)
"""Backoff of the state watch after the service went away (then the last step, repeated)."""
TURN_TIMEOUT_S = 120.0
"""Deadline of one typed turn (a language-model answer can take a while)."""
_END = object()
"""Put in a stream's audio queue: the microphone is off, the request stream ends."""


def event_line(msg: pb.Event) -> str:
    """The event's JSON line, byte for byte what ``cockpit ask --json`` prints."""
    return dumps(convert.proto_to_dict(msg))


class Link:
    """The gRPC side of one WebSocket; :meth:`start`, then commands, then :meth:`close`."""

    def __init__(self, channel: grpc.aio.Channel, token: str | None, send: Send, speech: bool = True) -> None:
        self._channel = channel
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._stub = pb_grpc.CockpitStub(channel)
        self._send = send
        self._speech = speech
        self._session = ""
        self._tasks: set[asyncio.Task[Any]] = set()
        self._audio: asyncio.Queue[Any] | None = None
        self._stray_told = False
        self._renewing = asyncio.Lock()
        self.bench = BenchLink(channel, self._metadata, send)
        """The bench side (frames and faults) when the token has the scope."""

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        """Open the session, learn whether the bench is allowed, then watch the car and health."""
        bench = await self.bench.allowed()
        try:
            reply = await self._stub.CreateSession(
                pb.CreateSessionRequest(speech=self._speech), timeout=10, metadata=self._metadata
            )
            self._session = reply.session_id
        except grpc.aio.AioRpcError as err:
            await self._send(error(*rpc_error(err)))
        hello = {
            "type": "hmi.hello",
            "session": bool(self._session),
            "bench": bench,
            "speech": self._speech,
            # Where routes start (the car has no live position yet) and the speed ETAs assume.
            "origin": [ORIGIN_LATITUDE, ORIGIN_LONGITUDE],
            "average_speed_kmh": AVERAGE_SPEED_KMH,
        }
        await self._send(dumps(hello))
        self._spawn(self._watch_state())
        self._spawn(self._watch_health())
        if bench:  # the frame table fills from the start, so a command's frame is there when looked for
            self.bench.stream(True)

    async def close(self) -> None:
        """Stop every call of this browser and forget its session (other clients are untouched)."""
        await self.bench.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session:
            with contextlib.suppress(grpc.aio.AioRpcError):
                await self._stub.CloseSession(
                    pb.CloseSessionRequest(session_id=self._session), timeout=5, metadata=self._metadata
                )

    async def reply(self, text: str) -> None:
        """Send one message of the bridge's own to this browser."""
        await self._send(text)

    # -- turns ------------------------------------------------------------------------------------

    def text(self, text: str) -> None:
        """Run one typed turn in the browser's session; its events stream back as they come."""
        self._spawn(self._text_turn(text))

    async def _text_turn(self, text: str) -> None:
        def send(session: str) -> Any:
            request = pb.TextTurnRequest(session_id=session, text=text)
            return self._stub.SendText(request, timeout=TURN_TIMEOUT_S, metadata=self._metadata)

        await self._relay(send)

    async def _relay(self, start: Callable[[str], Any], tell_cancelled: bool = True) -> None:
        """Forward the events of the call ``start(session)`` makes to the page. A session that
        expired while the screen sat idle is renewed once and the call made again (the same words
        or audio, in a new session); any other failure is told to the page (a cancellation only
        when ``tell_cancelled``)."""
        for attempt in range(2):
            session = self._session
            call = start(session)
            try:
                async for msg in call:
                    await self._send(event_line(msg))
                return
            except grpc.aio.AioRpcError as err:
                code, message = rpc_error(err)
                if code == "unknown-session" and attempt == 0 and await self._renew(session):
                    continue
                if tell_cancelled or err.code() is not grpc.StatusCode.CANCELLED:
                    await self._send(error(code, message))
                return
            finally:
                call.cancel()

    async def _renew(self, expired: str) -> bool:
        """Open a new session in place of ``expired`` (once, however many calls found it gone)."""
        async with self._renewing:
            if self._session != expired:
                return True
            try:
                reply = await self._stub.CreateSession(
                    pb.CreateSessionRequest(speech=self._speech), timeout=10, metadata=self._metadata
                )
            except grpc.aio.AioRpcError:
                return False
            self._session = reply.session_id
            return True

    @property
    def listening(self) -> bool:
        """Whether a ``Converse`` stream takes microphone audio now."""
        return self._audio is not None

    def listen(self, mode: str) -> None:
        """Open a ``Converse`` stream for the microphone (one at a time; a second call is ignored)."""
        if self._audio is not None:
            return
        self._audio = asyncio.Queue()
        self._stray_told = False
        self._spawn(self._converse(self._audio, mode))  # an ended stream may still finish its turn

    def audio(self, chunk: bytes) -> bool:
        """Queue one checked chunk for the open stream. False when no stream is open, the first
        time only after each stream: the chunks a page sends before it hears that the stream
        ended need one error, not one each."""
        if self._audio is None:
            first, self._stray_told = not self._stray_told, True
            return not first
        self._audio.put_nowait(chunk)
        return True

    def listen_end(self) -> None:
        """End the microphone stream: the service finishes the utterance in progress and its turn."""
        if self._audio is not None:
            self._audio.put_nowait(_END)
            self._audio = None

    async def _converse(self, queue: asyncio.Queue[Any], mode: str) -> None:
        ended = False

        async def requests(session: str) -> AsyncIterator[pb.ConverseRequest]:
            nonlocal ended
            fmt = pb.AudioFormat(sample_rate_hz=AUDIO_RATE_HZ, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)
            # The talk button is push-to-talk: no wake word while it is held. "always" listens for it.
            config = pb.ConverseConfig(session_id=session, audio_format=fmt, push_to_talk=mode == "talk")
            yield pb.ConverseRequest(config=config)
            while not ended:
                chunk = await queue.get()
                if chunk is _END:
                    ended = True
                else:
                    yield pb.ConverseRequest(audio_chunk=chunk)

        await self._send(dumps({"type": "hmi.listening", "on": True, "mode": mode}))
        try:
            await self._relay(lambda session: self._stub.Converse(requests(session), metadata=self._metadata), False)
        finally:
            if self._audio is queue:
                self._audio = None
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self._send(dumps({"type": "hmi.listening", "on": False, "mode": mode}))

    # -- the car and health -------------------------------------------------------------------------

    async def _watch_state(self) -> None:
        """Every confirmed signal, first all current values, then each change; re-opened with backoff
        when the service goes away, and the page told in between."""
        failures = 0
        while True:
            call = self._stub.WatchVehicleState(pb.WatchVehicleStateRequest(), metadata=self._metadata)
            message = "the state stream ended"
            try:
                async for signal in call:
                    if failures:
                        failures = 0
                        await self._send(dumps({"type": "hmi.service", "up": True}))
                    value = convert.signal_value_from_proto(signal.value)
                    await self._send(dumps({"type": "hmi.signal", "path": signal.path, "value": value}))
            except grpc.aio.AioRpcError as err:
                if err.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
                    await self._send(error(*rpc_error(err)))
                    return
                message = rpc_error(err)[1]
            finally:
                call.cancel()
            await self._send(dumps({"type": "hmi.service", "up": False, "message": message}))
            await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
            failures += 1

    async def _watch_health(self) -> None:
        health = health_pb2_grpc.HealthStub(self._channel)
        shown: dict[str, str] = {}
        while True:
            now: dict[str, str] = {}
            for name, service in HEALTH_SERVICES.items():
                try:
                    reply = await health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
                    now[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
                except grpc.aio.AioRpcError:
                    now[name] = "UNKNOWN"
            if now != shown:
                shown = now
                await self._send(dumps({"type": "hmi.health", **now}))
            await asyncio.sleep(HEALTH_POLL_S)

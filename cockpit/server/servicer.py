"""``cockpit.v1.Cockpit`` over an :class:`~cockpit.service_api.AssistantService`.

The only module that turns requests into service calls and events into responses. Requests are
validated before the service sees them; every failure leaves through
:class:`~cockpit.server.status.Guard`, so no RPC ends in ``UNKNOWN``. Events stream out as the
turn produces them: the service's sink feeds an :class:`~cockpit.server.streams.EventFeed` that
the response stream drains, and a cancelled RPC cancels its turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeAlias

import grpc

from cockpit.audio.format import AudioFormat, BadAudioError
from cockpit.errors import CockpitError, InputError, ResourceExhaustedError
from cockpit.events import Event
from cockpit.server import convert
from cockpit.server.auth import TokenBook, bearer
from cockpit.server.owners import SessionLedger, SessionLimits
from cockpit.server.status import Guard, RpcFailure, abort
from cockpit.server.streams import EventFeed, StateFeed, StreamLimits
from cockpit.service_api import MAX_TEXT_BYTES, AssistantService, AudioStream
from cockpit.sessions import validate_zone
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
"""The servicer context of grpc.aio (request and response types vary per RPC)."""

LANGUAGES = ("en", "ko")
"""Languages a session may ask for (a region is allowed: ``en-GB``, ``ko-KR``)."""
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8}){0,3}")

SHUTTING_DOWN = RpcFailure(
    grpc.StatusCode.UNAVAILABLE, "server-shutting-down", "the cockpit server is shutting down; reconnect shortly"
)


def validate_text(text: str) -> str:
    """The utterance unchanged; blank or oversized text is an :class:`InputError` (before the service)."""
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise InputError("text-too-long", f"text is longer than {MAX_TEXT_BYTES} bytes; say one request at a time")
    if not text.strip():
        raise InputError("text-empty", "text is empty; send the words of one request")
    return text


def validate_language(language: str) -> str:
    """The requested language tag, if its language is one of :data:`LANGUAGES`; otherwise an
    :class:`InputError` (``language-unsupported``) that quotes at most a few characters of it."""
    tag = _LANGUAGE_TAG.fullmatch(language)
    if tag is None or tag.group(1).lower() not in LANGUAGES:
        shown = repr(language[:16]) + ("..." if len(language) > 16 else "")
        raise InputError("language-unsupported", f"language {shown} is not one of {', '.join(LANGUAGES)}")
    return language


def audio_format(fmt: pb.AudioFormat) -> AudioFormat:
    """The declared format, if accepted: LINEAR16, mono or stereo, at one of the supported rates
    (all but 16 kHz are resampled). Otherwise a ``BadAudioError`` (``audio-format-unsupported``)."""
    if fmt.encoding != pb.AUDIO_ENCODING_LINEAR16:
        raise BadAudioError(
            "audio-format-unsupported", f"encoding must be LINEAR16, not {_encoding_name(fmt.encoding)}"
        )
    return AudioFormat(fmt.sample_rate_hz, fmt.channels or 1).validate()


def _encoding_name(value: pb.AudioEncoding.ValueType) -> str:
    """The enum name of an encoding, or its number when this server does not know it."""
    try:
        return pb.AudioEncoding.Name(value)
    except ValueError:
        return f"unknown encoding {value}"


def _idle(idle_s: float) -> ResourceExhaustedError:
    return ResourceExhaustedError(
        "converse-idle", f"nothing was said in this conversation for {idle_s:g} s; open a new one to speak again"
    )


class CockpitServicer(pb_grpc.CockpitServicer):
    """The ``Cockpit`` service of ``cockpit.v1``.

    With ``tokens`` every session belongs to the token that created it; ``limits`` bound the
    sessions per token and in total, and each session's turn rate (see :mod:`cockpit.server.owners`);
    ``streams`` bound the conversations' idle time and every stream's buffer
    (:class:`~cockpit.server.streams.StreamLimits`).
    """

    def __init__(
        self,
        service: AssistantService,
        tokens: TokenBook | None = None,
        limits: SessionLimits | None = None,
        streams: StreamLimits | None = None,
    ) -> None:
        self._service = service
        self._tokens = tokens
        self._ledger = SessionLedger(limits or SessionLimits(), per_owner=tokens is not None)
        self._streams = streams or StreamLimits()
        self._stopping = asyncio.Event()
        self._turns: set[asyncio.Task[None]] = set()
        self._conversations: set[EventFeed[Event]] = set()

    def hear_bench(self, notices: Any) -> None:
        """Tell every open conversation of the command frames the Bench injects
        (:class:`~cockpit.server.bench_notice.CommandNotices`)."""

        def tell(event: Event) -> None:
            for feed in list(self._conversations):
                feed.put(event)

        notices.subscribe(tell)

    def caller(self, context: Context) -> str:
        """The name of the caller's token (``""`` without tokens)."""
        return self._owner(context)

    def begin_shutdown(self) -> None:
        """Stop starting turns and end watch streams; turns in flight run on."""
        self._stopping.set()

    @property
    def turns_in_flight(self) -> int:
        """Turns running now."""
        return len(self._turns)

    # -- sessions ---------------------------------------------------------------------------------

    async def CreateSession(self, request: pb.CreateSessionRequest, context: Context) -> pb.Session:
        """Open a session in the requested (or the default) language."""
        async with Guard(context):
            speech = request.speech
            language = validate_language(request.language) if request.language else ""
            zone = validate_zone(request.zone)
            owner = self._admit(context)
            info = (
                self._service.create_session(language, speech=speech, zone=zone)
                if language
                else self._service.create_session(speech=speech, zone=zone)
            )
            self._ledger.add(info.session_id, owner)
            return convert.session_to_proto(info)

    async def CloseSession(self, request: pb.CloseSessionRequest, context: Context) -> pb.CloseSessionResponse:
        """Forget a session."""
        async with Guard(context):
            self._ledger.check(request.session_id, self._owner(context))
            self._ledger.remove(request.session_id)
            self._service.close_session(request.session_id)
            return pb.CloseSessionResponse()

    # -- turns ------------------------------------------------------------------------------------

    async def SendText(self, request: pb.TextTurnRequest, context: Context) -> AsyncIterator[pb.Event]:
        """One typed turn, its events streamed as they come."""
        async with Guard(context):
            if self._stopping.is_set():
                await abort(context, SHUTTING_DOWN)
            text = validate_text(request.text)
            with self._session(request.session_id, context) as session_id:
                self._ledger.take_turn(session_id)
                async for event in self._turn(session_id, text, context):
                    yield event

    async def Converse(
        self, request_iterator: AsyncIterator[pb.ConverseRequest], context: Context
    ) -> AsyncIterator[pb.Event]:
        """A conversation: a config message, then typed turns and audio chunks, in any mix.

        Requests are read by a pump task while this generator streams events out, so a spoken
        turn's events arrive while the client is still sending audio (and a wake word can
        interrupt a long answer). Whatever ends the pump (end of input, bad input, shutdown)
        ends the stream after the events produced so far.
        """
        async with Guard(context):
            requests = aiter(request_iterator)
            opened = time.monotonic()
            first = await self._next_request(
                requests, context, lambda: opened + self._streams.converse_idle_s - time.monotonic()
            )
            if first is None:
                return
            if first.WhichOneof("message") != "config":
                raise InputError("config-first", "the first Converse message must carry config")
            fmt = audio_format(first.config.audio_format) if first.config.HasField("audio_format") else None
            wake = not first.config.push_to_talk
            zone = validate_zone(first.config.zone)
            with self._session(first.config.session_id, context, first.config.speech, zone) as session_id:
                async for event in self._conversation(requests, session_id, fmt, context, wake):
                    yield event

    async def _conversation(
        self,
        requests: AsyncIterator[pb.ConverseRequest],
        session_id: str,
        fmt: AudioFormat | None,
        context: Context,
        wake: bool = True,
    ) -> AsyncIterator[pb.Event]:
        """Run the pump for one conversation and stream its events until it ends."""
        feed: EventFeed[Event] = EventFeed(self._streams.event_buffer)
        self._conversations.add(feed)
        try:
            pump = self._pump(requests, session_id, fmt, feed, context, wake)
            async for event in self._streamed(pump, feed, context):
                yield event
        finally:
            self._conversations.discard(feed)

    async def _pump(
        self,
        requests: AsyncIterator[pb.ConverseRequest],
        session_id: str,
        fmt: AudioFormat | None,
        feed: EventFeed[Event],
        context: Context,
        wake: bool = True,
    ) -> None:
        """Read the conversation's requests and run them: text turns one by one, audio through
        one voice stream (opened at the first chunk; ``wake`` False: push-to-talk, no wake word).
        Turns in flight end before this returns.

        A conversation in which nothing happens (no text, no event: streamed silence is nothing)
        for ``converse_idle_s`` ends with ``converse-idle``."""
        audio: AudioStream | None = None
        said = time.monotonic()  # the last text the client sent

        def idle_left() -> float:
            return max(said, feed.last_put) + self._streams.converse_idle_s - time.monotonic()

        try:
            while (request := await self._next_request(requests, context, idle_left)) is not None:
                kind = request.WhichOneof("message")
                if kind == "text":
                    text = validate_text(request.text)
                    said = time.monotonic()
                    self._ledger.take_turn(session_id)
                    if audio is not None:
                        await audio.idle()
                    await self._service.text_turn(session_id, text, feed.put)
                elif kind == "audio_chunk":
                    if fmt is None:
                        raise InputError(
                            "audio-format-missing", "declare config.audio_format before sending audio_chunk"
                        )
                    if audio is None:
                        audio = await self._service.open_audio(session_id, fmt, feed.put, wake=wake)
                    await audio.feed(request.audio_chunk)
                    if idle_left() <= 0:
                        raise _idle(self._streams.converse_idle_s)
                elif kind == "config":
                    raise InputError("config-repeated", "config may only be the first Converse message")
                else:
                    raise InputError("request-empty", "a Converse message must carry text or audio_chunk")
            if audio is not None:
                await audio.finish()
        except CockpitError:
            if audio is not None:
                await audio.idle()  # a spoken turn in flight ends (and is reported) before the error
            raise
        finally:
            if audio is not None:
                await audio.aclose()

    def _owner(self, context: Context) -> str:
        """The name of the caller's token (the gate has checked it); ``""`` without tokens."""
        if self._tokens is None:
            return ""
        token = self._tokens.identify(bearer(context.invocation_metadata()))
        return token.name if token is not None else ""

    def _admit(self, context: Context) -> str:
        """The caller, once idle sessions are closed and there is room for one more of theirs."""
        for expired in self._ledger.expire():
            self._close_quietly(expired)
        owner = self._owner(context)
        self._ledger.admit(owner)
        return owner

    @contextlib.contextmanager
    def _session(self, session_id: str, context: Context, speech: bool = False, zone: str = "") -> Iterator[str]:
        """The session to use while the block runs: the caller's own ``session_id``, or a fresh
        one-shot session when it is empty (closed after the block)."""
        if session_id:
            owner = self._owner(context)
            with self._ledger.using(session_id, owner):
                yield session_id
            return
        owner = self._admit(context)
        made = self._service.create_session(speech=speech, zone=zone).session_id
        self._ledger.add(made, owner)
        try:
            with self._ledger.using(made, owner):
                yield made
        finally:
            self._ledger.remove(made)
            self._close_quietly(made)

    def _close_quietly(self, session_id: str) -> None:
        try:
            self._service.close_session(session_id)
        except Exception:  # expired meanwhile, or the service is closing: nothing left to free
            log.debug("closing one-shot session %s failed", session_id, exc_info=True)

    async def _next_request(
        self,
        requests: AsyncIterator[pb.ConverseRequest],
        context: Context,
        idle_left: Callable[[], float] | None = None,
    ) -> pb.ConverseRequest | None:
        """The next client message, None when the client is done; UNAVAILABLE once shutting down;
        ``converse-idle`` once ``idle_left()`` (seconds) runs out while waiting."""
        if self._stopping.is_set():
            await abort(context, SHUTTING_DOWN)
        reading = asyncio.ensure_future(anext(requests, None))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            while not (reading.done() or stopping.done()):
                left = idle_left() if idle_left is not None else None
                if left is not None and left <= 0:
                    raise _idle(self._streams.converse_idle_s)
                await asyncio.wait((reading, stopping), timeout=left, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not reading.done():
                reading.cancel()
        if not reading.done() or reading.cancelled():
            await abort(context, SHUTTING_DOWN)
        return reading.result()

    async def _turn(self, session_id: str, text: str, context: Context) -> AsyncIterator[pb.Event]:
        """Run one turn as a task and yield its events as they arrive; cancel it if the RPC ends."""
        feed: EventFeed[Event] = EventFeed(self._streams.event_buffer)
        async for event in self._streamed(self._service.text_turn(session_id, text, feed.put), feed, context):
            yield event

    async def _streamed(
        self, work: Coroutine[Any, Any, None], feed: EventFeed[Event], context: Context
    ) -> AsyncIterator[pb.Event]:
        """Run ``work`` (a turn or a conversation, reporting into ``feed``) as a task, and yield its
        events as they arrive; the task is cancelled when the RPC ends, and what it raised is raised."""
        task = asyncio.create_task(work)
        self._turns.add(task)

        def finished(done: asyncio.Task[None]) -> None:
            self._turns.discard(done)
            feed.close()

        task.add_done_callback(finished)
        context.add_done_callback(lambda _ctx: task.cancel())
        try:
            async for event in feed:
                yield convert.event_to_proto(event)
            await task  # raises what ended it (InputError before any event, bad input, shutdown, ...)
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # -- vehicle state and skills -----------------------------------------------------------------

    async def GetVehicleState(self, request: pb.GetVehicleStateRequest, context: Context) -> pb.VehicleState:
        """The confirmed state, filtered by path prefix."""
        async with Guard(context):
            prefixes = tuple(request.signals)
            return pb.VehicleState(signals=convert.signals_to_proto(self._service.vehicle_state(), prefixes))

    async def WatchVehicleState(
        self, request: pb.WatchVehicleStateRequest, context: Context
    ) -> AsyncIterator[pb.Signal]:
        """The current values, then every confirmed change, until cancelled or shutting down."""
        async with Guard(context):
            prefixes = tuple(request.signals)
            feed = StateFeed(lambda path: convert.matches(path, prefixes), self._streams.watch_buffer)
            unsubscribe = self._service.watch_state(feed.listener)
            try:
                current = sorted(
                    (p, v) for p, v in self._service.vehicle_state().items() if convert.matches(p, prefixes)
                )
                for path, value in feed.seed(current):
                    yield pb.Signal(path=path, value=convert.signal_value_to_proto(value))
                while True:
                    batch = asyncio.ensure_future(feed.next_batch())
                    stopping = asyncio.ensure_future(self._stopping.wait())
                    try:
                        await asyncio.wait((batch, stopping), return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        stopping.cancel()
                        if not batch.done():
                            batch.cancel()
                    if batch.cancelled() or not batch.done():
                        await abort(context, SHUTTING_DOWN)
                    for path, value in batch.result():
                        yield pb.Signal(path=path, value=convert.signal_value_to_proto(value))
            finally:
                unsubscribe()

    async def ListSkills(self, request: pb.ListSkillsRequest, context: Context) -> pb.ListSkillsResponse:
        """The registered skills, each intent with its slots and example phrases."""
        async with Guard(context):
            return pb.ListSkillsResponse(skills=[convert.skill_to_proto(s) for s in self._service.skills()])

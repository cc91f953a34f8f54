"""The cockpit service: sessions and the turn pipeline behind the transport-free API."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from cockpit.dialogue import DialogueResponder
from cockpit.errors import InputError
from cockpit.events import EventSink
from cockpit.pipeline import TurnPipeline
from cockpit.registry import Registry
from cockpit.service_api import MAX_TEXT_BYTES, AssistantService, AudioStream, HealthReport, SessionInfo
from cockpit.sessions import SessionStore, validate_zone
from cockpit.skill_api import SignalValue, Skill, SkillInfo
from cockpit.vehicle.api import Vehicle

if TYPE_CHECKING:
    from cockpit.audio.format import AudioFormat
    from cockpit.tts.reply import Voices
    from cockpit.tts.spoken import SpokenReplies
    from cockpit.voice.frontend import Utterance
    from cockpit.voice.session import Question, Spoke


class VoiceFront(Protocol):
    """What the service needs of the voice front end (:class:`cockpit.voice.factory.VoiceStack`)."""

    def session(
        self,
        sink: EventSink,
        on_utterance: Callable[[Utterance], Coroutine[Any, Any, Question | Spoke | None]] | None,
        language: str,
        next_turn: Callable[[], int] | None,
        fmt: AudioFormat,
        on_barge_in: Callable[[], None] | None,
        *,
        wake: bool = True,
    ) -> AudioStream:
        """A stream of audio whose finished utterances go to ``on_utterance``, which returns the
        question its turn asked (None: it gave a reply; the follow-up window opens). ``wake``
        False: push-to-talk, no wake word."""


class VoiceSource(Protocol):
    """Hands out the voice front end once it is loaded (:class:`cockpit.voice.provider.VoiceProvider`)."""

    async def get(self) -> VoiceFront:
        """The loaded front end; raises what loading raised."""

    def health(self) -> tuple[str, ...]:
        """Degradations to report."""


def validate_text(text: str) -> str:
    """The utterance, stripped; empty or oversized text is an :class:`InputError`."""
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise InputError("text-too-long", f"text is longer than {MAX_TEXT_BYTES} bytes; say one request at a time")
    stripped = text.strip()
    if not stripped:
        raise InputError("text-empty", "text is empty; send the words of one request")
    return stripped


class CockpitService(AssistantService):
    """Sessions, the pipeline and the car, as one service."""

    def __init__(
        self,
        pipeline: TurnPipeline,
        vehicle: Vehicle,
        skills: Registry[Skill],
        dialogue: DialogueResponder,
        sessions: SessionStore,
        language: str = "en",
        closers: Sequence[Callable[[], Awaitable[None] | None]] = (),
        registrars: Sequence[Callable[[Any], str]] = (),
        voice: VoiceSource | None = None,
        voices: Voices | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._vehicle = vehicle
        self._skills = skills
        self._dialogue = dialogue
        self._sessions = sessions
        self._language = language
        self._closers = list(closers)
        self._voice = voice
        self._voices = voices
        self._serving = True
        self.registrars = tuple(registrars)
        """Extra services a transport should host beside this one (e.g. the CAN Bench over gRPC).
        Each is opaque here: the server calls it with its own server object."""

    def create_session(self, language: str = "", speech: bool = False, zone: str = "") -> SessionInfo:
        """Open a new session (default language when ``language`` is empty); ``speech`` asks for
        spoken replies, an :class:`InputError` (``tts-unavailable``) when speech is switched off."""
        if speech and self._voices is None:
            raise InputError("tts-unavailable", "spoken replies are switched off on this server (tts.enabled)")
        session = self._sessions.create(language or self._language, speech=speech, zone=validate_zone(zone))
        return SessionInfo(session.session_id, session.language, session.speech, session.zone)

    def close_session(self, session_id: str) -> None:
        """Forget a session."""
        self._sessions.close(session_id)

    async def text_turn(self, session_id: str, text: str, sink: EventSink) -> None:
        """Run one typed turn; bad input raises before any event."""
        utterance = validate_text(text)
        session = self._sessions.get(session_id)
        async with self._spoken(session.speech, session.language, sink) as spoken:
            await self._pipeline.run_text(session, utterance, spoken or sink)

    @contextlib.asynccontextmanager
    async def _spoken(self, speech: bool, language: str, sink: EventSink) -> AsyncIterator[SpokenReplies | None]:
        """A sink that also speaks the replies (None when the session is text only); on exit the
        speech already asked for has been sent."""
        if not speech or self._voices is None:
            yield None
            return
        from cockpit.tts.spoken import SpokenReplies

        spoken = SpokenReplies(sink, self._voices, language, asyncio.get_running_loop())
        try:
            yield spoken
            await spoken.drain()
        finally:
            spoken.close()

    async def open_audio(self, session_id: str, fmt: AudioFormat, sink: EventSink, wake: bool = True) -> AudioStream:
        """A stream of spoken turns in ``session_id``; see :meth:`AssistantService.open_audio`."""
        if self._voice is None:
            return await super().open_audio(session_id, fmt, sink, wake)
        session = self._sessions.get(session_id)
        fmt.validate()
        front = await self._voice.get()
        pipeline = self._pipeline
        speaking: list[SpokenReplies] = []  # the reply being spoken, for a barge-in

        async def on_utterance(utterance: Utterance) -> Question | Spoke | None:
            heard = utterance.transcript.confidence if utterance.transcript is not None else None
            async with self._spoken(session.speech, session.language, sink) as spoken:
                speaking[:] = [spoken] if spoken is not None else []
                turn_sink = spoken or sink
                await pipeline.run_text(
                    session, utterance.text, turn_sink, utterance.turn, clock=utterance.clock, heard=heard
                )
            speaking.clear()  # the reply has been given (and its audio sent): a window may open now
            from cockpit.voice.session import Question, Spoke  # the voice package loads on first use

            said_s = spoken.spoken_s if spoken is not None else 0.0  # still playing in the car
            pending = session.pending
            if pending is None:  # a reply: the follow-up window opens once it has played
                return Spoke(said_s) if said_s else None
            # The turn asked a question: listen for the answer (a choice, yes or no), without the
            # wake word, until it lapses; its wait starts when the car has finished asking.
            pending = session.pending = dataclasses.replace(pending, expires_at=pending.expires_at + said_s)
            return Question(pending.expires_at - time.monotonic(), tuple(pending.choices), said_s)

        def barge_in() -> None:
            pipeline.interrupt(session)
            for spoken in speaking:
                spoken.stop()  # the audio stops at the next chunk

        return front.session(sink, on_utterance, session.language, session.next_turn, fmt, barge_in, wake=wake)

    def vehicle_state(self) -> Mapping[str, SignalValue]:
        """Confirmed vehicle state."""
        return self._vehicle.snapshot()

    def watch_state(self, listener: Callable[[str, SignalValue], None]) -> Callable[[], None]:
        """Subscribe to confirmed changes."""
        return self._vehicle.subscribe(listener)

    def skills(self) -> list[SkillInfo]:
        """The registered skills, by name."""
        return [self._skills.get(name).info() for name in self._skills.names()]

    def health(self) -> HealthReport:
        """Serving unless shutting down; degraded parts listed."""
        voice = self._voice.health() if self._voice is not None else ()
        return HealthReport(self._serving, self._dialogue.health(), voice)

    async def aclose(self) -> None:
        """Stop serving and release the bus, simulators and models, last built first."""
        self._serving = False
        while self._closers:
            result = self._closers.pop()()
            if result is not None:
                await result

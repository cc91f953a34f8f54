"""The asyncio side of a voice stream: run the front end off the event loop, hand utterances on.

:class:`VoiceSession` wraps a :class:`~cockpit.voice.frontend.VoiceFrontEnd`. Each chunk is
processed in a worker thread (wake word, VAD and recognition are CPU work that must not block
the loop); the events it produced are then passed to the sink on the loop, in order.

Each finished utterance with text starts a *turn*: ``on_utterance(utterance)``, typically
``lambda u: pipeline.run_text(session, u.text, sink, u.turn, clock=u.clock)``. The turn runs as
a task while audio keeps flowing, so the driver can interrupt a long answer: a wake word heard
while a turn is still running calls ``on_barge_in()`` (which stops the language model's
generation) and the next turn starts only when the current one has ended. Turns of one stream
never overlap, so a follow-up ("yes", "make it warmer") sees what the turn before it left.

A turn that asks the driver something returns a :class:`Question` (how long to wait for the
answer, and its choices if it has several); the front end then opens its answer window, in which
"yes", "no" or a choice ("Illinois") needs no wake word. A turn that returns None gave its reply
and asked nothing: the front end opens its follow-up window, in which a confident command needs
no wake word ("a bit warmer"; see :mod:`cockpit.voice.frontend` for what is taken there). The
handler returns only once its reply has been given (spoken replies: once their audio has been
sent), so the window starts when the reply ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from cockpit.events import Event, EventSink, EventType, Transcript
from cockpit.voice.frontend import Utterance, VoiceFrontEnd

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question:
    """What a turn left the driver to answer, so the answer needs no wake word."""

    seconds: float
    """How long the question waits for its answer."""
    choices: tuple[str, ...] = ()
    """The answers of a question with several ("illinois", "missouri"); empty for yes or no."""
    speaking_s: float = 0.0
    """Seconds of the question spoken aloud, still playing when the window opens: not taken as
    the answer (the car would hear itself where the head unit cancels no echo)."""


@dataclass(frozen=True)
class Spoke:
    """A turn that gave its reply aloud and asked nothing: the follow-up window opens once the
    reply has played."""

    speaking_s: float
    """Seconds of the spoken reply."""


UtteranceHandler = Callable[[Utterance], Coroutine[Any, Any, Question | Spoke | float | None]]
"""``on_utterance(utterance)``: runs the text pipeline on one finished utterance; returns the
:class:`Question` the turn asked (a bare number: the seconds a yes/no question waits), or, when
it gave its reply and asked nothing (the follow-up window opens), :class:`Spoke` for a reply
spoken aloud or None."""


class _Collector:
    """An event sink that only keeps events (filled in the worker thread, drained on the loop)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def drain(self) -> list[Event]:
        events, self.events = self.events, []
        return events


class VoiceSession:
    """One audio stream on an asyncio loop: feed chunks, events and turns follow.

    ``build(sink)`` makes the front end given the sink it must report to (the session passes
    its own collecting sink). ``on_utterance`` may be None to only recognise (benchmarks,
    recognition tests); ``on_barge_in`` is called when a wake word interrupts a running turn;
    ``release(front_end)`` is called once by :meth:`aclose` (the recogniser goes back to its pool).
    """

    def __init__(
        self,
        build: Callable[[EventSink], VoiceFrontEnd],
        sink: EventSink,
        on_utterance: UtteranceHandler | None = None,
        on_barge_in: Callable[[], None] | None = None,
        release: Callable[[VoiceFrontEnd], None] | None = None,
    ) -> None:
        self._collector = _Collector()
        self.front_end = build(self._collector)
        """The synchronous front end (its state, detector and recogniser)."""
        self._sink = sink
        self._on_utterance = on_utterance
        self._on_barge_in = on_barge_in
        self._release = release
        self._turn: asyncio.Task[Question | Spoke | float | None] | None = None
        self.utterances: list[Utterance] = []
        """Every utterance finished so far, in order."""
        self.barge_ins = 0
        """Wake words heard while a turn was still running."""
        self._queued = 0  # utterances waiting for the running turn to end

    @property
    def busy(self) -> bool:
        """Whether a turn is running."""
        return self._turn is not None and not self._turn.done()

    async def feed(self, pcm: bytes) -> list[Utterance]:
        """Process one chunk; emit its events; start a turn for each finished utterance.

        Bad audio raises (``BadAudioError``, ``AudioChunkTooLarge``) before anything is
        processed; the session stays usable.
        """
        done = await asyncio.to_thread(self.front_end.feed, pcm)
        return await self._deliver(done)

    async def finish(self) -> list[Utterance]:
        """End of stream: flush the front end, deliver what it finished and wait for the last turn."""
        done = await asyncio.to_thread(self.front_end.flush)
        delivered = await self._deliver(done)
        await self.idle()
        return delivered

    async def idle(self) -> None:
        """Wait for the running turn, if any, to end."""
        if self._turn is not None:
            turn, self._turn = self._turn, None
            await turn

    def reset(self) -> None:
        """Abandon any utterance (client reset); listen for the wake word again."""
        self.front_end.reset()
        self._collector.drain()

    async def aclose(self) -> None:
        """Stop: cancel a running turn (the stream is gone) and release the recogniser (idempotent)."""
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._turn
        self._turn = None
        release, self._release = self._release, None
        if release is not None:
            self.front_end.reset()
            release(self.front_end)

    async def _deliver(self, done: list[Utterance]) -> list[Utterance]:
        events = self._collector.drain()
        for utterance in done:
            # Events up to this utterance's final transcript, then its turn, then what follows.
            upto = next((i + 1 for i, e in enumerate(events) if _is_final(e, utterance.turn)), 0)
            self._emit(events[:upto])
            events = events[upto:]
            self.utterances.append(utterance)
            if utterance.text and self._on_utterance is not None:
                self._queued += 1
                try:
                    await self.idle()  # turns of one stream run one after the other
                finally:
                    self._queued -= 1
                self._turn = asyncio.create_task(self._on_utterance(utterance))
                self._turn.add_done_callback(self._after_turn)
        self._emit(events)
        return done

    def _after_turn(self, turn: asyncio.Task[Question | Spoke | float | None]) -> None:
        if turn.cancelled() or turn.exception() is not None:
            return  # idle() re-raises the failure
        if self._queued:
            return  # the driver has already said the next thing (a barge-in): no window for this turn
        asked = turn.result()
        if isinstance(asked, Question):
            self.front_end.open_answer_window(asked.seconds, asked.choices, asked.speaking_s)
        elif isinstance(asked, Spoke):
            self.front_end.open_follow_up_window(asked.speaking_s)
        elif asked is not None:
            self.front_end.open_answer_window(asked)
        else:
            self.front_end.open_follow_up_window()

    def _emit(self, events: list[Event]) -> None:
        for event in events:
            if event.type is EventType.WAKE and self.busy:
                self.barge_ins += 1
                log.info("barge-in: wake word during turn; interrupting it")
                if self._on_barge_in is not None:
                    self._on_barge_in()
            self._sink(event)


def _is_final(event: Event, turn: int) -> bool:
    return isinstance(event.data, Transcript) and event.turn == turn and event.data.final

"""The asyncio side of a voice stream: run the front end off the event loop, hand text on.

:class:`VoiceSession` wraps a :class:`~cockpit.voice.frontend.VoiceFrontEnd`. Each chunk is
processed in a worker thread (wake word, VAD and recognition are CPU work that must not block
the loop); the events it produced are then passed to the sink on the loop, in order, and each
finished utterance with text is awaited through ``on_text(text, turn)`` — typically
``lambda text, turn: pipeline.run_text(session, text, sink, turn)`` — before the next chunk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from cockpit.events import Event, EventSink, EventType
from cockpit.voice.frontend import Utterance, VoiceFrontEnd

TextHandler = Callable[[str, int], Awaitable[None]]
"""``on_text(text, turn)``: runs the text pipeline on one final transcript."""


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
    its own collecting sink). ``on_text`` may be None to only recognise (``cockpit listen``
    without a pipeline, benchmarks).
    """

    def __init__(
        self,
        build: Callable[[EventSink], VoiceFrontEnd],
        sink: EventSink,
        on_text: TextHandler | None = None,
    ) -> None:
        self._collector = _Collector()
        self.front_end = build(self._collector)
        """The synchronous front end (its state, detector and recogniser)."""
        self._sink = sink
        self._on_text = on_text
        self.utterances: list[Utterance] = []
        """Every utterance finished so far, in order."""

    async def feed(self, pcm: bytes) -> list[Utterance]:
        """Process one chunk; emit its events; run the text pipeline on finished utterances."""
        done = await asyncio.to_thread(self.front_end.feed, pcm)
        return await self._deliver(done)

    async def finish(self) -> list[Utterance]:
        """End of stream: flush the front end and deliver what it finished."""
        done = await asyncio.to_thread(self.front_end.flush)
        return await self._deliver(done)

    def reset(self) -> None:
        """Abandon any utterance (barge-in, client reset); listen for the wake word again."""
        self.front_end.reset()
        self._collector.drain()

    async def _deliver(self, done: list[Utterance]) -> list[Utterance]:
        events = self._collector.drain()
        for utterance in done:
            # Events up to this utterance's final transcript, then its turn, then what follows.
            upto = next((i + 1 for i, e in enumerate(events) if _is_final(e, utterance.turn)), 0)
            for event in events[:upto]:
                self._sink(event)
            events = events[upto:]
            self.utterances.append(utterance)
            if utterance.text and self._on_text is not None:
                await self._on_text(utterance.text, utterance.turn)
        for event in events:
            self._sink(event)
        return done


def _is_final(event: Event, turn: int) -> bool:
    return event.type is EventType.TRANSCRIPT and event.turn == turn and bool(event.data.get("final"))

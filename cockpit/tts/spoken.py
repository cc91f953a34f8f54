"""Speaking a turn's reply while its events stream: an event sink that adds ``tts_audio`` events.

:class:`SpokenReplies` passes every event on unchanged and speaks what the driver is told: each
``llm_token`` sentence as the model releases it (so speech starts before the answer is complete),
or the ``reply`` when no sentence came before it. Synthesis runs on one worker thread, in order;
its chunks are handed back to the event loop as ``tts_audio`` events of the same turn. The turn's
owner awaits :meth:`SpokenReplies.drain` before it ends the turn, so the last chunk (``last``
set) is always part of the turn's stream.

A voice that fails is reported once per turn as an ``error`` event (``tts-unavailable`` or
``tts-failed``); the text events are never held up or lost because of it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable

from cockpit.errors import CockpitError
from cockpit.events import Error, Event, EventSink, LlmToken, Payload, Reply, TtsAudio
from cockpit.tts.api import SpeechAudio
from cockpit.tts.reply import ReplySpeech, Voices

log = logging.getLogger(__name__)


class SpokenReplies:
    """An :data:`EventSink` for one session's turns that also speaks their replies."""

    def __init__(self, sink: EventSink, voices: Voices, language: str, loop: asyncio.AbstractEventLoop) -> None:
        self._sink = sink
        self._voices = voices
        self._language = language
        self._loop = loop
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="cockpit-tts")
        self._pending: concurrent.futures.Future[None] | None = None
        self._reply: ReplySpeech | None = None
        self._spoke: set[int] = set()  # turns whose model sentences were spoken
        self._failed: set[int] = set()  # turns whose voice failed (reported once)
        self._starts: dict[int, float] = {}  # turn -> perf_counter at its t_ms 0
        self._stopped = threading.Event()
        self.spoken_s = 0.0
        """Seconds of reply audio sent so far."""

    def __call__(self, event: Event) -> None:
        self._starts.setdefault(event.turn, time.perf_counter() - event.t_ms / 1000.0)
        self._sink(event)
        match event.data:
            case LlmToken(text=text):
                self._spoke.add(event.turn)
                self._submit(event.turn, text, finish=False)
            case Reply(text=text):
                self._submit(event.turn, "" if event.turn in self._spoke else text, finish=True)

    async def drain(self) -> None:
        """Wait until everything submitted so far has been spoken (or dropped by :meth:`stop`)."""
        pending = self._pending
        if pending is not None:
            await asyncio.wrap_future(pending)

    def stop(self) -> None:
        """Barge-in: drop the speech not yet sent; the reply's closing chunk still goes out."""
        self._stopped.set()

    def close(self) -> None:
        """Stop the worker (after the work already queued)."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _submit(self, turn: int, text: str, finish: bool) -> None:
        self._pending = self._worker.submit(self._speak, turn, text, finish)

    # -- on the worker thread -------------------------------------------------------------------

    def _speak(self, turn: int, text: str, finish: bool) -> None:
        try:
            if self._reply is None:
                self._stopped.clear()
                self._reply = ReplySpeech(self._voices.get(self._language))
            for chunk in self._reply.say(text) if text else ():
                if self._stopped.is_set():
                    break
                self._send(turn, chunk)
        except CockpitError as err:  # the voice cannot load (a missing model) or cannot speak
            if turn not in self._failed:
                self._failed.add(turn)
                log.warning("cannot speak the reply: %s", err)
                self._send_event(turn, Error(err.code, err.message))
        if finish:
            reply, self._reply = self._reply, None
            if reply is not None:
                self._send(turn, reply.finish())
            self._spoke.discard(turn)

    def _send(self, turn: int, chunk: SpeechAudio) -> None:
        self.spoken_s += len(chunk.pcm) / 2 / chunk.sample_rate if chunk.sample_rate else 0.0
        self._send_event(turn, TtsAudio(**chunk.event_fields()))

    def _send_event(self, turn: int, payload: Payload) -> None:
        started = self._starts.get(turn, time.perf_counter())
        event = Event.of(payload, turn, (time.perf_counter() - started) * 1000.0)
        deliver: Callable[[Event], None] = self._sink
        self._loop.call_soon_threadsafe(deliver, event)

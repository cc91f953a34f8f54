"""The voice front end as the service sees it: built once, on first need, off the event loop.

Loading the wake-word, VAD and recogniser models takes a second or two, and a text-only client
should never pay for it. :class:`VoiceProvider` builds the :class:`~cockpit.voice.factory.VoiceStack`
on a worker thread the first time an audio stream opens (or when :meth:`VoiceProvider.start`
asks for it early, as ``cockpit serve`` does), and reports a failure as a degradation instead
of taking the service down: typed turns keep working without voice models.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from cockpit.errors import CockpitError

log = logging.getLogger(__name__)

T = TypeVar("T")


class VoiceProvider(Generic[T]):
    """Builds one value (the voice stack) with ``build()`` on first use; retries after a failure."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._future: concurrent.futures.Future[T] | None = None
        self._failure = ""

    def start(self) -> None:
        """Begin building in the background now (idempotent; a failed build is started again)."""
        with self._lock:
            if self._future is None or (self._future.done() and self._future.exception() is not None):
                self._future = concurrent.futures.Future()
                threading.Thread(target=self._run, args=(self._future,), name="cockpit-voice-load", daemon=True).start()

    def _run(self, future: concurrent.futures.Future[T]) -> None:
        try:
            value = self._build()
        except Exception as err:
            self._failure = err.message if isinstance(err, CockpitError) else f"{type(err).__name__}: {err}"
            log.warning("voice front end unavailable: %s", self._failure)
            future.set_exception(err)
            return
        self._failure = ""
        future.set_result(value)

    async def get(self) -> T:
        """The built value; raises what building raised (``ModelStoreError`` for missing models)."""
        self.start()
        assert self._future is not None
        return await asyncio.wrap_future(self._future)

    def health(self) -> tuple[str, ...]:
        """A degradation while the last build failed."""
        return (f"voice front end unavailable: {self._failure}",) if self._failure else ()

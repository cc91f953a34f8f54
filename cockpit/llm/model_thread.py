"""The one lower-priority thread every model call runs on, with cancellable, streamed work.

The model (and its tokenizer) is only ever used from this thread, one piece of work at a time, so
a turn never shares it and the audio path never competes with it on equal terms. Work streams
pieces back to the event loop as they come; cancelling the awaiting task or :meth:`ModelThread.interrupt`
stops it within a token and frees the thread for the next turn.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_NICE = 10
"""How much lower than the rest of the process the model thread runs (Linux nice increment)."""


def lower_thread_priority(increment: int) -> None:
    """Raise the calling thread's nice value by ``increment`` (Linux: per thread; threads it
    starts later, such as llama.cpp's OpenMP workers, inherit it)."""
    if increment <= 0 or not hasattr(os, "setpriority"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + increment))
    except OSError as err:
        log.warning("cannot lower the model thread's priority: %s", err)


class _Cancelled(Exception):
    """A queued turn whose caller had gone before the model thread reached it."""


class ModelThread:
    """A single worker thread, ``nice`` lower than the process, that runs the model's work in order."""

    def __init__(self, nice: int = DEFAULT_NICE) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix="cockpit-llm", initializer=lower_thread_priority, initargs=(nice,)
        )
        self._active: dict[threading.Event, str] = {}  # cancel flag -> session id
        self._lock = threading.Lock()

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Queue ``fn`` behind the work already handed over (not cancellable by :meth:`interrupt`)."""
        return self._executor.submit(fn)

    def interrupt(self, owner: str | None = None) -> None:
        """Stop the work in flight for session ``owner`` (every one when None): a barge-in."""
        with self._lock:
            for flag, session in self._active.items():
                if owner is None or session == owner:
                    flag.set()

    async def idle(self) -> None:
        """Wait until the thread has finished everything handed to it so far."""
        await asyncio.wrap_future(self._executor.submit(lambda: None))

    def shutdown(self) -> None:
        """Drop the work not started yet and wait for the running one (cancel it first)."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def run(
        self,
        work: Callable[[threading.Event, Callable[[str], None]], T],
        on_piece: Callable[[str], Any],
        owner: str = "",
    ) -> T:
        """Run ``work`` for session ``owner`` on the thread, delivering its pieces to ``on_piece``
        on the loop.

        If the awaiting task is cancelled (a client that went away, the turn deadline), ``work``'s
        cancel flag is set: a running generation stops within a token and frees the model, and a
        queued one is skipped when the thread reaches it.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        cancel = threading.Event()

        def push(piece: str | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop may be gone after a cancelled turn
                loop.call_soon_threadsafe(queue.put_nowait, piece)

        def run() -> T:
            try:
                if cancel.is_set():
                    raise _Cancelled()
                return work(cancel, push)
            finally:
                push(None)

        with self._lock:
            self._active[cancel] = owner
        future = loop.run_in_executor(self._executor, run)
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            while (piece := await queue.get()) is not None:
                on_piece(piece)
            return await future
        finally:
            cancel.set()
            with self._lock:
                self._active.pop(cancel, None)

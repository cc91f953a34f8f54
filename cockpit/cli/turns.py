"""Where ``cockpit ask`` sends its turns: the service in this process, or a server over gRPC.

Both run the same :class:`~cockpit.service_api.AssistantService`; both hand every event to a
sink as it is produced, so the printed stream is the same either way.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from cockpit import vss
from cockpit.errors import CockpitError
from cockpit.events import EventSink
from cockpit.service_api import AssistantService

if TYPE_CHECKING:
    from cockpit.server.client import CockpitClient
    from cockpit.settings import Settings

ServiceFactory = Callable[["Settings"], AssistantService | Awaitable[AssistantService]]
"""Builds the service from settings: :func:`cockpit.app.build_service` unless a test injects one."""


def default_factory(settings: Settings) -> AssistantService | Awaitable[AssistantService]:
    """:func:`cockpit.app.build_service`, imported only when a command needs the service."""
    from cockpit.app import build_service  # the composition root pulls in every backend: import late

    result: AssistantService | Awaitable[AssistantService] = build_service(settings)
    return result


async def open_service(factory: ServiceFactory, settings: Settings, stack: AsyncExitStack) -> AssistantService:
    """Build the service and arrange for ``stack`` to close it.

    A service that is an async context manager is entered (and exited); otherwise its
    ``aclose()`` (if any) is awaited on exit.
    """
    built = factory(settings)
    service: Any = await built if inspect.isawaitable(built) else built
    if not isinstance(service, AssistantService):
        raise TypeError(f"the service factory returned {type(service).__name__}, not an AssistantService")
    if hasattr(service, "__aenter__") and hasattr(service, "__aexit__"):
        await stack.enter_async_context(service)
    elif callable(aclose := getattr(service, "aclose", None)):
        stack.push_async_callback(aclose)
    return service


class TurnRunner(abc.ABC):
    """Runs typed turns, in one session throughout or in a fresh session each."""

    def __init__(self, same_session: bool, speech: bool = False, language: str = "", zone: str = "") -> None:
        self._same_session = same_session
        self._speech = speech
        self._language = language
        """The sessions' language (BCP 47); empty: the service's default."""
        self._zone = zone
        """The speaker's seat in the sessions; empty: the driver's."""

    @abc.abstractmethod
    async def run(self, text: str, sink: EventSink) -> None:
        """Run one turn on ``text``, reporting every event to ``sink`` as it comes."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close the session kept for ``same_session``."""


STATE_WAIT_S = 1.0
"""Longest a freshly started service waits to hear the car before its first turn."""
FIRST_HEARD = (
    vss.SPEED,  # the powertrain, 50 Hz
    vss.DRIVER_TEMPERATURE,  # the HVAC ECU, 10 Hz
    vss.DRIVER_SEAT_HEATING,  # the seat ECU, 5 Hz
    vss.MEDIA_ACTION,  # the media unit, 5 Hz
    vss.NAV_GUIDANCE_ACTIVE,  # the navigation unit, 2 Hz
    vss.SUNROOF_POSITION,  # the body ECU, 5 Hz
)
"""One signal of each node's status frame: the first turn waits (at most :data:`STATE_WAIT_S`)
until every node has reported once, so a question about the car is answered from the car."""


class EmbeddedTurns(TurnRunner):
    """Turns through a service in this process."""

    def __init__(
        self, service: AssistantService, same_session: bool, speech: bool = False, language: str = "", zone: str = ""
    ) -> None:
        super().__init__(same_session, speech, language, zone)
        self._service = service
        self._session: str | None = None
        self._heard_car = False

    async def _hear_the_car(self) -> None:
        # The service and its car were started a moment ago: each node's first status frame arrives
        # within one of its cycles (the slowest, navigation, every 0.5 s). A question about the car
        # must not beat them.
        for _ in range(int(STATE_WAIT_S / 0.02)):
            state = self._service.vehicle_state()
            if all(signal in state for signal in FIRST_HEARD):
                break
            await asyncio.sleep(0.02)
        self._heard_car = True

    async def run(self, text: str, sink: EventSink) -> None:
        """One turn; a fresh session is closed right after it."""
        if not self._heard_car:
            await self._hear_the_car()
        if self._same_session:
            if self._session is None:
                self._session = self._service.create_session(self._language, self._speech, self._zone).session_id
            await self._service.text_turn(self._session, text, sink)
            return
        session_id = self._service.create_session(self._language, self._speech, self._zone).session_id
        try:
            await self._service.text_turn(session_id, text, sink)
        finally:
            self._service.close_session(session_id)

    async def aclose(self) -> None:
        """Close the kept session."""
        if self._session is not None:
            session, self._session = self._session, None
            with contextlib.suppress(CockpitError):  # expired meanwhile: nothing left to close
                self._service.close_session(session)


class RemoteTurns(TurnRunner):
    """Turns through a cockpit server (``SendText``; one-shot sessions unless ``same_session``)."""

    def __init__(
        self, client: CockpitClient, same_session: bool, speech: bool = False, language: str = "", zone: str = ""
    ) -> None:
        super().__init__(same_session, speech, language, zone)
        self._client = client
        self._session: str | None = None

    async def run(self, text: str, sink: EventSink) -> None:
        """One turn; the server makes (and closes) a one-shot session when none is kept (a spoken
        one-shot session, or one in another language, is made and closed here, since only
        CreateSession can ask for speech or a language)."""
        if self._same_session:
            if self._session is None:
                made = await self._client.create_session(self._language, self._speech, self._zone)
                self._session = made.session_id
            await self._send(text, self._session, sink)
        elif self._speech or self._language or self._zone:
            session_id = (await self._client.create_session(self._language, self._speech, self._zone)).session_id
            try:
                await self._send(text, session_id, sink)
            finally:
                with contextlib.suppress(CockpitError):
                    await self._client.close_session(session_id)
        else:
            await self._send(text, "", sink)

    async def _send(self, text: str, session_id: str, sink: EventSink) -> None:
        async for event in self._client.send_text(text, session_id):
            sink(event)

    async def aclose(self) -> None:
        """Close the kept session on the server."""
        if self._session is not None:
            session, self._session = self._session, None
            with contextlib.suppress(CockpitError):  # the server went away: it forgot the session too
                await self._client.close_session(session)

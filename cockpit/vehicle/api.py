"""The seam between the pipeline and the car.

The pipeline asks for a signal write and is told, later, whether the ECU confirmed it. It never
sees frames, IDs or CRCs. Implementations: :class:`cockpit.vehicle.gateway.CanVehicle` (the real
thing, over python-can) and the fakes in ``tests``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cockpit.events import ActionStatus
from vehicle_contract.vss import SignalValue, SignalWrite

StateListener = Callable[[str, SignalValue], None]
"""Called with (VSS path, new value) whenever a confirmed value changes."""


@dataclass(frozen=True)
class WriteOutcome:
    """How one signal write ended."""

    signal: str
    """VSS path that was written."""
    value: SignalValue
    """For ``confirmed``: the value the ECU reports; otherwise the requested value."""
    status: ActionStatus
    """``confirmed``, ``rejected`` or ``timeout`` (never ``sent``)."""
    reason: str = ""
    """Why, for anything but ``confirmed``: a sentence a person can read."""


class Vehicle(abc.ABC):
    """The car as the cockpit sees it: confirmed state by VSS path, and confirmed writes."""

    @abc.abstractmethod
    def snapshot(self) -> Mapping[str, SignalValue]:
        """The current confirmed state of every known signal."""

    @abc.abstractmethod
    async def write(
        self, writes: Sequence[SignalWrite], on_sent: Callable[[SignalWrite], None] | None = None
    ) -> list[WriteOutcome]:
        """Send writes to the car and wait for the ECUs' status; one outcome per write, in order.

        Writes that belong to the same command message travel in one frame (e.g. latitude and
        longitude of a destination). ``on_sent`` is called for each write once its command frame
        is on the bus. Returns when every ECU has confirmed or rejected its request, or when the
        confirmation bound passes (``timeout``, with a reason).
        """

    @abc.abstractmethod
    def subscribe(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener`` on every confirmed change; returns a function that unsubscribes."""

"""The whole simulated car: every cockpit ECU plus the BYD powertrain, each on its own bus.

Every box sends through one :class:`~can_sim.faults.FaultLayer`; ``car.faults`` (a
:class:`~can_sim.fault_control.FaultController`) injects and clears faults on it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import TracebackType
from typing import Any, Protocol

from can_sim.body import BodyEcu
from can_sim.bus import BusConfig
from can_sim.decode import DbcSet
from can_sim.ecus import HvacEcu, MediaUnit, NavigationUnit, SeatEcu
from can_sim.fault_control import FaultController
from can_sim.faults import FaultLayer
from can_sim.powertrain import PowertrainSimulator
from can_sim.profiles import DriveProfile
from vehicle_contract.dbc import BYD_DBC, COCKPIT_DBC, DbcCodec


class Box(Protocol):
    """Anything on the simulated bus that can be switched on and off."""

    @property
    def running(self) -> bool:
        """Whether it is on the bus."""
        ...

    def start(self) -> None:
        """Join the bus."""
        ...

    def stop(self) -> None:
        """Leave the bus."""
        ...


class SimulatedCar:
    """HVAC ECU, seat ECU, media unit, navigation unit, body ECU and powertrain, on one bus configuration."""

    def __init__(
        self,
        bus: BusConfig | None = None,
        profile: DriveProfile | str = "parked",
        *,
        media_library: Collection[str] | None = None,
        seats_ventilated: bool = True,
        fault_seed: int | None = None,
    ) -> None:
        """``fault_seed`` seeds the random choices of probabilistic faults (for repeatable runs)."""
        self.bus = bus or BusConfig()
        """The configuration every box opens its own bus from."""
        cockpit = DbcCodec.load(COCKPIT_DBC)  # read-only after loading, so the boxes share it
        layer = FaultLayer(DbcSet.load(), seed=fault_seed)
        self.hvac = HvacEcu(self.bus, cockpit, faults=layer, node="hvac")
        """Climate control."""
        self.seats = SeatEcu(self.bus, cockpit, ventilated=seats_ventilated, faults=layer, node="seats")
        """Seat heating/ventilation."""
        self.media = MediaUnit(self.bus, cockpit, library=media_library, faults=layer, node="media")
        """Media unit."""
        self.navigation = NavigationUnit(self.bus, cockpit, faults=layer, node="navigation")
        """Navigation unit."""
        self.body = BodyEcu(self.bus, cockpit, faults=layer, node="body")
        """Windows, sunroof, child locks."""
        self.powertrain = PowertrainSimulator(self.bus, profile, DbcCodec.load(BYD_DBC), faults=layer)
        """BYD powertrain frames."""
        self.faults = FaultController(self.boxes(), layer, self.bus)
        """Fault injection on this car's bus."""

    @classmethod
    def from_config(
        cls, interface: str = "virtual", channel: str = "cockpit", profile: DriveProfile | str = "parked", **kwargs: Any
    ) -> SimulatedCar:
        """A car on ``can.Bus(interface=..., channel=..., **kwargs)``."""
        return cls(BusConfig(interface, channel, kwargs), profile)

    def boxes(self) -> Mapping[str, Box]:
        """Every box by name, in start order."""
        return {
            "hvac": self.hvac,
            "seats": self.seats,
            "media": self.media,
            "navigation": self.navigation,
            "body": self.body,
            "powertrain": self.powertrain,
        }

    def start(self) -> SimulatedCar:
        """Start every box; if one cannot start, the ones started are stopped again."""
        try:
            for box in self.boxes().values():
                box.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """End every fault, then stop every box (each waits for its thread)."""
        self.faults.close()
        for box in reversed(list(self.boxes().values())):
            box.stop()
        self.faults.layer.close()

    def __enter__(self) -> SimulatedCar:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

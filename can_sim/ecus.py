"""The simulated cockpit ECUs: HVAC, seats, media unit, navigation unit.

Each keeps its state in a frozen dataclass (read it with ``.state``), applies a command all or
nothing within its physical limits, and reports ``CMD_RESULT`` 2 for values outside them and 3
for functions it does not have.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from can_sim.ecu import Request, SimulatedEcu, switch
from vehicle_contract.ack import CmdResult
from vehicle_contract.signals import MEDIA_KINDS, CanValue, media_uri

TEMP_MIN_C = 16.0
"""Lowest temperature the HVAC ECU accepts (DESIGN.md: 16.0-30.0, step 0.5)."""
TEMP_MAX_C = 30.0
"""Highest temperature the HVAC ECU accepts."""
PERCENT_MAX = 100
"""Top of every percent field (fan, volume); seats go from -PERCENT_MAX to PERCENT_MAX."""
MEDIA_ID_MAX = 0xFFFF
"""Media item ids are 16 bits."""


@dataclass(frozen=True)
class HvacState:
    """What the HVAC ECU is doing."""

    driver_temp_c: float = 22.0
    """Driver set temperature, °C."""
    passenger_temp_c: float = 22.0
    """Passenger set temperature, °C."""
    fan_percent: int = 30
    """Driver fan speed, %."""
    ac: bool = False
    """Air conditioning on."""
    recirculation: bool = False
    """Recirculation on."""
    front_defrost: bool = False
    """Front defroster on."""
    rear_defrost: bool = False
    """Rear defroster on."""


class HvacEcu(SimulatedEcu[HvacState]):
    """Climate control: two temperatures, fan, AC, recirculation, defrosters."""

    name = "HVAC ECU"
    command_message = "HVAC_CMD"
    status_message = "HVAC_STATUS"
    default_state = HvacState()

    def _apply(self, request: Request) -> CmdResult:
        changes: dict[str, object] = {}
        for field_name, key in (("DRIVER_TEMP_REQ", "driver_temp_c"), ("PASSENGER_TEMP_REQ", "passenger_temp_c")):
            if field_name in request:
                temp = float(request[field_name])
                if not TEMP_MIN_C <= temp <= TEMP_MAX_C:
                    return CmdResult.REJECTED_LIMIT
                changes[key] = temp
        if "FAN_SPEED_REQ" in request:
            fan = float(request["FAN_SPEED_REQ"])
            if not 0 <= fan <= PERCENT_MAX:
                return CmdResult.REJECTED_LIMIT
            changes["fan_percent"] = int(fan)
        for field_name, key in (
            ("AC_REQ", "ac"),
            ("RECIRC_REQ", "recirculation"),
            ("FRONT_DEFROST_REQ", "front_defrost"),
            ("REAR_DEFROST_REQ", "rear_defrost"),
        ):
            on = switch(request, field_name)
            if on is not None:
                changes[key] = on
        self._state = dataclasses.replace(self._state, **changes)  # type: ignore[arg-type]
        return CmdResult.APPLIED

    def _status(self) -> dict[str, CanValue]:
        s = self._state
        return {
            "AC_ACTIVE": int(s.ac),
            "RECIRC_ACTIVE": int(s.recirculation),
            "FRONT_DEFROST_ACTIVE": int(s.front_defrost),
            "REAR_DEFROST_ACTIVE": int(s.rear_defrost),
            "DRIVER_TEMP": s.driver_temp_c,
            "PASSENGER_TEMP": s.passenger_temp_c,
            "FAN_SPEED": s.fan_percent,
        }


@dataclass(frozen=True)
class SeatState:
    """Front seat comfort levels, -100 (full ventilation) .. 100 (full heat)."""

    driver_percent: int = 0
    """Driver seat."""
    passenger_percent: int = 0
    """Passenger seat."""


class SeatEcu(SimulatedEcu[SeatState]):
    """Front seat heating and, if fitted, ventilation."""

    name = "seat ECU"
    command_message = "SEAT_CMD"
    status_message = "SEAT_STATUS"
    default_state = SeatState()

    def __init__(self, *args: Any, ventilated: bool = True, **kwargs: Any) -> None:
        """``ventilated``: whether the seats can cool; the rest as :class:`SimulatedEcu`."""
        super().__init__(*args, **kwargs)
        self.ventilated = ventilated
        """Whether the seats can cool; without it a negative level is "not available"."""

    def _apply(self, request: Request) -> CmdResult:
        changes: dict[str, int] = {}
        for field_name, key in (
            ("DRIVER_HEAT_COOL_REQ", "driver_percent"),
            ("PASSENGER_HEAT_COOL_REQ", "passenger_percent"),
        ):
            if field_name in request:
                level = int(float(request[field_name]))
                if not -PERCENT_MAX <= level <= PERCENT_MAX:
                    return CmdResult.REJECTED_LIMIT
                if level < 0 and not self.ventilated:
                    return CmdResult.REJECTED_UNAVAILABLE
                changes[key] = level
        self._state = dataclasses.replace(self._state, **changes)
        return CmdResult.APPLIED

    def _status(self) -> dict[str, CanValue]:
        return {"DRIVER_HEAT_COOL": self._state.driver_percent, "PASSENGER_HEAT_COOL": self._state.passenger_percent}


@dataclass(frozen=True)
class MediaState:
    """What the media unit is playing."""

    action: str = "STOP"
    """Last action carried out, as its DBC label (``STOP``, ``PLAY``, ``SKIP_FORWARD``, ...)."""
    volume: int = 30
    """Volume, %."""
    muted: bool = False
    """Muted."""
    kind: str = "track"
    """Kind of the current item: ``track``, ``station`` or ``podcast``."""
    item: int = 1
    """Id of the current item."""

    @property
    def uri(self) -> str:
        """``media:<kind>:<id>`` of the current item."""
        return media_uri(self.kind, self.item)


class MediaUnit(SimulatedEcu[MediaState]):
    """Media player: play/stop/skip, volume, mute, selecting an item by URI."""

    name = "media unit"
    command_message = "MEDIA_CMD"
    status_message = "MEDIA_STATUS"
    default_state = MediaState()

    def __init__(self, *args: Any, library: Collection[str] | None = None, **kwargs: Any) -> None:
        """``library``: the URIs it can play (``None``: any); the rest as :class:`SimulatedEcu`."""
        super().__init__(*args, **kwargs)
        self.library = frozenset(library) if library is not None else None
        """URIs it can play; ``None``: any. Selecting anything else is "not available"."""

    def _apply(self, request: Request) -> CmdResult:
        state = self._state
        if "SELECT_KIND_REQ" in request:
            kind = next((k for k, lab in MEDIA_KINDS.items() if lab == request["SELECT_KIND_REQ"]), None)
            if kind is None:
                return CmdResult.REJECTED_LIMIT
            item = int(float(request.get("SELECT_ID_REQ", 0)))
            if self.library is not None and media_uri(kind, item) not in self.library:
                return CmdResult.REJECTED_UNAVAILABLE
            state = dataclasses.replace(state, kind=kind, item=item, action="PLAY")
        if "ACTION_REQ" in request:
            action = request["ACTION_REQ"]
            if action not in ("STOP", "PLAY", "SKIP_FORWARD", "SKIP_BACKWARD"):
                return CmdResult.REJECTED_LIMIT
            step = {"SKIP_FORWARD": 1, "SKIP_BACKWARD": -1}.get(str(action), 0)
            item = min(max(state.item + step, 1), MEDIA_ID_MAX)
            state = dataclasses.replace(state, action=str(action), item=item)
        if "VOLUME_REQ" in request:
            volume = float(request["VOLUME_REQ"])
            if not 0 <= volume <= PERCENT_MAX:
                return CmdResult.REJECTED_LIMIT
            state = dataclasses.replace(state, volume=int(volume))
        muted = switch(request, "MUTE_REQ")
        if muted is not None:
            state = dataclasses.replace(state, muted=muted)
        self._state = state
        return CmdResult.APPLIED

    def _status(self) -> dict[str, CanValue]:
        s = self._state
        return {
            "MUTED": int(s.muted),
            "ACTION": s.action,
            "VOLUME": s.volume,
            "PLAYED_KIND": MEDIA_KINDS[s.kind],
            "PLAYED_ID": s.item,
        }


@dataclass(frozen=True)
class NavState:
    """The navigation unit's destination and guidance."""

    destination: tuple[float, float] | None = None
    """(latitude, longitude) in degrees, once one has been set."""
    guidance: bool = False
    """Whether route guidance is running."""


class NavigationUnit(SimulatedEcu[NavState]):
    """Navigation: set a destination (starts guidance), cancel guidance."""

    name = "navigation unit"
    command_message = "NAV_CMD"
    status_message = "NAV_STATUS"
    default_state = NavState()

    def _apply(self, request: Request) -> CmdResult:
        action = request.get("NAV_REQ")
        if action == "SET":
            lat, lon = float(request.get("DEST_LAT_REQ", 0.0)), float(request.get("DEST_LON_REQ", 0.0))
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                return CmdResult.REJECTED_LIMIT
            self._state = NavState((round(lat, 4), round(lon, 4)), True)
        elif action == "CANCEL":
            self._state = dataclasses.replace(self._state, guidance=False)
        elif action is not None:
            return CmdResult.REJECTED_LIMIT
        return CmdResult.APPLIED

    def _status(self) -> dict[str, CanValue]:
        lat, lon = self._state.destination or (0.0, 0.0)
        return {
            "DEST_VALID": int(self._state.destination is not None),
            "GUIDANCE_ACTIVE": int(self._state.guidance),
            "DEST_LAT": lat,
            "DEST_LON": lon,
        }

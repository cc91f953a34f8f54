"""Vehicle signals by their COVESA VSS names (pinned to VSS 5.0 naming), and the values they take.

These names are the public contract between skills, the vehicle layer, the gRPC state API and
the event stream. Ranges are the project's own where VSS gives none (docs/can.md, "VSS signals").
Skills read them as :mod:`cockpit.vss`, which re-exports this module.
"""

from __future__ import annotations

from dataclasses import dataclass

SignalValue = float | int | bool | str
"""A value a VSS signal can take."""


@dataclass(frozen=True)
class SignalWrite:
    """One request to change one signal of the car."""

    signal: str
    """VSS path, e.g. ``Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature``."""
    value: SignalValue
    """Requested value in the signal's VSS unit."""


VSS_RELEASE = "5.0"
"""The VSS release whose naming the signal paths follow."""

DRIVER_TEMPERATURE = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"
PASSENGER_TEMPERATURE = "Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature"
DRIVER_FAN_SPEED = "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed"
AC_ACTIVE = "Vehicle.Cabin.HVAC.IsAirConditioningActive"
RECIRCULATION_ACTIVE = "Vehicle.Cabin.HVAC.IsRecirculationActive"
FRONT_DEFROSTER_ACTIVE = "Vehicle.Cabin.HVAC.IsFrontDefrosterActive"
REAR_DEFROSTER_ACTIVE = "Vehicle.Cabin.HVAC.IsRearDefrosterActive"
DRIVER_SEAT_HEATING = "Vehicle.Cabin.Seat.Row1.DriverSide.HeatingCooling"
PASSENGER_SEAT_HEATING = "Vehicle.Cabin.Seat.Row1.PassengerSide.HeatingCooling"
MEDIA_ACTION = "Vehicle.Cabin.Infotainment.Media.Action"
MEDIA_VOLUME = "Vehicle.Cabin.Infotainment.Media.Volume"
MEDIA_SELECTED_URI = "Vehicle.Cabin.Infotainment.Media.SelectedURI"
MEDIA_PLAYED_URI = "Vehicle.Cabin.Infotainment.Media.Played.URI"
MEDIA_TRACK = "Vehicle.Cabin.Infotainment.Media.Played.Track"
MEDIA_ARTIST = "Vehicle.Cabin.Infotainment.Media.Played.Artist"
MEDIA_SOURCE = "Vehicle.Cabin.Infotainment.Media.Played.Source"
NAV_LATITUDE = "Vehicle.Cabin.Infotainment.Navigation.DestinationSet.Latitude"
NAV_LONGITUDE = "Vehicle.Cabin.Infotainment.Navigation.DestinationSet.Longitude"
# Project extensions: VSS 5.0 has no signal for these, so they live under the same branch with
# names in VSS style. They are documented as extensions wherever signals are listed.
MEDIA_MUTED = "Vehicle.Cabin.Infotainment.Media.IsMuted"
NAV_GUIDANCE_ACTIVE = "Vehicle.Cabin.Infotainment.Navigation.IsGuidanceActive"

DRIVER_WINDOW = "Vehicle.Cabin.Door.Row1.DriverSide.Window.Position"
PASSENGER_WINDOW = "Vehicle.Cabin.Door.Row1.PassengerSide.Window.Position"
REAR_DRIVER_SIDE_WINDOW = "Vehicle.Cabin.Door.Row2.DriverSide.Window.Position"
REAR_PASSENGER_SIDE_WINDOW = "Vehicle.Cabin.Door.Row2.PassengerSide.Window.Position"
SUNROOF_POSITION = "Vehicle.Cabin.Sunroof.Position"
REAR_DRIVER_SIDE_CHILD_LOCK = "Vehicle.Cabin.Door.Row2.DriverSide.IsChildLockActive"
REAR_PASSENGER_SIDE_CHILD_LOCK = "Vehicle.Cabin.Door.Row2.PassengerSide.IsChildLockActive"
WINDOWS = (DRIVER_WINDOW, PASSENGER_WINDOW, REAR_DRIVER_SIDE_WINDOW, REAR_PASSENGER_SIDE_WINDOW)
"""The four door windows, front then rear, driver's side first."""
REAR_WINDOWS = (REAR_DRIVER_SIDE_WINDOW, REAR_PASSENGER_SIDE_WINDOW)
"""The windows the child locks guard."""

SPEED = "Vehicle.Speed"
SELECTED_GEAR = "Vehicle.Powertrain.Transmission.SelectedGear"
IS_MOVING = "Vehicle.IsMoving"


@dataclass(frozen=True)
class SignalSpec:
    """What the project knows about one VSS signal."""

    path: str
    """Full VSS path."""
    datatype: str
    """VSS datatype: ``float``, ``uint8``, ``int8``, ``boolean``, ``string``, ``double``, ``int8``."""
    unit: str = ""
    """VSS unit, e.g. ``celsius``, ``percent``, ``km/h``, ``degrees``."""
    minimum: float | None = None
    """Lowest value the car accepts, if bounded."""
    maximum: float | None = None
    """Highest value the car accepts, if bounded."""
    step: float | None = None
    """Resolution the car accepts, if quantised."""
    writable: bool = True
    """Whether the cockpit may request it (actuator) or only read it (sensor)."""


SIGNALS: dict[str, SignalSpec] = {
    s.path: s
    for s in (
        SignalSpec(DRIVER_TEMPERATURE, "float", "celsius", 16.0, 30.0, 0.5),
        SignalSpec(PASSENGER_TEMPERATURE, "float", "celsius", 16.0, 30.0, 0.5),
        SignalSpec(DRIVER_FAN_SPEED, "uint8", "percent", 0, 100, 1),
        SignalSpec(AC_ACTIVE, "boolean"),
        SignalSpec(RECIRCULATION_ACTIVE, "boolean"),
        SignalSpec(FRONT_DEFROSTER_ACTIVE, "boolean"),
        SignalSpec(REAR_DEFROSTER_ACTIVE, "boolean"),
        SignalSpec(DRIVER_SEAT_HEATING, "int8", "percent", -100, 100, 1),
        SignalSpec(PASSENGER_SEAT_HEATING, "int8", "percent", -100, 100, 1),
        SignalSpec(MEDIA_ACTION, "string"),  # VSS enum: STOP, PLAY, SKIP-FORWARD, SKIP-BACKWARD, ...
        SignalSpec(MEDIA_VOLUME, "uint8", "percent", 0, 100, 1),
        SignalSpec(MEDIA_MUTED, "boolean"),
        SignalSpec(MEDIA_SELECTED_URI, "string"),
        SignalSpec(MEDIA_PLAYED_URI, "string", writable=False),
        SignalSpec(NAV_GUIDANCE_ACTIVE, "boolean"),
        SignalSpec(MEDIA_TRACK, "string", writable=False),
        SignalSpec(MEDIA_ARTIST, "string", writable=False),
        SignalSpec(MEDIA_SOURCE, "string", writable=False),
        SignalSpec(NAV_LATITUDE, "double", "degrees", -90.0, 90.0),
        SignalSpec(NAV_LONGITUDE, "double", "degrees", -180.0, 180.0),
        # Positions: 0 closed .. 100 fully open (VSS allows a tilted sunroof below 0; this car has none).
        *(SignalSpec(window, "uint8", "percent", 0, 100, 1) for window in WINDOWS),
        SignalSpec(SUNROOF_POSITION, "int8", "percent", 0, 100, 1),
        SignalSpec(REAR_DRIVER_SIDE_CHILD_LOCK, "boolean"),
        SignalSpec(REAR_PASSENGER_SIDE_CHILD_LOCK, "boolean"),
        SignalSpec(SPEED, "float", "km/h", writable=False),
        SignalSpec(SELECTED_GEAR, "int8", writable=False),
        SignalSpec(IS_MOVING, "boolean", writable=False),
    )
}
"""Every signal cockpit reads or writes, by path."""

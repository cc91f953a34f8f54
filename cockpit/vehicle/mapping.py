"""VSS signal <-> cockpit.dbc signal: the table, and the small conversions it uses.

A write of one VSS signal becomes some fields of one command message (:class:`CommandBinding`);
a status message decodes into VSS values (:class:`StatusBinding`); each ECU answers its command
message with its status message (:class:`EcuLink`). Pure data and pure functions: decoded
values come in as numbers or value-table labels (anything with ``name`` and ``value``, which is
what cantools' ``NamedSignalValue`` is), and commands go out as numbers or labels. The conventions
both sides share (``ACK_COUNTER``/``CMD_RESULT``, signal values, media URIs) are the vehicle
contract's (:mod:`vehicle_contract.ack`, :mod:`vehicle_contract.signals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from vehicle_contract import vss
from vehicle_contract.ack import CmdResult
from vehicle_contract.signals import MEDIA_KINDS, CanValue, label_of, media_uri, number_of, parse_media_uri
from vehicle_contract.vss import SignalValue

RESULT_REASONS: Mapping[int, str] = {
    CmdResult.NONE: "the {ecu} answered without saying whether it carried out the request",
    CmdResult.REJECTED_LIMIT: "the {ecu} refused the request: the value is outside what it accepts",
    CmdResult.REJECTED_UNAVAILABLE: "the {ecu} refused the request: this car does not have that function",
}
"""A sentence per non-applied result, for ``rejected`` outcomes (``{ecu}``: the ECU's name)."""


class Conversion(Protocol):
    """How one VSS value maps to DBC signals, in one direction or both."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """DBC signal values for VSS ``value``; ``ValueError``/``TypeError`` if it has none."""
        ...

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """The VSS value a decoded frame carries, or ``None`` if the frame says it has none."""
        ...


def _require_number(value: SignalValue) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _require_bool(value: SignalValue) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


@dataclass(frozen=True)
class Number:
    """A scaled number in one signal, rounded to the signal's resolution on the way back."""

    signal: str
    """DBC signal name."""
    ndigits: int = 1
    """Decimals kept when decoding (0 gives an ``int``)."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """The number as the signal's physical value."""
        return {self.signal: _require_number(value)}

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """The decoded number; a labelled raw value (e.g. ``NO_REQUEST``) means none."""
        raw = decoded[self.signal]
        if label_of(raw) is not None:
            return None
        rounded = round(number_of(raw), self.ndigits)
        return int(rounded) if self.ndigits == 0 else rounded


@dataclass(frozen=True)
class Switch:
    """A boolean request as a tri-state command field (``OFF``/``ON``/``NO_REQUEST``)."""

    signal: str
    """DBC signal name."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """``ON`` for true, ``OFF`` for false."""
        return {self.signal: "ON" if _require_bool(value) else "OFF"}

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """``ON`` is true, ``OFF`` false, anything else none."""
        return {"ON": True, "OFF": False}.get(label_of(decoded[self.signal]) or "")


@dataclass(frozen=True)
class Flag:
    """A one-bit status flag."""

    signal: str
    """DBC signal name."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """1 for true, 0 for false."""
        return {self.signal: int(_require_bool(value))}

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """Non-zero is true."""
        return number_of(decoded[self.signal]) != 0


@dataclass(frozen=True)
class Choice:
    """A VSS string enum as a DBC value-table label."""

    signal: str
    """DBC signal name."""
    labels: Mapping[str, str]
    """VSS value -> DBC label."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """The label for ``value``; an unknown value lists the known ones."""
        if not isinstance(value, str) or value not in self.labels:
            raise ValueError(f"expected one of {', '.join(self.labels)}, got {value!r}")
        return {self.signal: self.labels[value]}

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """The VSS value whose label the frame carries, or none."""
        found = label_of(decoded[self.signal])
        return next((vss_value for vss_value, lab in self.labels.items() if lab == found), None)


@dataclass(frozen=True)
class MediaUri:
    """A media URI as a kind label plus a 16-bit id."""

    kind_signal: str
    """DBC signal holding the kind."""
    id_signal: str
    """DBC signal holding the id."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """Kind label and id of ``media:<kind>:<id>``."""
        if not isinstance(value, str):
            raise TypeError(f"expected a media URI, got {value!r}")
        kind, item = parse_media_uri(value)
        return {self.kind_signal: MEDIA_KINDS[kind], self.id_signal: item}

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """The URI being played, or none when the kind is ``NONE``."""
        found = label_of(decoded[self.kind_signal])
        kind = next((k for k, lab in MEDIA_KINDS.items() if lab == found), None)
        return None if kind is None else media_uri(kind, int(number_of(decoded[self.id_signal])))


@dataclass(frozen=True)
class MediaSource:
    """``Played.Source`` as the kind of the item being played ("track", "station", "podcast")."""

    kind_signal: str
    """DBC signal holding the kind."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """Not writable: the source follows the selected item."""
        raise TypeError("the media source is read-only; select an item instead")

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """The kind, or none."""
        found = label_of(decoded[self.kind_signal])
        return next((k for k, lab in MEDIA_KINDS.items() if lab == found), None)


@dataclass(frozen=True)
class Coordinate:
    """A latitude or longitude in degrees (1e-4 degree resolution), valid only while a flag says so."""

    signal: str
    """DBC signal name."""
    valid_signal: str | None = None
    """Status flag that must be set for the value to mean anything."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """The coordinate as physical degrees."""
        return {self.signal: _require_number(value)}

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """Degrees rounded to the resolution, or none without a valid destination."""
        if self.valid_signal is not None and number_of(decoded[self.valid_signal]) == 0:
            return None
        return round(number_of(decoded[self.signal]), 4)


@dataclass(frozen=True)
class Guidance:
    """Guidance on/off as a navigation request: true sets the destination, false cancels."""

    signal: str
    """DBC signal holding the request (``NAV_REQ``)."""

    def to_can(self, value: SignalValue) -> dict[str, CanValue]:
        """``SET`` for true, ``CANCEL`` for false."""
        return {self.signal: "SET" if _require_bool(value) else "CANCEL"}

    def from_can(self, decoded: Mapping[str, Any]) -> SignalValue | None:
        """Not a status conversion."""
        return None


@dataclass(frozen=True)
class CommandBinding:
    """How a write of one VSS signal travels: which command message, which fields."""

    path: str
    """VSS path written."""
    message: str
    """Command message that carries it."""
    conversion: Conversion
    """VSS value -> command fields."""
    extra: Mapping[str, CanValue] = field(default_factory=dict)
    """Fixed fields the write also sets (e.g. ``NAV_REQ: SET`` for a coordinate)."""
    confirm_path: str = ""
    """VSS path whose status value is the ECU's answer; empty: ``path`` itself."""
    companions: tuple[str, ...] = ()
    """VSS paths that must travel in the same frame; taken from confirmed state when not written."""
    companions_when: SignalValue | None = None
    """Companions are needed only for this written value; ``None``: always."""

    @property
    def answer_path(self) -> str:
        """The VSS path whose confirmed value answers this write."""
        return self.confirm_path or self.path


@dataclass(frozen=True)
class StatusBinding:
    """How one VSS value is read from a status message."""

    path: str
    """VSS path set."""
    message: str
    """Status message it is read from."""
    conversion: Conversion
    """Decoded fields -> VSS value."""


@dataclass(frozen=True)
class EcuLink:
    """One ECU: the command message it takes and the status message that answers it."""

    name: str
    """For people: "the HVAC ECU"."""
    command: str
    """Command message name."""
    status: str
    """Status message name."""


_MEDIA_ACTIONS = {"STOP": "STOP", "PLAY": "PLAY", "SKIP-FORWARD": "SKIP_FORWARD", "SKIP-BACKWARD": "SKIP_BACKWARD"}
_COORDS = (vss.NAV_LATITUDE, vss.NAV_LONGITUDE)


def _body(drive_side: str) -> tuple[tuple[str, str], ...]:
    """Body positions (VSS path, DBC field): the VSS names doors by role, the DBC by place, and
    the driver's doors are the left ones (FL, RL) in a left-hand-drive car, the right ones otherwise."""
    d, p = ("L", "R") if drive_side == "left" else ("R", "L")
    return (
        (vss.DRIVER_WINDOW, f"WINDOW_F{d}"),
        (vss.PASSENGER_WINDOW, f"WINDOW_F{p}"),
        (vss.REAR_DRIVER_SIDE_WINDOW, f"WINDOW_R{d}"),
        (vss.REAR_PASSENGER_SIDE_WINDOW, f"WINDOW_R{p}"),
        (vss.SUNROOF_POSITION, "SUNROOF"),
    )


def _child_locks(drive_side: str) -> tuple[tuple[str, str], ...]:
    """Child locks (VSS path, DBC field), by the same rule as :func:`_body`."""
    d, p = ("LEFT", "RIGHT") if drive_side == "left" else ("RIGHT", "LEFT")
    return (
        (vss.REAR_DRIVER_SIDE_CHILD_LOCK, f"CHILD_LOCK_{d}"),
        (vss.REAR_PASSENGER_SIDE_CHILD_LOCK, f"CHILD_LOCK_{p}"),
    )


ECUS: tuple[EcuLink, ...] = (
    EcuLink("HVAC ECU", "HVAC_CMD", "HVAC_STATUS"),
    EcuLink("seat ECU", "SEAT_CMD", "SEAT_STATUS"),
    EcuLink("media unit", "MEDIA_CMD", "MEDIA_STATUS"),
    EcuLink("navigation unit", "NAV_CMD", "NAV_STATUS"),
    EcuLink("body ECU", "BODY_CMD", "BODY_STATUS"),
)
"""Every ECU on the cockpit bus."""


def commands_for(drive_side: str = "left") -> Mapping[str, CommandBinding]:
    """Every writable VSS signal, by path, in a car with its wheel on ``drive_side``."""
    return {b.path: b for b in _commands(drive_side)}


def _commands(drive_side: str) -> tuple[CommandBinding, ...]:
    return (
        CommandBinding(vss.DRIVER_TEMPERATURE, "HVAC_CMD", Number("DRIVER_TEMP_REQ")),
        CommandBinding(vss.PASSENGER_TEMPERATURE, "HVAC_CMD", Number("PASSENGER_TEMP_REQ")),
        CommandBinding(vss.DRIVER_FAN_SPEED, "HVAC_CMD", Number("FAN_SPEED_REQ", 0)),
        CommandBinding(vss.AC_ACTIVE, "HVAC_CMD", Switch("AC_REQ")),
        CommandBinding(vss.RECIRCULATION_ACTIVE, "HVAC_CMD", Switch("RECIRC_REQ")),
        CommandBinding(vss.FRONT_DEFROSTER_ACTIVE, "HVAC_CMD", Switch("FRONT_DEFROST_REQ")),
        CommandBinding(vss.REAR_DEFROSTER_ACTIVE, "HVAC_CMD", Switch("REAR_DEFROST_REQ")),
        CommandBinding(vss.DRIVER_SEAT_HEATING, "SEAT_CMD", Number("DRIVER_HEAT_COOL_REQ", 0)),
        CommandBinding(vss.PASSENGER_SEAT_HEATING, "SEAT_CMD", Number("PASSENGER_HEAT_COOL_REQ", 0)),
        CommandBinding(vss.MEDIA_ACTION, "MEDIA_CMD", Choice("ACTION_REQ", _MEDIA_ACTIONS)),
        CommandBinding(vss.MEDIA_VOLUME, "MEDIA_CMD", Number("VOLUME_REQ", 0)),
        CommandBinding(vss.MEDIA_MUTED, "MEDIA_CMD", Switch("MUTE_REQ")),
        CommandBinding(
            vss.MEDIA_SELECTED_URI,
            "MEDIA_CMD",
            MediaUri("SELECT_KIND_REQ", "SELECT_ID_REQ"),
            confirm_path=vss.MEDIA_PLAYED_URI,
        ),
        CommandBinding(vss.NAV_LATITUDE, "NAV_CMD", Coordinate("DEST_LAT_REQ"), {"NAV_REQ": "SET"}, companions=_COORDS),
        CommandBinding(
            vss.NAV_LONGITUDE, "NAV_CMD", Coordinate("DEST_LON_REQ"), {"NAV_REQ": "SET"}, companions=_COORDS
        ),
        CommandBinding(
            vss.NAV_GUIDANCE_ACTIVE, "NAV_CMD", Guidance("NAV_REQ"), companions=_COORDS, companions_when=True
        ),
        *(CommandBinding(path, "BODY_CMD", Number(f"{field}_REQ", 0)) for path, field in _body(drive_side)),
        *(CommandBinding(path, "BODY_CMD", Switch(f"{field}_REQ")) for path, field in _child_locks(drive_side)),
    )


COMMANDS: Mapping[str, CommandBinding] = commands_for("left")
"""Every writable VSS signal, by path (a left-hand-drive car; :func:`commands_for` for either)."""


def status_for(drive_side: str = "left") -> tuple[StatusBinding, ...]:
    """Every VSS value read from a status message, in a car with its wheel on ``drive_side``."""
    return (
        StatusBinding(vss.DRIVER_TEMPERATURE, "HVAC_STATUS", Number("DRIVER_TEMP")),
        StatusBinding(vss.PASSENGER_TEMPERATURE, "HVAC_STATUS", Number("PASSENGER_TEMP")),
        StatusBinding(vss.DRIVER_FAN_SPEED, "HVAC_STATUS", Number("FAN_SPEED", 0)),
        StatusBinding(vss.AC_ACTIVE, "HVAC_STATUS", Flag("AC_ACTIVE")),
        StatusBinding(vss.RECIRCULATION_ACTIVE, "HVAC_STATUS", Flag("RECIRC_ACTIVE")),
        StatusBinding(vss.FRONT_DEFROSTER_ACTIVE, "HVAC_STATUS", Flag("FRONT_DEFROST_ACTIVE")),
        StatusBinding(vss.REAR_DEFROSTER_ACTIVE, "HVAC_STATUS", Flag("REAR_DEFROST_ACTIVE")),
        StatusBinding(vss.DRIVER_SEAT_HEATING, "SEAT_STATUS", Number("DRIVER_HEAT_COOL", 0)),
        StatusBinding(vss.PASSENGER_SEAT_HEATING, "SEAT_STATUS", Number("PASSENGER_HEAT_COOL", 0)),
        StatusBinding(vss.MEDIA_ACTION, "MEDIA_STATUS", Choice("ACTION", {**_MEDIA_ACTIONS, "UNKNOWN": "UNKNOWN"})),
        StatusBinding(vss.MEDIA_VOLUME, "MEDIA_STATUS", Number("VOLUME", 0)),
        StatusBinding(vss.MEDIA_MUTED, "MEDIA_STATUS", Flag("MUTED")),
        StatusBinding(vss.MEDIA_PLAYED_URI, "MEDIA_STATUS", MediaUri("PLAYED_KIND", "PLAYED_ID")),
        StatusBinding(vss.MEDIA_SOURCE, "MEDIA_STATUS", MediaSource("PLAYED_KIND")),
        StatusBinding(vss.NAV_LATITUDE, "NAV_STATUS", Coordinate("DEST_LAT", "DEST_VALID")),
        StatusBinding(vss.NAV_LONGITUDE, "NAV_STATUS", Coordinate("DEST_LON", "DEST_VALID")),
        StatusBinding(vss.NAV_GUIDANCE_ACTIVE, "NAV_STATUS", Flag("GUIDANCE_ACTIVE")),
        *(StatusBinding(path, "BODY_STATUS", Number(field, 0)) for path, field in _body(drive_side)),
        *(StatusBinding(path, "BODY_STATUS", Flag(field)) for path, field in _child_locks(drive_side)),
    )


STATUS: tuple[StatusBinding, ...] = status_for("left")
"""Every VSS value read from a status message (a left-hand-drive car; :func:`status_for` for either)."""


def ecu_for_command(message: str) -> EcuLink:
    """The ECU that takes command ``message``."""
    for link in ECUS:
        if link.command == message:
            return link
    raise KeyError(message)


def status_values(
    message: str, decoded: Mapping[str, Any], status: tuple[StatusBinding, ...] = STATUS
) -> dict[str, SignalValue]:
    """VSS values carried by one decoded status frame (values the frame says it lacks are left out)."""
    out: dict[str, SignalValue] = {}
    for binding in status:
        if binding.message == message:
            value = binding.conversion.from_can(decoded)
            if value is not None:
                out[binding.path] = value
    return out

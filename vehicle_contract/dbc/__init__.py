"""The DBC files of the contract and their loading: the one module, on either side, that parses a DBC.

The files ship in this package: ``cockpit.dbc`` (the cockpit's own body/infotainment bus) and
BYD's ``byd_general.dbc`` (from commaai/opendbc, MIT; see ``README.md`` and ``LICENSE.opendbc``
here). :func:`load_database` parses each once per process and everyone shares the result (the
gateway, every simulated ECU, the bench's decoder); :func:`parse_database` reads any other DBC.

A :class:`DbcCodec` wraps one database. It encodes a message from physical values (numbers, or a
signal's value-table label such as ``"NO_REQUEST"``), filling unnamed signals with their "no
request" default (:func:`idle_value`), and decodes frames back. Messages whose ``CRC`` and
``COUNTER`` signals sit in the E2E profile-1 layout are protected (:mod:`vehicle_contract.e2e`):
:meth:`DbcCodec.encode` fills both, with the message's data id (:func:`data_id_of`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import cantools
from cantools.database.can import Database, Message, Signal

from vehicle_contract import e2e
from vehicle_contract.errors import VehicleError

COCKPIT_DBC = "cockpit.dbc"
"""The cockpit's own infotainment/body DBC."""
BYD_DBC = "byd_general.dbc"
"""BYD's powertrain DBC, from commaai/opendbc (MIT)."""
SHIPPED = (COCKPIT_DBC, BYD_DBC)
"""Every DBC file this package ships, in the order the bench decodes with them."""
DBC_PACKAGE = __name__
"""The package the DBC files ship in (this one)."""
NO_REQUEST = "NO_REQUEST"
"""Value-table label of a command field's "leave this alone" value."""
CRC_SIGNAL = "CRC"
"""Name of the E2E CRC signal (byte 0)."""
COUNTER_SIGNAL = "COUNTER"
"""Name of the alive counter signal (E2E: byte 1, low nibble; BYD: wherever the DBC puts it)."""
DATA_ID_ATTRIBUTE = "DataID"
"""Message attribute holding the E2E data id; 0 or absent means the CAN id."""

SignalPhysical = int | float | str
"""What a signal is encoded from: a physical number, or a label of its value table."""


@functools.cache
def load_database(name: str) -> Database:
    """One of the shipped DBC files (:data:`SHIPPED`), by file name, parsed once per process.

    The database is shared by everyone who loads it (the gateway, each simulated ECU, the bench's
    decoders), so it is read-only by convention; parsing a DBC is a tenth of a second of Python.
    """
    try:
        text = resources.files(DBC_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as err:
        raise VehicleError("dbc-missing", f"DBC file {name} is not installed in {DBC_PACKAGE}") from err
    return parse_database(text, name)


def parse_database(text: str, origin: str, strict: bool = True) -> Database:
    """The database in DBC ``text`` (``origin`` names it in errors); ``strict=False`` lets
    overlapping signals through, as real-world DBCs given to the bench sometimes have them."""
    try:
        db = cantools.database.load_string(text, database_format="dbc", strict=strict)
    except Exception as err:  # cantools raises several parser error types
        raise VehicleError("dbc-invalid", f"DBC {origin} cannot be parsed: {err}") from err
    if not isinstance(db, Database):
        raise VehicleError("dbc-invalid", f"{origin} is not a CAN database")
    return db


def signal_of(message: Message, name: str) -> Signal | None:
    """The signal called ``name`` in ``message``, or ``None``."""
    return next((s for s in message.signals if s.name == name), None)


def has_e2e_layout(message: Message) -> bool:
    """Whether ``message`` carries ``CRC`` at bit 0 (8 bits) and ``COUNTER`` at bit 8 (4 bits),
    little-endian, in 8 bytes: the E2E profile-1 layout."""
    crc, counter = signal_of(message, CRC_SIGNAL), signal_of(message, COUNTER_SIGNAL)
    return (
        crc is not None
        and counter is not None
        and message.length == e2e.FRAME_LENGTH
        and (crc.start, crc.length, counter.start, counter.length) == (0, 8, 8, 4)
        and crc.byte_order == counter.byte_order == "little_endian"
    )


def data_id_of(message: Message) -> int:
    """The E2E data id of ``message``: its ``DataID`` attribute, else its CAN id."""
    attr = message.dbc.attributes.get(DATA_ID_ATTRIBUTE) if message.dbc else None
    value = int(attr.value) if attr is not None else 0
    return value or int(message.frame_id)


def idle_value(sig: Signal) -> SignalPhysical:
    """What ``sig`` carries in a frame that does not name it: ``NO_REQUEST`` where its value
    table has that label, else its initial value, else its minimum if positive, else 0."""
    labels = {str(c) for c in (sig.choices or {}).values()}
    if NO_REQUEST in labels:
        return NO_REQUEST
    if sig.raw_initial is not None:
        return float(sig.raw_initial * sig.scale + sig.offset)
    if sig.minimum is not None and sig.minimum > 0:
        return float(sig.minimum)
    return 0


class DbcCodec:
    """Encode and decode the messages of one DBC database, with E2E protection where declared."""

    def __init__(self, database: Database) -> None:
        self.database = database
        """The cantools database (read it, do not change it)."""
        self._by_name: dict[str, Message] = {m.name: m for m in database.messages}
        self._by_id: dict[int, Message] = {m.frame_id: m for m in database.messages}
        self._protected = {m.name for m in database.messages if self._declares_e2e(m)}
        self._defaults = {m.name: {s.name: idle_value(s) for s in m.signals} for m in database.messages}

    @classmethod
    def load(cls, name: str) -> DbcCodec:
        """A codec for a shipped DBC (``COCKPIT_DBC``, ``BYD_DBC``), parsed once per process."""
        return cls(load_database(name))

    @classmethod
    def from_file(cls, path: str | Path) -> DbcCodec:
        """A codec for a DBC file anywhere on disk."""
        return cls(parse_database(Path(path).read_text(encoding="utf-8"), str(path)))

    @staticmethod
    def _declares_e2e(message: Message) -> bool:
        if signal_of(message, CRC_SIGNAL) is None:
            return False
        if not has_e2e_layout(message):
            raise VehicleError("dbc-invalid", f"{message.name}: CRC/COUNTER are not in the E2E profile-1 layout")
        return True

    def messages(self) -> Iterator[Message]:
        """Every message of the database."""
        return iter(self.database.messages)

    def message(self, name: str) -> Message:
        """The message called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise VehicleError("unknown-message", f"no message {name!r} in this DBC") from None

    def name_of(self, frame_id: int) -> str | None:
        """The name of the message with CAN id ``frame_id``, or ``None`` if it is not in this DBC."""
        msg = self._by_id.get(frame_id)
        return msg.name if msg else None

    def frame_id(self, name: str) -> int:
        """The CAN id of message ``name``."""
        return int(self.message(name).frame_id)

    def is_protected(self, name: str) -> bool:
        """Whether message ``name`` carries an E2E CRC and alive counter."""
        return name in self._protected

    def data_id(self, name: str) -> int:
        """The E2E data id of message ``name`` (its ``DataID`` attribute, else its CAN id)."""
        return data_id_of(self.message(name))

    def cycle_time_s(self, name: str) -> float | None:
        """The message's ``GenMsgCycleTime`` in seconds, or ``None`` for event-only messages."""
        ms = self.message(name).cycle_time
        return ms / 1000.0 if ms else None

    def defaults(self, name: str) -> dict[str, SignalPhysical]:
        """Values of an idle frame: ``NO_REQUEST`` where the value table has it, else the initial value."""
        return dict(self._defaults[self.message(name).name])

    def _complete(self, name: str, values: Mapping[str, SignalPhysical], counter: int) -> dict[str, SignalPhysical]:
        unknown = sorted(set(values) - set(self._defaults[name]))
        if unknown:
            raise VehicleError("signal-unknown", f"{name} has no signal {', '.join(unknown)}")
        full = self.defaults(name)
        full.update(values)
        if name in self._protected:
            full[CRC_SIGNAL], full[COUNTER_SIGNAL] = 0, counter
        return full

    def check(self, name: str, values: Mapping[str, SignalPhysical]) -> None:
        """Raise :class:`VehicleError` unless ``values`` (some of the signals) fit message ``name``."""
        msg = self.message(name)
        try:
            msg.assert_signals_encodable(self._complete(name, values, 0), scaling=True)
        except (cantools.database.EncodeError, KeyError, ValueError, TypeError, OverflowError) as err:
            raise VehicleError("signal-unencodable", f"{name}: {err}") from err

    def encode(self, name: str, values: Mapping[str, SignalPhysical], counter: int | None = None) -> bytes:
        """One frame of message ``name``: ``values`` over the defaults; E2E-protected with ``counter``."""
        msg = self.message(name)
        protected = name in self._protected
        if protected and counter is None:
            raise VehicleError("e2e-counter-missing", f"{name} is E2E protected: give an alive counter")
        full = self._complete(name, values, counter or 0)
        try:
            data = bytes(msg.encode(full, scaling=True, padding=False, strict=True))
        except (cantools.database.EncodeError, KeyError, ValueError, TypeError, OverflowError) as err:
            raise VehicleError("signal-unencodable", f"{name}: {err}") from err
        return e2e.protect(data, self.data_id(name), counter) if protected and counter is not None else data

    def decode(self, frame_id: int, data: bytes | bytearray) -> dict[str, Any]:
        """Signals of one frame, physical, with value-table labels as ``NamedSignalValue``."""
        msg = self._by_id.get(frame_id)
        if msg is None:
            raise VehicleError("unknown-message", f"CAN id 0x{frame_id:X} is not in this DBC")
        try:
            return dict(msg.decode(bytes(data), decode_choices=True, scaling=True))  # type: ignore[arg-type]
        except (cantools.database.DecodeError, ValueError) as err:
            raise VehicleError("frame-undecodable", f"{msg.name}: {err}") from err

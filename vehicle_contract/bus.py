"""Opening a python-can bus: the one place both sides do it, and the one place that refuses
``udp_multicast``.

python-can's ``udp_multicast`` interface sends every frame to a multicast group, off the machine;
the simulated car and the cockpit stay on loopback, a kernel interface or real hardware.
"""

from __future__ import annotations

from typing import Any

import can

from vehicle_contract.errors import ConfigError, VehicleError

REFUSED_INTERFACES = frozenset({"udp_multicast"})
"""python-can interfaces never opened: they leave the machine."""


def refuse_leaving(interface: str) -> None:
    """A :class:`ConfigError` if ``interface`` is one that leaves the machine."""
    if interface in REFUSED_INTERFACES:
        raise ConfigError("bad-setting", f"can.interface {interface} leaves loopback; use virtual or socketcan")


def open_bus(interface: str = "virtual", channel: str = "cockpit", **kwargs: Any) -> can.BusABC:
    """A new python-can bus; failures to open it are :class:`VehicleError` ``can-open-failed``."""
    refuse_leaving(interface)
    try:
        return can.Bus(interface=interface, channel=channel, **kwargs)
    except (can.CanError, OSError, ValueError, ImportError, NotImplementedError) as err:
        raise VehicleError("can-open-failed", f"cannot open CAN {interface} channel {channel}: {err}") from err

"""How a simulated box reaches the bus: a python-can configuration it opens for itself.

Any python-can interface will do, and one more that the cockpit package registers with python-can
(its ``can.interface`` entry point): ``cockpit``, the bus of a running cockpit reached over its
Bench gRPC service (channel ``host:port``). That is how a simulated car, a monitor or a logger in
one process joins the in-process ``virtual`` bus of a ``cockpit serve`` in another; to the bench
it is just a python-can interface by name. Buses are opened by the contract's
:func:`~vehicle_contract.bus.open_bus`, which refuses ``udp_multicast``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import can

from vehicle_contract.bus import open_bus

BENCH_INTERFACE = "cockpit"
"""python-can interface of a running cockpit's bus over its Bench service (channel ``host:port``)."""


@dataclass(frozen=True)
class BusConfig:
    """A python-can bus configuration; every simulated ECU opens its own bus from it."""

    interface: str = "virtual"
    """python-can interface name (``cockpit`` for a server). ``udp_multicast`` is refused: it leaves loopback."""
    channel: str = "cockpit"
    """Channel: the virtual bus name, ``vcan0``, ``host:port`` of a server, ..."""
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    """Further keyword arguments for ``can.Bus`` (``bitrate``, ...)."""

    def open(self) -> can.BusABC:
        """A new bus instance on this configuration."""
        return open_bus(self.interface, self.channel, **dict(self.kwargs))

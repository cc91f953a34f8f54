"""How a simulated box reaches the bus: a python-can configuration it opens for itself.

Besides python-can's interfaces there is one more, ``bench``: the bus of a running cockpit
reached over its Bench gRPC service (channel ``host:port``; see
:class:`cockpit.server.bench_client.RemoteBenchBus`). That is how a simulated car, a monitor or
a logger in one process joins the in-process ``virtual`` bus of a ``cockpit serve`` in another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import can

from cockpit.errors import ConfigError, VehicleError

BENCH_INTERFACE = "bench"
"""Pseudo-interface: a running cockpit's bus over its Bench gRPC service (channel ``host:port``)."""


@dataclass(frozen=True)
class BusConfig:
    """A python-can bus configuration; every simulated ECU opens its own bus from it."""

    interface: str = "virtual"
    """python-can interface name, or ``bench``. ``udp_multicast`` is refused: it leaves loopback."""
    channel: str = "cockpit"
    """Channel: the virtual bus name, ``vcan0``, ..."""
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    """Further keyword arguments for ``can.Bus`` (``bitrate``, ...)."""

    def open(self) -> can.BusABC:
        """A new bus instance on this configuration."""
        if self.interface == "udp_multicast":
            raise ConfigError("bad-setting", "udp_multicast leaves loopback; use virtual or socketcan")
        try:
            if self.interface == BENCH_INTERFACE:
                from cockpit.server.bench_client import RemoteBenchBus  # grpc only when asked for

                return RemoteBenchBus(self.channel, **dict(self.kwargs))
            return can.Bus(interface=self.interface, channel=self.channel, **dict(self.kwargs))
        except (can.CanError, OSError, ValueError, ImportError) as err:
            raise VehicleError("can-open-failed", f"cannot open {self.interface} {self.channel}: {err}") from err

"""The vehicle layer: the :class:`~cockpit.vehicle.api.Vehicle` seam and its CAN implementation.

Only :mod:`cockpit.vehicle.gateway` imports python-can and only :mod:`cockpit.vehicle.dbc`
imports cantools; everything else here is pure (E2E, BYD checksum, mapping, planning,
powertrain). Import the gateway explicitly where a bus is wanted.
"""

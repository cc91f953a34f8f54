"""The vehicle layer: the :class:`~cockpit.vehicle.api.Vehicle` seam and its CAN implementation.

What the cockpit shares with the car and the bench (DBC files and codecs, E2E, BYD's checksum,
the ACK convention, the VSS signals) is the vehicle contract's (:mod:`vehicle_contract`). Here
only :mod:`cockpit.vehicle.gateway` imports python-can; everything else is pure (the VSS-to-DBC
mapping, write planning, the powertrain reader). Import the gateway explicitly where a bus is wanted.
"""

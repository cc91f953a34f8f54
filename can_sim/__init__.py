"""The CAN simulator bench: DBC files, ECU simulators, drive profiles and the ``can-sim`` CLI.

Every simulated ECU owns its own python-can bus, so it runs beside the cockpit on the same
channel exactly as a separate box would on a real bus.
"""

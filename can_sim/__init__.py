"""The CAN simulator bench: ECU simulators, drive profiles and scenarios, fault injection,
logging and replay, and the ``can-sim`` CLI.

It stands on the vehicle contract (:mod:`vehicle_contract`: DBC files, E2E, BYD's checksum, the
ACK convention) and imports nothing of the cockpit service. A running cockpit is reached through
the python-can interface ``cockpit`` that the cockpit package registers (:mod:`can_sim.remote`).

Every simulated ECU owns its own python-can bus, so it runs beside the cockpit on the same
channel exactly as a separate box would on a real bus.

- :mod:`can_sim.car`, :mod:`can_sim.ecu`, :mod:`can_sim.ecus`, :mod:`can_sim.powertrain`: the car;
- :mod:`can_sim.faults`, :mod:`can_sim.fault_control`: faults as values, the send path they act in;
- :mod:`can_sim.decode`, :mod:`can_sim.busload`, :mod:`can_sim.monitor`: decoding any DBC,
  integrity verdicts, bus load and rates, the live table;
- :mod:`can_sim.recorder`, :mod:`can_sim.scenario`: logs, replay, scripted drives;
- :mod:`can_sim.driver`, :mod:`can_sim.remote`: the car a tool drives (one started here, or a
  cockpit's own, through the ``cockpit`` python-can interface);
- :mod:`can_sim.cli`, :mod:`can_sim.commands`, :mod:`can_sim.watch`, :mod:`can_sim.inject`: the CLI.
"""

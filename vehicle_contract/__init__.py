"""The vehicle contract: what the cockpit and the CAN bench (``can_sim``) both speak.

Both sides import this package; it imports neither (a test checks the import graph). It owns:

- :mod:`vehicle_contract.dbc`: the DBC files (``cockpit.dbc``, BYD's ``byd_general.dbc``), parsed
  once per process, and :class:`~vehicle_contract.dbc.DbcCodec`, the frame codec on cantools;
- :mod:`vehicle_contract.e2e`: the E2E CRC and alive counter of cockpit.dbc frames;
- :mod:`vehicle_contract.byd`: BYD's checksum and counter;
- :mod:`vehicle_contract.ack`: how an ECU answers a command (``ACK_COUNTER``, ``CMD_RESULT``);
- :mod:`vehicle_contract.signals`: DBC signal values (numbers or value-table labels) and the media URI;
- :mod:`vehicle_contract.vss`: the VSS signals (paths, types, ranges) and the signal value types;
- :mod:`vehicle_contract.bus`: opening a python-can bus (``udp_multicast`` refused: it leaves the machine);
- :mod:`vehicle_contract.errors`: the error root and the error types both sides raise.

The rules themselves are written down in ``docs/can.md``.
"""

"""How an ECU answers a command (docs/can.md, "Commands and their answers").

Each ECU takes one command message and answers with its status message. A status frame sent
after a command echoes that command's alive counter in ``ACK_COUNTER`` and says what became of
it in ``CMD_RESULT``. The cockpit confirms an action only on such an echo; the simulated ECUs
send it. Pure data.
"""

from __future__ import annotations

import enum

ACK_SIGNAL = "ACK_COUNTER"
"""Status signal echoing the alive counter of the last command the ECU processed."""
RESULT_SIGNAL = "CMD_RESULT"
"""Status signal saying what became of that command (:class:`CmdResult`)."""
NO_ACK = 15
"""``ACK_COUNTER`` before the ECU has processed any command (never a valid alive counter)."""


class CmdResult(enum.IntEnum):
    """``CMD_RESULT`` of a status frame."""

    NONE = 0
    APPLIED = 1
    REJECTED_LIMIT = 2
    REJECTED_UNAVAILABLE = 3

"""Vehicle signals by their COVESA VSS names, as skills and the service read them.

The signals are defined once, by the vehicle contract (:mod:`vehicle_contract.vss`); this module
re-exports them under the name skills have always imported (``from cockpit import vss``).
"""

from __future__ import annotations

from vehicle_contract.vss import *  # noqa: F403  (a re-export: every public name of the contract's module)

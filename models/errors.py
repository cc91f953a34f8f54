"""The model store's error, on the one error root the whole project shares.

It lives here, not in :mod:`cockpit.errors` (which re-exports it), so that ``models`` depends on
the vehicle contract's root alone and never on the service: the service uses the store, not the
other way round.
"""

from __future__ import annotations

from vehicle_contract.errors import CockpitError


class ModelStoreError(CockpitError):
    """A model artefact is missing, the wrong size, or fails its sha256."""

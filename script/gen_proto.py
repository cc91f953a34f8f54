#!/usr/bin/env python3
"""Generate cockpit/v1 from protos/ (see :mod:`cockpit.protogen`); the Makefile and setup call this."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cockpit.protogen import main  # after sys.path: run from any directory

if __name__ == "__main__":
    sys.exit(main())

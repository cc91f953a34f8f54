"""python -m models: the models CLI."""

import sys

from models.cli import main

sys.exit(main())

"""``python -m cockpit``: the same CLI as the ``cockpit`` command."""

import sys

from cockpit.cli.main import main

if __name__ == "__main__":
    sys.exit(main())

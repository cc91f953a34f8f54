"""The ``cockpit`` command line (see :mod:`cockpit.cli.main`)."""

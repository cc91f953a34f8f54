"""cockpit: an offline in-vehicle voice assistant."""

__version__ = "0.1.0"

"""DBC files of the simulated car (data only; see README.md here for their origins)."""

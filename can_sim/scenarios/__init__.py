"""Built-in drive scenarios (TOML data; see :mod:`can_sim.scenario`)."""

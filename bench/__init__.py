"""Benchmarks: `make bench` runs every module listed in :data:`bench.__main__.SUITES`.

Each figure is reported as a ratio against a baseline measured in the same run on the same
machine, because the machines are shared and noisy: absolute times are for orientation only.
"""

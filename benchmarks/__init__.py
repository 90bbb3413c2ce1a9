"""Benchmark and evaluation scripts (this package shadows pysbd's stray top-level `benchmarks`)."""

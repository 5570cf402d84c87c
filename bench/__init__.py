"""Tongban benchmarks: throughput of case submission and task completion, and the per-step
cost of workflow persistence as processes grow. Entry point: ``python bench/run.py``."""

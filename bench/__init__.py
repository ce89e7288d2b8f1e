"""Benchmarks run by hand (``make bench``), never in CI: their figures depend on the machine."""

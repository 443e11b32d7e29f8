"""Benchmarks of the portal (``make bench``); results in docs/performance.md."""

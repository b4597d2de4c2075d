"""Benchmarks of the estimator core; each module exposes ``run() -> str`` (markdown)."""

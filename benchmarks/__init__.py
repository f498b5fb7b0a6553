"""Project benchmarks, each runnable as `python -m benchmarks.<name>`."""

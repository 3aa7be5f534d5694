"""Benchmarks: `make bench` (`python -m bench`). Each `bench/bench_*.py` module has `run() -> list[str]`
returning lines `bench: <name> = <value> <unit> (goal ...)`; ratios are measured within one run."""

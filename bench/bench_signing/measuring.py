"""Measuring: timers, the alternating service-vs-raw comparison, per-function timing, percentiles and the
result lines.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.bench_signing.raw import _stock_pyhanko


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _seconds(fn: Callable[[Any], Any], items: Iterable[Any]) -> float:
    """Seconds spent in `fn(item)` over `items` (the loop itself not counted)."""
    total = 0.0
    for item in items:
        started = time.perf_counter()
        fn(item)
        total += time.perf_counter() - started
    return total


@dataclass
class Ratio:
    service_rate: float
    raw_rate: float
    ratio: float
    raw_fast_rate: float
    ratio_fast: float


def _compare(
    rounds: Sequence[Sequence[int]],
    service: Callable[[int], Any],
    raw: Callable[[int], Any],
) -> Ratio:
    """Per round: the service once over the round's items, raw pyHanko (as shipped) and raw pyHanko with
    Pakta's hex reader over the same items; the side that goes first alternates. Rates are items per
    second summed over rounds; the ratio is the median of the per-round ratios."""
    service_s, raw_s, fast_s, ratios, fast_ratios = 0.0, 0.0, 0.0, [], []
    for number, items in enumerate(rounds):

        def run_service(items: Sequence[int] = items) -> float:
            return _seconds(service, items)

        def run_raw(stock: bool, items: Sequence[int] = items) -> float:
            with _stock_pyhanko(stock):
                return _seconds(raw, items)

        if number % 2:
            s = run_service()
            r, f = run_raw(True), run_raw(False)
        else:
            r, f = run_raw(True), run_raw(False)
            s = run_service()
        service_s, raw_s, fast_s = service_s + s, raw_s + r, fast_s + f
        ratios.append(r / s)
        fast_ratios.append(f / s)
    n = sum(len(items) for items in rounds)
    return Ratio(n / service_s, n / raw_s, statistics.median(ratios), n / fast_s, statistics.median(fast_ratios))


@contextlib.contextmanager
def _time_calls(module: Any, *names: str) -> Iterator[dict[str, float]]:
    """Seconds spent in each of `module`'s functions `names` (those it has) while the block runs."""
    spent = {name: 0.0 for name in names if callable(getattr(module, name, None))}
    originals = {name: getattr(module, name) for name in spent}

    def timing(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    for name, function in originals.items():
        setattr(module, name, timing(name, function))
    try:
        yield spent
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def _percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Results:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(f"bench: {line}")

"""Shared timing helper for the benchmark modules."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def p50_us(fn: Callable[[], object], *, repeat: int = 2000, warmup: int = 200) -> float:
    """Median wall time of one call of ``fn`` in microseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return round(statistics.median(samples) / 1000, 2)

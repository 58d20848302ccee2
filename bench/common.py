"""Shared bits of the benchmarks: timing, percentiles, and the `BENCH {json}` line format."""

import json
import statistics
import time
from collections.abc import Callable
from typing import Any


def percentile(samples: list[float], pct: float) -> float:
    """Return the pct-th percentile (0-100) of samples, interpolated."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(pct) - 1]


class Stopwatch:
    def __enter__(self) -> "Stopwatch":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def bench_line(
    bench: str,
    metric: str,
    value: float,
    unit: str,
    *,
    baseline: str,
    ratio: float,
    target: str,
    ok: bool,
) -> str:
    """Return one machine-readable result line (DESIGN §10)."""
    record: dict[str, Any] = {
        "bench": bench,
        "metric": metric,
        "value": round(value, 3),
        "unit": unit,
        "baseline": baseline,
        "ratio": round(ratio, 3),
        "target": target,
        "ok": ok,
    }
    return "BENCH " + json.dumps(record)


def emit(line: str, table: list[str], describe: Callable[[], str]) -> None:
    table.append(describe())
    print(line, flush=True)

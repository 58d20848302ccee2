"""Shared bits of the benchmarks: timing, percentiles, the `BENCH {json}` line, a server."""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


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


PASSWORD = "quartz-lantern-orbit-91"  # noqa: S105 (a throwaway bench account)
ENVDECK = Path(sys.executable).with_name("envdeck")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def envdeck_server(
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    args: list[str] | None = None,
    executable: Path | None = None,
) -> Iterator[str]:
    """Run `envdeck serve [args]` in workdir with a `bench` admin; yield its base URL.

    `executable` stands for `envdeck` (a wrapper serving another build of the UI, say).

    The health engine is off unless extra_env turns it on: the benches that start a server
    measure the API and the UI, and seeded environments point at hosts that do not exist.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    env |= {
        "PORT": str(port),
        "ENVDECK_ADMIN_USERNAME": "bench",
        "ENVDECK_ADMIN_PASSWORD": PASSWORD,
        "ENVDECK_LOG__LEVEL": "warning",
        "ENVDECK_HEALTH__ENABLED": "false",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [str(executable or ENVDECK), "serve", *(args or [])],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"envdeck serve exited {process.returncode}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("envdeck serve did not start")
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

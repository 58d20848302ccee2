"""Health engine benchmark: the real scheduler + recorder against a simulated fleet.

The demo fleet (`python -m envdeck.demo.fleet`) runs in its own process on loopback with N
healthy environments. Each phase runs in a fresh child process, one after the other, so CPU and
peak RSS are that phase's alone:

- engine: N environments (interval 10 s, jsonPath + versionJsonPath as the demo registers them)
  seeded into a temp SQLite; the real HealthScheduler, HealthRecorder (batched status and
  sample writes) and activity log run for the measured seconds.
- bare (the baseline): the same OutboundHttp client (same aiohttp session setup) requesting the
  same URLs at the same rate (N / 10 s), bounded by the same concurrency, and nothing else.
- httpx: the bare loop with httpx.AsyncClient instead, once, for the client choice
  (docs/health.md).

    python bench/health_engine.py [--quick] [--count 10000] [--seconds 60]

Targets: engine/bare checks/s >= 0.8, p99 start lateness < 1 s, 0 overlapping checks,
engine peak RSS < 300 MB.
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_line, percentile

INTERVAL = 10
# health.concurrency's default; ENVDECK_BENCH_CONCURRENCY overrides it (both loops alike).
CONCURRENCY = int(os.environ.get("ENVDECK_BENCH_CONCURRENCY", "200"))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fleet_stats(fleet: str) -> dict[str, Any]:
    import httpx

    return dict(httpx.get(f"{fleet}/control/stats", timeout=10).json())


def names(count: int) -> list[str]:
    return [f"bench-{n:05d}" for n in range(count)]


# --- phases (each in its own child process) -------------------------------------------------


async def engine_phase(fleet: str, count: int, seconds: float) -> dict[str, Any]:
    from envdeck.adapters.events import EventBus
    from envdeck.adapters.outbound_http import OutboundHttp
    from envdeck.adapters.secret_box import SecretBox
    from envdeck.domain.clock import utc_now
    from envdeck.domain.environment import Environment, HealthCheckConfig
    from envdeck.repositories.sqlite import SqliteStorage
    from envdeck.services.activity.writer import ActivityLog
    from envdeck.services.health import HealthChecker, HealthRecorder, HealthScheduler

    with tempfile.TemporaryDirectory() as tmp:
        storage = SqliteStorage(Path(tmp) / "bench.db")
        await storage.open()
        validation = {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}}
        for name in names(count):
            check = HealthCheckConfig(
                enabled=True,
                endpoint=f"{fleet}/envs/{name}/health",  # type: ignore[arg-type]
                interval=INTERVAL,
                timeout=5,
                validation=validation,  # type: ignore[arg-type]
                version_json_path="$.version",
            )
            await storage.environments.create(Environment(name=name, health_check=check))
        bus = EventBus()
        activity = ActivityLog(storage.logs, bus, flush_interval=0.5)
        activity.start()
        http = OutboundHttp(max_connections=500, max_body_bytes=1 << 20, max_redirects=5)
        recorder = HealthRecorder(storage, activity, bus, utc_now, flush_interval=1.0)
        scheduler = HealthScheduler(
            storage,
            bus,
            HealthChecker(http, SecretBox([os.urandom(32)]), utc_now),
            recorder,
            concurrency=CONCURRENCY,
        )
        before = fleet_stats(fleet)
        cpu0, started = cpu_seconds(), time.perf_counter()
        await scheduler.start()
        loaded = time.perf_counter() - started
        await asyncio.sleep(seconds)
        finished = scheduler.stats.finished
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds() - cpu0
        await scheduler.close()
        after = fleet_stats(fleet)
        lateness = list(scheduler.stats.lateness)
        stored = await storage.environments.count_by_health()
        await http.close()
        await activity.close()
        await bus.close()
        await storage.close()
    return {
        "checks_per_s": finished / elapsed,
        "p99_lateness_s": percentile(lateness, 99) if len(lateness) > 1 else 0.0,
        # After every environment's first check (start-up: load, first verdicts, versions).
        "p99_lateness_steady_s": (
            percentile(lateness[count:], 99) if len(lateness) > count + 1 else 0.0
        ),
        "overlaps": scheduler.stats.overlaps + after["overlaps"] - before["overlaps"],
        "skipped": scheduler.stats.skipped,
        "cpu_s": cpu,
        "rss_mb": peak_rss_mb(),
        "load_s": loaded,
        "healthy": stored["healthy"],
        "flushes": recorder.stats.flushes,
    }


async def paced(count: int, seconds: float, request: Any) -> dict[str, Any]:
    """Issue `count / INTERVAL` requests a second for `seconds`, at most CONCURRENCY at once."""
    rate = count / INTERVAL
    slots = asyncio.Semaphore(CONCURRENCY)
    done = 0
    tasks: set[asyncio.Task[None]] = set()

    async def one(n: int) -> None:
        nonlocal done
        try:
            await request(n % count)
            done += 1
        finally:
            slots.release()

    cpu0, started = cpu_seconds(), time.perf_counter()
    issued = 0
    while (now := time.perf_counter() - started) < seconds:
        while issued < now * rate:
            await slots.acquire()
            task = asyncio.create_task(one(issued))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            issued += 1
        await asyncio.sleep(0.002)
    finished, elapsed = done, time.perf_counter() - started
    cpu = cpu_seconds() - cpu0
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"checks_per_s": finished / elapsed, "cpu_s": cpu, "rss_mb": peak_rss_mb()}


async def bare_phase(fleet: str, count: int, seconds: float) -> dict[str, Any]:
    from envdeck.adapters.outbound_http import OutboundHttp

    http = OutboundHttp(max_connections=500, max_body_bytes=1 << 20, max_redirects=5)
    urls = [f"{fleet}/envs/{name}/health" for name in names(count)]

    async def request(n: int) -> None:
        await http.request("GET", urls[n], timeout=5)

    try:
        return await paced(count, seconds, request)
    finally:
        await http.close()


async def httpx_phase(fleet: str, count: int, seconds: float) -> dict[str, Any]:
    import httpx

    limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
    urls = [f"{fleet}/envs/{name}/health" for name in names(count)]
    async with httpx.AsyncClient(limits=limits, timeout=5, follow_redirects=True) as client:

        async def request(n: int) -> None:
            await client.get(urls[n])

        return await paced(count, seconds, request)


PHASES = {"engine": engine_phase, "bare": bare_phase, "httpx": httpx_phase}


# --- the driver -----------------------------------------------------------------------------


def start_fleet(count: int, tmp: Path) -> tuple[subprocess.Popen[str], str]:
    names_file = tmp / "names.txt"
    names_file.write_text("".join(f"{name} healthy 2.3.0\n" for name in names(count)))
    process = subprocess.Popen(
        [sys.executable, "-m", "envdeck.demo.fleet", "--port", "0", "--names-file", names_file],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("FLEET_READY "):
        process.kill()
        raise RuntimeError(f"the fleet did not start: {line!r}")
    return process, line.split()[1]


def run_phase(phase: str, fleet: str, count: int, seconds: float) -> dict[str, Any]:
    output = subprocess.run(
        [
            *(sys.executable, __file__, "--phase", phase, "--fleet", fleet),
            *("--count", str(count), "--seconds", str(seconds)),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in output.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line.removeprefix("RESULT ")))
    raise RuntimeError(f"phase {phase} printed no result:\n{output}")


def report(count: int, seconds: float, results: dict[str, dict[str, Any]]) -> None:
    engine, bare, hx = results["engine"], results["bare"], results["httpx"]
    expected = count / INTERVAL
    ratio = engine["checks_per_s"] / bare["checks_per_s"]
    p99_ms = engine["p99_lateness_s"] * 1000
    overlap_free = 100.0 if engine["overlaps"] == 0 else 0.0
    print(f"\n{count} environments, interval {INTERVAL} s ({expected:.0f} checks/s), {seconds} s")
    print(f"  {'':<8} {'checks/s':>10} {'CPU s':>8} {'CPU us/check':>13} {'peak RSS MB':>12}")
    for name, r in results.items():
        per_check = r["cpu_s"] / (r["checks_per_s"] * seconds) * 1e6 if r["checks_per_s"] else 0
        line = f"  {name:<8} {r['checks_per_s']:>10.1f} {r['cpu_s']:>8.1f} {per_check:>13.0f}"
        print(f"{line} {r['rss_mb']:>12.1f}")
    print(
        f"  engine: ratio {ratio:.3f}, p99 start lateness {p99_ms:.1f} ms"
        f" (after the first round {engine['p99_lateness_steady_s'] * 1000:.1f} ms), overlaps"
        f" {engine['overlaps']}, skipped {engine['skipped']}, load {engine['load_s']:.2f} s,"
        f" healthy {engine['healthy']}/{count}, flushes {engine['flushes']}"
    )
    lines = [
        ("checks_per_s", engine["checks_per_s"], "checks/s", ratio, "ratio>=0.8", ratio >= 0.8),
        ("p99_lateness_ms", p99_ms, "ms", ratio, "p99<1000", p99_ms < 1000),
        (
            "overlap_free_pct",
            overlap_free,
            "%",
            ratio,
            "100 (0 overlapping checks)",
            overlap_free == 100.0,
        ),
        ("engine_rss_mb", engine["rss_mb"], "MB", ratio, "rss<300", engine["rss_mb"] < 300),
        ("engine_cpu_s", engine["cpu_s"], "s", engine["cpu_s"] / bare["cpu_s"], "info", True),
        (
            "httpx_bare_checks_per_s",
            hx["checks_per_s"],
            "checks/s",
            hx["checks_per_s"] / bare["checks_per_s"],
            "info (aiohttp bare is the baseline)",
            True,
        ),
    ]
    for metric, value, unit, r, target, ok in lines:
        print(
            bench_line(
                "health",
                metric,
                value,
                unit,
                baseline="bare_aiohttp_checks_per_s",
                ratio=r,
                target=target,
                ok=ok,
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--fleet", help=argparse.SUPPRESS)
    args = parser.parse_args()
    count = args.count or (1000 if args.quick else 10_000)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    if args.phase:
        import logging

        import structlog
        import uvloop

        # As `envdeck serve` runs by default: info and above.
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))

        result = uvloop.run(PHASES[args.phase](args.fleet, count, seconds))
        print("RESULT " + json.dumps(result), flush=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        fleet_process, fleet = start_fleet(count, Path(tmp))
        try:
            results = {
                phase: run_phase(phase, fleet, count, seconds)
                for phase in ("engine", "bare", "httpx")
            }
        finally:
            fleet_process.terminate()
            fleet_process.wait(timeout=10)
    report(count, seconds, results)


if __name__ == "__main__":
    main()

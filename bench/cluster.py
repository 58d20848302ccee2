"""Several instances on one MongoDB (SecantusDB): 1, 2 and 3 `envdeck serve` on one fleet.

The cluster is the one tests/cluster/ runs (tests/support/cluster.py): SecantusDB and the demo
fleet each in a process of their own, N healthy environments checked every 10 s, registered
once through the API. Then, one phase per instance count (1, 2, 3), the instances of the
previous phase stopped (SIGTERM) and fresh ones started on the same database:

- checks/s: health requests the fleet answered in the window, against N / 10 s;
- duplicates: requests that overlapped another for the same environment, plus repeats within
  half an interval (the fleet's per-environment record, `GET /control/checks`);
- p99 start lateness: how much longer than the interval the fleet waited between two checks of
  one environment (the fleet cannot see the schedule itself; this is its outside view);
- CPU seconds per instance per minute (/proc), and each one's ratio to the single instance's;
- event latency: an edit sent to one instance, until a WebSocket client of another receives its
  `environment_update` (p50/p99), against the same client on the instance edited (the
  baseline, same run);
- failover gap: one instance killed with SIGKILL, then the longest any environment waited
  between two checks, beyond the interval, in leases.

    python bench/cluster.py [--quick] [--environments 2000] [--seconds 60] [--lease 10]

Targets (issue 17): 0 duplicates; with 2 instances each one's CPU <= 0.6 x the single
instance's; cross-instance event p99 < 1 s; failover gap <= 2 leases. SecantusDB is a Python
server, much slower than mongod: every figure that waits on storage (event latency, lateness,
failover, the CPU of a round of leases) is an upper bound of what a real replica set gives;
checks/s and duplicates are the instances' own.
"""

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))  # the repository: tests/support/cluster.py

from common import bench_line, percentile  # noqa: E402

INSTANCE_COUNTS = (1, 2, 3)
CPU_TARGET = 0.6  # with 2 instances, each one's CPU against the single instance's
EVENT_P99_TARGET_MS = 1000.0
FAILOVER_TARGET_LEASES = 2.0


@dataclass
class Phase:
    instances: int
    seconds: float = 0.0
    checks_per_s: float = 0.0
    expected_per_s: float = 0.0
    overlaps: int = 0
    repeats: int = 0
    p99_lateness_s: float = 0.0
    cpu_per_min: dict[str, float] = field(default_factory=dict)  # instance -> CPU s per minute
    shares: dict[str, float] = field(default_factory=dict)  # instance -> share of the checks
    same_ms: list[float] = field(default_factory=list)  # edit -> WS, the instance edited
    cross_ms: list[float] = field(default_factory=list)  # edit -> WS, another instance
    lost_events: int = 0
    failover_extra_s: float | None = None  # the longest wait beyond the interval after a kill
    failover_p99_s: float | None = None
    failover_late: int = 0  # environments that waited half a second or more beyond the interval
    failover_victim_share: float = 0.0  # the killed instance's share of the checks


# --- measuring ----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(cluster: Any, since: float, seconds: float) -> None:
    """Wait until every environment has been checked twice after `since` (a round on the new
    instances' schedule)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(c["requests"] >= 2 for c in cluster.checks(since).values()):
            return
        time.sleep(0.5)
    raise RuntimeError(f"not every environment was checked twice in {seconds:.0f} s")


def measure_checks(cluster: Any, phase: Phase, interval: int, seconds: float) -> None:
    live = cluster.live
    checks0 = {i.name: i.metric("envdeck_health_checks_total") for i in live}
    cpu0 = {i.name: cpu_seconds(i.pid) for i in live}
    since = time.time()
    time.sleep(seconds)
    cpu = {i.name: cpu_seconds(i.pid) - cpu0[i.name] for i in live}
    done = {i.name: i.metric("envdeck_health_checks_total") - checks0[i.name] for i in live}
    seen = cluster.checks(since, gaps=True)
    elapsed = time.time() - since
    gaps = [g for c in seen.values() for g in c["gaps"] if c["first"] is not None]
    phase.seconds = elapsed
    phase.checks_per_s = sum(c["requests"] for c in seen.values()) / elapsed
    phase.expected_per_s = len(seen) / interval
    phase.overlaps = sum(c["overlaps"] for c in seen.values())
    phase.repeats = sum(1 for g in gaps if g < interval / 2)
    lateness = [max(0.0, g - interval) for g in gaps]
    phase.p99_lateness_s = percentile(lateness, 99) if len(lateness) > 1 else 0.0
    phase.cpu_per_min = {name: value * 60 / elapsed for name, value in cpu.items()}
    total = sum(done.values()) or 1.0
    phase.shares = {name: value / total for name, value in done.items()}


async def event_latencies(
    cluster: Any, writer: Any, reader: Any, env_id: str, samples: int, rate: float
) -> tuple[list[float], int]:
    """Edit env through `writer`; time each edit until `reader`'s WebSocket client gets it.
    Return the latencies (ms) and how many never arrived."""
    import httpx
    from websockets.asyncio.client import connect

    sent: dict[str, float] = {}
    arrived: dict[str, float] = {}
    every_one = asyncio.Event()
    run = uuid.uuid4().hex[:8]
    async with connect(reader.ws_url) as websocket:
        await websocket.send(json.dumps({"type": "auth", "payload": {"token": cluster.token}}))
        ready = json.loads(await asyncio.wait_for(websocket.recv(), 30))
        if ready.get("type") != "ready":
            raise RuntimeError(f"WebSocket refused: {ready}")

        async def read() -> None:
            async for text in websocket:
                now = time.perf_counter()
                frame = json.loads(text)
                if frame.get("type") == "environment_update":
                    description = frame["payload"]["environment"].get("description", "")
                    if description in sent:
                        arrived.setdefault(description, now)
                        if len(arrived) == samples:
                            every_one.set()

        reading = asyncio.create_task(read())
        async with httpx.AsyncClient(
            base_url=f"{writer.url}/api/v1", headers=cluster.headers, timeout=30
        ) as api:
            for n in range(samples):
                description = f"bench {run} edit {n}"
                sent[description] = time.perf_counter()
                response = await api.patch(
                    f"/environments/{env_id}", json={"description": description}
                )
                response.raise_for_status()
                await asyncio.sleep(1 / rate)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(every_one.wait(), 10)
        reading.cancel()
    latencies = [(arrived[d] - sent[d]) * 1000 for d in sent if d in arrived]
    return latencies, len(sent) - len(latencies)


def measure_failover(
    cluster: Any, phase: Phase, interval: int, lease: float, ttl: float, edited: str
) -> None:
    victim = cluster.live[-1]
    phase.failover_victim_share = phase.shares.get(victim.name, 0.0)
    killed_at = cluster.kill(victim)
    time.sleep(interval + 2 * lease + ttl + 5 + interval)
    seen = cluster.checks(killed_at - interval)
    waits = sorted(
        max(c["maxGap"] or 0.0, c["sinceLast"] or 0.0) for name, c in seen.items() if name != edited
    )
    phase.failover_extra_s = max(0.0, waits[-1] - interval)
    phase.failover_p99_s = max(0.0, percentile(waits, 99) - interval)
    phase.failover_late = sum(1 for wait in waits if wait >= interval + 0.5)


# --- the run ------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> list[Phase]:
    from tests.support.cluster import ClusterConfig, start_cluster

    config = ClusterConfig(
        instances=1,
        environments=args.environments,
        lease=args.lease,
        heartbeat=args.heartbeat,
        ttl=args.ttl,
        environ={"ENVDECK_SERVER__SHUTDOWN_TIMEOUT": "5s"},
    )
    interval = config.interval
    phases = []
    with (
        tempfile.TemporaryDirectory(prefix="envdeck-cluster-") as tmp,
        start_cluster(Path(tmp), config) as cluster,
    ):
        names = list(cluster.environments)
        # Edited for the event latency, so left out of the failover figures (an edit may
        # reschedule its check).
        edited = names[-1]
        edited_id = cluster.environments[edited]
        print(f"{len(names)} environments registered through the API", flush=True)
        for count in INSTANCE_COUNTS:
            for instance in cluster.live:
                cluster.stop_instance(instance)
            started = time.time()
            cluster.start_instances(count)
            settle(cluster, started, 3 * interval + 4 * args.lease + 60)
            time.sleep(interval)  # shards settle after the last one joined
            phase = Phase(count)
            measure_checks(cluster, phase, interval, args.seconds)
            live = cluster.live
            phase.same_ms, lost = asyncio.run(
                event_latencies(cluster, live[0], live[0], edited_id, args.samples, args.rate)
            )
            phase.lost_events += lost
            if count > 1:
                phase.cross_ms, lost = asyncio.run(
                    event_latencies(cluster, live[0], live[-1], edited_id, args.samples, args.rate)
                )
                phase.lost_events += lost
                if count == INSTANCE_COUNTS[-1] or not args.quick:
                    measure_failover(cluster, phase, interval, args.lease, args.ttl, edited)
            describe(phase, args.lease)
            phases.append(phase)
    return phases


def describe(phase: Phase, lease: float) -> None:
    cpu = ", ".join(f"{n} {v:.1f}" for n, v in phase.cpu_per_min.items())
    shares = ", ".join(f"{n} {v:.0%}" for n, v in phase.shares.items())
    line = (
        f"  {phase.instances} instance(s): {phase.checks_per_s:.1f} checks/s of"
        f" {phase.expected_per_s:.1f}, overlaps {phase.overlaps}, repeats {phase.repeats},"
        f" p99 lateness {phase.p99_lateness_s * 1000:.0f} ms, CPU s/min [{cpu}],"
        f" checks [{shares}]"
    )
    if phase.same_ms:
        line += f", event same p50/p99 {p(phase.same_ms, 50):.0f}/{p(phase.same_ms, 99):.0f} ms"
    if phase.cross_ms:
        line += f", cross p50/p99 {p(phase.cross_ms, 50):.0f}/{p(phase.cross_ms, 99):.0f} ms"
    if phase.lost_events:
        line += f", events lost {phase.lost_events}"
    if phase.failover_extra_s is not None:
        line += (
            f", failover (killed {phase.failover_victim_share:.0%} of the checks): longest"
            f" extra wait {phase.failover_extra_s:.1f} s ({phase.failover_extra_s / lease:.2f}"
            f" leases), {phase.failover_late} environments 0.5 s late or more"
        )
    print(line, flush=True)


def p(samples: list[float], pct: float) -> float:
    return percentile(samples, pct) if samples else 0.0


def emit(
    metric: str, value: float, unit: str, baseline: str, ratio: float, target: str, ok: bool
) -> None:
    line = bench_line(
        "cluster", metric, value, unit, baseline=baseline, ratio=ratio, target=target, ok=ok
    )
    print(line, flush=True)


def report(phases: list[Phase], lease: float) -> None:
    single_cpu = max(phases[0].cpu_per_min.values()) or 1e-9
    single_lateness = phases[0].p99_lateness_s
    for phase in phases:
        n = phase.instances
        ratio = _ratio(phase.checks_per_s, phase.expected_per_s)
        emit(
            f"checks_per_s_{n}i",
            phase.checks_per_s,
            "checks/s",
            "expected_checks_per_s",
            ratio,
            "ratio>=0.95",
            ratio >= 0.95,
        )
        duplicates = phase.overlaps + phase.repeats
        checks = max(1.0, phase.checks_per_s * phase.seconds)
        emit(
            f"duplicates_{n}i",
            duplicates,
            "checks",
            "checks_in_window",
            duplicates / checks,
            "0",
            duplicates == 0,
        )
        lateness = phase.p99_lateness_s
        emit(
            f"p99_lateness_ms_{n}i",
            lateness * 1000,
            "ms",
            "1_instance_p99",
            _ratio(lateness, single_lateness),
            "p99<1000",
            lateness < 1.0,
        )
        cpu = max(phase.cpu_per_min.values())
        cpu_ratio = cpu / single_cpu
        if n == 2:
            emit(
                f"cpu_s_per_min_max_{n}i",
                cpu,
                "s/min",
                "1_instance_cpu",
                cpu_ratio,
                f"ratio<={CPU_TARGET}",
                cpu_ratio <= CPU_TARGET,
            )
        else:
            emit(f"cpu_s_per_min_max_{n}i", cpu, "s/min", "1_instance_cpu", cpu_ratio, "info", True)
        same50, same99 = p(phase.same_ms, 50), p(phase.same_ms, 99)
        if phase.cross_ms:
            cross50, cross99 = p(phase.cross_ms, 50), p(phase.cross_ms, 99)
            emit(
                f"cross_event_p50_ms_{n}i",
                cross50,
                "ms",
                "same_instance_p50",
                _ratio(cross50, same50),
                "info",
                True,
            )
            emit(
                f"cross_event_p99_ms_{n}i",
                cross99,
                "ms",
                "same_instance_p99",
                _ratio(cross99, same99),
                f"p99<{EVENT_P99_TARGET_MS:.0f}",
                cross99 < EVENT_P99_TARGET_MS and phase.lost_events == 0,
            )
        else:
            emit(
                f"same_event_p99_ms_{n}i",
                same99,
                "ms",
                "itself",
                1.0,
                "info",
                phase.lost_events == 0,
            )
        if phase.failover_extra_s is not None:
            leases = phase.failover_extra_s / lease
            emit(
                f"failover_gap_s_{n}i",
                phase.failover_extra_s,
                "s",
                "lease",
                leases,
                f"<={FAILOVER_TARGET_LEASES:.0f} leases",
                leases <= FAILOVER_TARGET_LEASES,
            )


def _ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else 0.0


def missing_tool() -> str | None:
    """Say in one line what this bench needs and does not find, if anything."""
    if not Path("/proc/self/stat").exists():
        return "bench/cluster.py: needs Linux /proc to read each instance's CPU time"
    if (
        not os.environ.get("ENVDECK_TEST_MONGODB_URI")
        and importlib.util.find_spec("secantus") is None
    ):
        return (
            "bench/cluster.py: needs SecantusDB (the secantus package, `make install`) or"
            " ENVDECK_TEST_MONGODB_URI naming a MongoDB replica set"
        )
    if shutil.which("envdeck", path=str(Path(sys.executable).parent)) is None:
        return "bench/cluster.py: needs the envdeck command next to this Python (`make install`)"
    for module in ("websockets", "httpx", "pytest", "pymongo"):
        if importlib.util.find_spec(module) is None:
            return f"bench/cluster.py: needs the Python package {module} (`make install`)"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--environments", type=int, help="fleet size (default 2000; quick 300)")
    parser.add_argument("--seconds", type=float, help="measured window per phase (60; quick 20)")
    parser.add_argument("--lease", type=float, help="cluster.leaseDuration, s (10; quick 2)")
    parser.add_argument("--samples", type=int, help="edits timed per direction (100; quick 20)")
    args = parser.parse_args()
    if problem := missing_tool():
        sys.exit(problem)
    quick = args.quick
    args.environments = args.environments or (300 if quick else 2000)
    args.seconds = args.seconds or (20.0 if quick else 60.0)
    args.lease = args.lease or (2.0 if quick else 10.0)
    # The product's defaults beside a 10 s lease; the tests' short ones beside a short lease.
    args.heartbeat = 0.3 if args.lease < 5 else 5.0
    args.ttl = 1.5 if args.lease < 5 else 15.0
    args.samples = args.samples or (20 if quick else 100)
    args.rate = 5.0
    print(
        f"cluster: {args.environments} environments every 10 s, lease {args.lease:g} s,"
        f" {args.seconds:g} s per phase, instances {INSTANCE_COUNTS}",
        flush=True,
    )
    phases = run(args)
    report(phases, args.lease)


if __name__ == "__main__":
    main()

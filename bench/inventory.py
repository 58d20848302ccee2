"""Inventory benchmark: listing, searching and summarising a large inventory over HTTP.

Stores N realistic environments (10,000; `--quick`: 500) straight through the repositories,
then runs the real `envdeck serve` on that storage and measures with wrk (Debian's `wrk`, a C
load generator, so the server gets the CPU a Python client would take), at 32 keep-alive
connections asking for gzip as browsers do, the p50/p99 latency and requests per second of

    GET /api/v1/environments?limit=50                 (the first page)
    GET /api/v1/environments?q=<team>&sort=name       (a search matching a few percent)
    GET /api/v1/environments/summary                  (counts by health and by tag)

against unauthenticated `GET /api/v1/health` on the same server in the same run (the baseline),
in interleaved rounds. First on SQLite, then on MongoDB: ENVDECK_TEST_MONGODB_URI if set, else
SecantusDB (a MongoDB wire server written in Python, for tests) started by the bench in its own
process. SecantusDB is slow, so it gets 4 connections and its figures say little about MongoDB.

    python bench/inventory.py [--quick] [--backend sqlite|mongo|all]
                              [--environments N] [--seconds N]

Targets (SQLite): list ratio (list / health req/s) >= 0.5 and list p99 < 50 ms; summary
p99 < 30 ms. The search and the MongoDB figures are informational.
"""

import argparse
import asyncio
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, Stopwatch, bench_line, envdeck_server

from envdeck.config import load_settings
from envdeck.domain.environment import Environment, HealthState, Status
from envdeck.domain.ids import new_id
from envdeck.repositories.base import Storage
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite import SqliteStorage

CONNECTIONS = 32
ROUNDS = 3
BATCH = 100  # environments created concurrently while populating
# The load generator: a C program, so the server gets the CPU a Python client would take.
WRK = shutil.which("wrk") or "wrk"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

TAGS = [
    "production", "staging", "qa", "dev", "demo", "eu-west", "us-east", "ap-south", "k8s", "vm",
    "legacy", "critical", "customer-facing", "internal", "nightly", "beta", "pci", "gpu", "blue",
    "green",
]  # fmt: skip
# One team per environment, named in its description; SEARCH names one of 30 teams, so the
# search matches about 3% (no team name is part of any other word the environments use).
TEAMS = [
    "payments", "checkout", "ledger", "billing", "identity", "catalog", "shipping", "analytics",
    "mobile", "platform", "warehouse", "growth", "support", "partners", "pricing", "stock",
    "reviews", "media", "messaging", "loyalty", "fraud", "onboarding", "reporting", "adverts",
    "maps", "notifications", "compliance", "gateway", "recommendations", "translations",
]  # fmt: skip
SEARCH = "ledger"
PURPOSES = ["Staging", "QA", "Demo", "Performance test", "Integration", "Customer preview"]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"]
# Mostly healthy, some failing, some never checked (those keep the default "unknown").
HEALTH_WEIGHTS = {HealthState.HEALTHY: 0.6, HealthState.UNHEALTHY: 0.25, HealthState.UNKNOWN: 0.15}

LIST = "/api/v1/environments?limit=50"
SEARCH_PATH = f"/api/v1/environments?q={SEARCH}&sort=name"
SUMMARY = "/api/v1/environments/summary"
HEALTH = "/api/v1/health"


@dataclass
class Scale:
    seconds: int  # per endpoint and round
    rounds: int
    connections: int = CONNECTIONS


def make_environment(i: int, rng: random.Random) -> Environment:
    team, region = rng.choice(TEAMS), rng.choice(REGIONS)
    host = f"env-{i:05d}.{region}.example.test"
    return Environment.model_validate(
        {
            "name": f"env-{i:05d}",
            "description": f"{rng.choice(PURPOSES)} environment of the {team} team in {region}",
            "environmentURL": f"https://{host}/",
            "tags": rng.sample(TAGS, rng.randint(1, 3)),
            "target": {"host": host, "port": 22, "domain": "example.test"},
            "credentials": {"type": "key", "username": "deploy"},
            # Configured but not enabled: a checker must never probe these made-up hosts.
            "healthCheck": {
                "enabled": False,
                "endpoint": f"https://{host}/healthz",
                "interval": 60,
                "timeout": 5,
                "validation": {"type": "statusCode", "value": [200, 204]},
                "versionJsonPath": "$.version",
            },
            "commands": {
                "type": "ssh",
                "restart": {"enabled": True, "command": "sudo systemctl restart app"},
            },
            "upgradeConfig": {
                "enabled": True,
                "type": "ssh",
                "versionListURL": f"https://releases.example.test/{team}/versions.json",
                "jsonPathResponse": "$.versions[*]",
                "upgradeCommand": {"command": "sudo /opt/app/upgrade.sh {VERSION}"},
            },
            "metadata": {"team": team, "region": region, "costCentre": f"cc-{rng.randint(1, 40)}"},
        }
    )


def make_status(rng: random.Random) -> Status | None:
    health = rng.choices(list(HEALTH_WEIGHTS), weights=list(HEALTH_WEIGHTS.values()))[0]
    if health is HealthState.UNKNOWN:
        return None
    checked = NOW - timedelta(seconds=rng.randint(0, 600))
    healthy = health is HealthState.HEALTHY
    return Status(
        health=health,
        last_check=checked,
        message="OK" if healthy else rng.choice(["HTTP 503", "timed out after 5s", "HTTP 500"]),
        response_time=rng.uniform(20, 400) if healthy else None,
        status_code=200 if healthy else rng.choice([500, 503, None]),
        since=checked - timedelta(hours=rng.randint(0, 72)),
        consecutive_failures=0 if healthy else rng.randint(1, 5),
    )


def search_matches(environments: list[Environment]) -> int:
    """Count the environments the search should find (name, description or URL, any case)."""
    needle = SEARCH.lower()
    return sum(
        needle in f"{e.name}\n{e.description}\n{e.environment_url}".lower() for e in environments
    )


async def populate(storage: Storage, environments: list[Environment], seed: int) -> float:
    """Store the environments and their health through the repository; return seconds taken."""
    rng = random.Random(seed)
    await storage.open()
    try:
        with Stopwatch() as watch:
            repo = storage.environments
            for i in range(0, len(environments), BATCH):
                chunk = environments[i : i + BATCH]
                created = await asyncio.gather(*(repo.create(e) for e in chunk))
                statuses = [(env.id, make_status(rng)) for env in created]
                await asyncio.gather(
                    *(repo.update_status(eid, s) for eid, s in statuses if s is not None)
                )
    finally:
        await storage.close()
    return watch.seconds


def _run_secantus(storage_path: str, uri_out: Connection, stop: Event) -> None:
    from secantus import SecantusDBServer

    with SecantusDBServer(storage_path=storage_path) as server:
        uri_out.send(server.uri)
        stop.wait()


@contextmanager
def secantus_process(storage_path: Path) -> Iterator[str]:
    """Run SecantusDB in a child process (in a thread here it would take the GIL from the
    client that measures); yield its URI."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    stop = context.Event()
    process = context.Process(
        target=_run_secantus, args=(str(storage_path), sender, stop), daemon=True
    )
    process.start()
    try:
        if not receiver.poll(60):
            raise RuntimeError("SecantusDB did not start")
        yield str(receiver.recv())
    finally:
        stop.set()
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()


WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Figure:
    rps: float
    p50: float
    p99: float


def parse_wrk(output: str) -> Figure:
    """Read requests/s and the 50th/99th latency percentiles (ms) from `wrk --latency`."""
    if errors := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"{errors.group(1)} requests failed:\n{output}")
    if socket_errors := re.search(r"Socket errors: .*", output):
        raise RuntimeError(f"wrk: {socket_errors.group(0)}")
    percentiles = {
        int(pct): float(value) * WRK_UNITS[unit]
        for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    }
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None or set(percentiles) != {50, 99}:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return Figure(float(rate.group(1)), percentiles[50], percentiles[99])


def load(url: str, headers: dict[str, str], scale: Scale) -> Figure:
    """Run wrk (one thread, keep-alive connections) at url for scale.seconds."""
    command = [WRK, "-t1", f"-c{scale.connections}", f"-d{scale.seconds}s", "--latency"]
    command += ["--timeout", "60s"]
    # As a browser asks: compressed. Compressing a page of 50 is part of serving it.
    for name, value in (headers | {"Accept-Encoding": "gzip"}).items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout)


async def measure(url: str, scale: Scale) -> tuple[dict[str, Figure], int]:
    """Run interleaved rounds of every endpoint; return the median figures of each, and how
    many environments the search found."""
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
        )
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        paths = {"health": (HEALTH, {}), "list": (LIST, auth)}
        paths |= {"search": (SEARCH_PATH, auth), "summary": (SUMMARY, auth)}
        first = {name: await client.get(path, headers=h) for name, (path, h) in paths.items()}
        for response in first.values():
            response.raise_for_status()
    rounds: dict[str, list[Figure]] = {name: [] for name in paths}
    for _ in range(scale.rounds):
        for name, (path, headers) in paths.items():
            # wrk is a blocking C program: run it off the event loop.
            rounds[name].append(await asyncio.to_thread(load, url + path, headers, scale))
    figures = {
        name: Figure(
            statistics.median(f.rps for f in runs),
            statistics.median(f.p50 for f in runs),
            statistics.median(f.p99 for f in runs),
        )
        for name, runs in rounds.items()
    }
    return figures, int(first["search"].json()["pagination"]["total"])


def report(
    label: str, key: str, n: int, matched: int, scale: Scale, figures: dict[str, Figure]
) -> list[str]:
    """Print the table of one backend and return its BENCH lines."""
    strict = key == "sqlite"
    health = figures["health"].rps
    print(
        f"\n{label}: {n:,} environments; {scale.rounds} round(s) of {scale.seconds} s per endpoint"
        f" at {scale.connections} connections (wrk; figures: median of the rounds)"
    )
    print(f"  {'':46}{'req/s':>9}{'ratio':>7}{'p50 ms':>9}{'p99 ms':>9}")
    share = matched / n
    rows = [
        ("health", "GET /api/v1/health (baseline, no auth)"),
        ("list", "GET /api/v1/environments?limit=50"),
        ("search", f"GET ...?q={SEARCH}&sort=name ({matched} found, {share:.1%})"),
        ("summary", "GET /api/v1/environments/summary"),
    ]
    for name, title in rows:
        f = figures[name]
        print(f"  {title:46}{f.rps:>9,.0f}{f.rps / health:>7.2f}{f.p50:>9.1f}{f.p99:>9.1f}")
    targets: dict[str, tuple[str, Callable[[float, float], bool]]] = {
        "list": ("ratio>=0.5 and p99<50", lambda ratio, p99: ratio >= 0.5 and p99 < 50),
        "search": ("info", lambda _ratio, _p99: True),
        "summary": ("p99<30", lambda _ratio, p99: p99 < 30),
    }
    prefix = "" if strict else "mongo_"
    baseline = "health_rps" if strict else f"{key}_health_rps"
    lines = []
    for name, (target, met) in targets.items():
        f = figures[name]
        ratio, p99 = f.rps / health, f.p99
        lines.append(
            bench_line(
                "inventory",
                f"{prefix}{name}_p99_ms",
                p99,
                "ms",
                baseline=baseline,
                ratio=ratio,
                target=target if strict else "info",
                ok=met(ratio, p99) if strict else True,
            )
        )
    return lines


async def bench_sqlite(
    environments: list[Environment], scale: Scale, tmp: Path, executable: Path | None = None
) -> list[str]:
    data_dir = tmp / "sqlite-data"
    db_path = load_settings(environ={"ENVDECK_DATA_DIR": str(data_dir)}).sqlite_path
    seconds = await populate(SqliteStorage(db_path), environments, seed=7)
    print(f"SQLite: stored {len(environments):,} environments in {seconds:.1f} s")
    with envdeck_server(tmp, {"ENVDECK_DATA_DIR": str(data_dir)}, executable=executable) as url:
        figures, matched = await measure(url, scale)
    return report("SQLite", "sqlite", len(environments), matched, scale, figures)


async def bench_mongo(
    uri: str, label: str, key: str, environments: list[Environment], scale: Scale, tmp: Path
) -> list[str]:
    database = f"envdeck_bench_{new_id()}"
    seconds = await populate(MongoStorage(uri, database), environments, seed=7)
    print(f"{label}: stored {len(environments):,} environments in {seconds:.1f} s")
    workdir = tmp / "mongo-server"
    workdir.mkdir()
    server_env = {"MONGODB_URI": uri, "MONGODB_DATABASE": database}
    try:
        with envdeck_server(workdir, server_env) as url:
            figures, matched = await measure(url, scale)
    finally:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        await client.drop_database(database)
        await client.close()
    return report(label, key, len(environments), matched, scale, figures)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--backend", choices=["sqlite", "mongo", "all"], default="all")
    parser.add_argument("--environments", type=int, help="environments stored (default 10,000)")
    parser.add_argument("--seconds", type=int, help="seconds per endpoint and round")
    parser.add_argument(
        "--envdeck", help="the envdeck command to run on SQLite (to compare another build)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/inventory.py: needs wrk, the HTTP load generator (apt-get install wrk)")
    n = args.environments or (500 if args.quick else 10_000)
    scale = Scale(1, 1) if args.quick else Scale(5, ROUNDS)
    # SecantusDB is a Python server: over 10,000 documents each of these requests takes it
    # about a second, so it gets one round at 4 connections. Set ENVDECK_TEST_MONGODB_URI to
    # measure a real MongoDB as SQLite is measured.
    secantus_scale = Scale(2 if args.quick else 10, 1, connections=4)
    if args.seconds:
        scale.seconds = secantus_scale.seconds = args.seconds
    rng = random.Random(42)
    environments = [make_environment(i, rng) for i in range(1, n + 1)]
    expected = search_matches(environments)
    print(f"q={SEARCH} should find {expected} of {n:,} environments ({expected / n:.1%})")
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.backend in ("sqlite", "all"):
            executable = Path(args.envdeck) if args.envdeck else None
            lines += await bench_sqlite(environments, scale, tmp, executable)
        if args.backend in ("mongo", "all"):
            uri = os.environ.get("ENVDECK_TEST_MONGODB_URI")
            if uri:
                label = "MongoDB (ENVDECK_TEST_MONGODB_URI)"
                lines += await bench_mongo(uri, label, "mongo", environments, scale, tmp)
            else:
                label = "SecantusDB (a MongoDB wire server in Python, for tests: not MongoDB)"
                with secantus_process(tmp / "secantus") as secantus_uri:
                    lines += await bench_mongo(
                        secantus_uri, label, "secantusdb", environments, secantus_scale, tmp
                    )
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())

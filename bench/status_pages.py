"""Status pages benchmark: a refresh storm on a public status page.

Stores N healthy environments (100) with one tag and a version, and 90 days of hourly health
rollups for each, straight through the repositories; runs the real `envdeck serve` (SQLite) on
them with a public status page of that tag; then, in each round, sends C requests (200) at once
to `GET /api/v1/status/<slug>`, anonymous and each on its own keep-alive connection, as readers
refreshing the page together would. The baseline, in the same run, is C `GET /api/v1/health`
sent at once just before each storm: both carry the same client and queueing costs, and the
ratio is what a status page costs over them.

"Build" is the first read after an admin change (which drops the cache): the uncached cost of
the page, reading every environment's 90 days of rollups.

    python bench/status_pages.py [--quick] [--environments N] [--readers C] [--rounds R]

`--quick`: 20 environments, one round of 50 readers.

Targets (the cache holds the storm): the storm's p99 at most 2 times the baseline's, and its
"ms each" (the burst's time over its size: what one read costs the server) at most 3 times the
baseline's; the build under 1 s.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ENVDECK, PASSWORD, bench_line, envdeck_server, percentile

from envdeck.config import load_settings
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import Environment, HealthState, Status, SystemInfo
from envdeck.domain.health import HealthSample
from envdeck.repositories.sqlite import SqliteStorage

TAG = "storefront"
SLUG = "storefront"
HEALTH = "/api/v1/health"
PAGE = f"/api/v1/status/{SLUG}"
DAYS = 90


def make_environment(i: int) -> Environment:
    host = f"shop-{i:04d}.example.test"
    return Environment.model_validate(
        {
            "name": f"shop-{i:04d}",
            "environmentURL": f"https://{host}/",
            "tags": [TAG],
            "target": {"host": host},
            "healthCheck": {"enabled": False, "endpoint": f"https://{host}/health"},
        }
    )


async def populate(storage: SqliteStorage, count: int) -> float:
    """Store count environments, each with one check an hour for 90 days; return seconds."""
    started = time.perf_counter()
    now = utc_now()
    await storage.open()
    try:
        for i in range(count):
            created = await storage.environments.create(make_environment(i))
            await storage.environments.update_status(
                created.id, Status(health=HealthState.HEALTHY, last_check=now, since=now)
            )
            await storage.environments.update_system_info(
                created.id, SystemInfo(app_version=f"2.{i % 7}.0")
            )
            samples = [
                HealthSample(
                    environment_id=created.id,
                    timestamp=now - timedelta(hours=h),
                    # One failed check a day or so: bars that are not all green.
                    health=HealthState.UNHEALTHY if (h + i) % 23 == 0 else HealthState.HEALTHY,
                    response_time=50.0 + h % 30,
                )
                for h in range(DAYS * 24)
            ]
            await storage.health_samples.record(samples)
    finally:
        await storage.close()
    return time.perf_counter() - started


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    login = await client.post(
        "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
    )
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def burst(client: httpx.AsyncClient, path: str, count: int) -> tuple[list[float], float]:
    """Send count GETs of path at once; return their latencies (ms) and the burst's seconds."""

    async def one() -> float:
        started = time.perf_counter()
        response = await client.get(path)
        if response.status_code != 200:
            sys.exit(f"bench/status_pages.py: GET {path} answered {response.status_code}")
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    latencies = await asyncio.gather(*(one() for _ in range(count)))
    return list(latencies), time.perf_counter() - started


async def measure(url: str, readers: int, rounds: int) -> dict[str, list[float]]:
    limits = httpx.Limits(
        max_connections=readers, max_keepalive_connections=readers, keepalive_expiry=2
    )
    figures: dict[str, list[float]] = {
        "page_ms": [],
        "health_ms": [],
        "page_each": [],
        "health_each": [],
        "build_ms": [],
        "bytes": [],
    }
    async with httpx.AsyncClient(base_url=url, timeout=120) as admin:
        headers = await admin_headers(admin)
        created = await admin.post(
            "/api/v1/status-pages",
            json={"slug": SLUG, "title": "Storefront", "scope": {"tags": [TAG]}, "public": True},
            headers=headers,
        )
        created.raise_for_status()
        page_id = created.json()["id"]
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
            for number in range(rounds):
                # An admin change drops the cache: the next read builds the page.
                await admin.patch(
                    f"/api/v1/status-pages/{page_id}",
                    json={"title": f"Storefront {number}"},
                    headers=headers,
                )
                started = time.perf_counter()
                first = await client.get(PAGE)
                figures["build_ms"].append((time.perf_counter() - started) * 1000)
                figures["bytes"].append(len(first.content))
                await burst(client, HEALTH, readers)  # opens the connections
                health_ms, health_seconds = await burst(client, HEALTH, readers)
                page_ms, page_seconds = await burst(client, PAGE, readers)
                figures["health_ms"] += health_ms
                figures["page_ms"] += page_ms
                figures["health_each"].append(health_seconds * 1000 / readers)
                figures["page_each"].append(page_seconds * 1000 / readers)
    return figures


def summarise(figures: dict[str, list[float]], environments: int, readers: int) -> list[str]:
    page_p99 = percentile(figures["page_ms"], 99)
    health_p99 = percentile(figures["health_ms"], 99)
    page_each = min(figures["page_each"])
    health_each = min(figures["health_each"])
    build = max(figures["build_ms"])
    size = max(figures["bytes"]) / 1024
    print(f"{environments} environments, {DAYS} days each, {readers} readers at once")
    print(f"  page answer           {size:8.0f} KiB (uncompressed)")
    print(f"  build (uncached)      {build:8.1f} ms")
    print(f"  storm p50 / p99       {percentile(figures['page_ms'], 50):8.1f} / {page_p99:.1f} ms")
    print(
        f"  /health p50 / p99     {percentile(figures['health_ms'], 50):8.1f} / {health_p99:.1f} ms"
    )
    print(f"  ms each: page/health  {page_each:8.2f} / {health_each:.2f}")
    ratio = page_each / max(health_each, 1e-9)
    return [
        bench_line(
            "status_pages",
            "storm_p99_ms",
            page_p99,
            "ms",
            baseline="health_p99_ms",
            ratio=page_p99 / max(health_p99, 1e-9),
            target="ratio<=2",
            ok=page_p99 <= 2 * health_p99,
        ),
        bench_line(
            "status_pages",
            "storm_ms_each",
            page_each,
            "ms",
            baseline="health_ms_each",
            ratio=ratio,
            target="ratio<=3",
            ok=ratio <= 3,
        ),
        bench_line(
            "status_pages",
            "build_ms",
            build,
            "ms",
            baseline="health_ms_each",
            ratio=build / max(health_each, 1e-9),
            target="<1000",
            ok=build < 1000,
        ),
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--environments", type=int, help="environments on the page (100)")
    parser.add_argument("--readers", type=int, help="requests at once (200; --quick: 50)")
    parser.add_argument("--rounds", type=int, help="rounds (3; --quick: 1)")
    args = parser.parse_args()
    if not ENVDECK.exists():
        sys.exit(f"bench/status_pages.py: needs the envdeck command at {ENVDECK} (make install)")
    environments = args.environments or (20 if args.quick else 100)
    readers = args.readers or (50 if args.quick else 200)
    rounds = args.rounds or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        sqlite_path = load_settings(environ={"ENVDECK_DATA_DIR": str(data_dir)}).sqlite_path
        seconds = await populate(SqliteStorage(sqlite_path), environments)
        print(f"SQLite: stored {environments} environments and {DAYS} days each in {seconds:.1f} s")
        with envdeck_server(tmp, {"ENVDECK_DATA_DIR": str(data_dir)}) as url:
            figures = await measure(url, readers, rounds)
    lines = summarise(figures, environments, readers)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())

"""Reservations benchmark: many pipelines claiming an environment at the same moment.

Stores N healthy environments (1,000) with one tag straight through the repositories, runs the
real `envdeck serve` (SQLite) on them and, in each round, sends C claims (200) at once, each on
its own keep-alive connection with an API token, as C pipelines starting together would:

    POST /api/v1/reservations/claim {"tags": ["pool"], "duration": "2h", ...}

Each claim's latency is from its request to its answer, so it includes the wait behind the
others; "ms each" (the burst's time over its size) is what one claim costs the server. The
baseline, in the same run, is C unauthenticated `GET /api/v1/health` sent at once the same way,
just before each round's claims: both figures carry the same client and queueing costs, and the
ratio is what a claim costs over them. After each round every claim is released (unmeasured),
so each round finds N free environments.

A claim refused, or left without an answer (`--timeout`, 600 s), is counted and reported; its
latency counts too. Double bookings are counted twice over: in the answers (one environment
given to two claims of one round) and in the database after the server stopped (reservations of
one environment whose held spans, start to release or end, overlap). Both must be 0.

    python bench/reservations.py [--quick] [--environments N] [--claims C] [--rounds R]
                                 [--timeout S]

`--quick`: one round of 50 claims (over the same 1,000 environments).

Targets: claim p99 < 100 ms; 0 double bookings. "ms each" is information.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ENVDECK, PASSWORD, bench_line, envdeck_server, percentile

from envdeck.config import load_settings
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import Environment, HealthState, Status
from envdeck.domain.reservation import Reservation, ReservationListOptions
from envdeck.repositories.sqlite import SqliteStorage

TAG = "pool"
BATCH = 100  # environments stored concurrently while populating
CLAIM = "/api/v1/reservations/claim"
HEALTH = "/api/v1/health"
TARGET_P99_MS = 100.0


@dataclass
class Round:
    health_ms: list[float] = field(default_factory=list)
    claim_ms: list[float] = field(default_factory=list)
    claimed: list[dict[str, Any]] = field(default_factory=list)  # the answers' reservations
    refused: Counter[str] = field(default_factory=Counter)  # status and code of failed claims
    seconds: float = 0.0  # from the first claim sent to the last answer
    health_seconds: float = 0.0  # the same for the health burst


def make_environment(i: int) -> Environment:
    host = f"pool-{i:04d}.example.test"
    return Environment.model_validate(
        {
            "name": f"pool-{i:04d}",
            "environmentURL": f"https://{host}/",
            "tags": [TAG, f"team-{i % 8}"],
            "target": {"host": host},
            # Configured but not enabled: the engine must never probe these made-up hosts.
            "healthCheck": {"enabled": False, "endpoint": f"https://{host}/health"},
        }
    )


async def populate(storage: SqliteStorage, count: int) -> float:
    """Store count healthy environments; return seconds taken."""
    started = time.perf_counter()
    now = utc_now()
    healthy = Status(health=HealthState.HEALTHY, last_check=now, since=now, message="OK")
    await storage.open()
    try:
        repo = storage.environments
        for first in range(0, count, BATCH):
            chunk = [make_environment(i) for i in range(first, min(first + BATCH, count))]
            created = await asyncio.gather(*(repo.create(e) for e in chunk))
            await repo.update_statuses({e.id: healthy for e in created})
    finally:
        await storage.close()
    return time.perf_counter() - started


async def api_token(client: httpx.AsyncClient) -> str:
    """Sign in as the bench admin and return a new API token (what a pipeline holds)."""
    login = await client.post(
        "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
    )
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    created = await client.post("/api/v1/tokens", json={"name": "bench-ci"}, headers=headers)
    created.raise_for_status()
    return str(created.json()["secret"])


async def timed(send: Any) -> tuple[float, httpx.Response | str]:
    """Await one request; return its latency (ms) and its answer, or why there is none."""
    started = time.perf_counter()
    answer: httpx.Response | str
    try:
        answer = await send
    except httpx.TransportError as exc:
        answer = f"no answer: {type(exc).__name__}"
    return (time.perf_counter() - started) * 1000, answer


async def burst_health(client: httpx.AsyncClient, count: int) -> tuple[list[float], float]:
    """Send count health requests at once; return their latencies and the burst's seconds."""
    started = time.perf_counter()
    answers = await asyncio.gather(*(timed(client.get(HEALTH)) for _ in range(count)))
    seconds = time.perf_counter() - started
    for _, response in answers:
        if isinstance(response, str) or response.status_code != 200:
            sys.exit(f"bench/reservations.py: GET {HEALTH} failed: {response}")
    return [ms for ms, _ in answers], seconds


async def burst_claims(client: httpx.AsyncClient, count: int, number: int) -> Round:
    """Send count claims at once; return their latencies and answers."""
    result = Round()
    bodies = [
        {"tags": [TAG], "duration": "2h", "purpose": f"bench round {number} pipeline {k}"}
        for k in range(count)
    ]
    started = time.perf_counter()
    answers = await asyncio.gather(*(timed(client.post(CLAIM, json=b)) for b in bodies))
    result.seconds = time.perf_counter() - started
    for ms, response in answers:
        result.claim_ms.append(ms)
        if isinstance(response, str):
            result.refused[response] += 1
        elif response.status_code == 201:
            result.claimed.append(response.json()["reservation"])
        else:
            result.refused[f"{response.status_code} {error_code(response)}".strip()] += 1
    return result


def error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


async def release_all(client: httpx.AsyncClient, claimed: list[dict[str, Any]]) -> None:
    for first in range(0, len(claimed), 20):
        releases = [
            client.post(f"/api/v1/reservations/{r['id']}/release", json={})
            for r in claimed[first : first + 20]
        ]
        for response in await asyncio.gather(*releases):
            if response.status_code != 200:
                sys.exit(f"bench/reservations.py: a release answered {response.status_code}")


def doubled_in_answers(claimed: list[dict[str, Any]]) -> int:
    """Return how many claims of one round got an environment another claim got too."""
    counts = Counter(r["environmentId"] for r in claimed)
    return sum(n - 1 for n in counts.values() if n > 1)


async def stored_overlaps(storage: SqliteStorage) -> tuple[int, int]:
    """Return (reservations stored, how many of them overlap an earlier one of their
    environment, each held from its start to its release or end)."""
    reservations: list[Reservation] = []
    await storage.open()
    try:
        for number in range(1, MAX_PAGE + 1):
            options = ReservationListOptions(page=number, limit=MAX_PAGE_LIMIT)
            page, total = await storage.reservations.list(options)
            reservations += page
            if not page or len(reservations) >= total:
                break
    finally:
        await storage.close()
    spans: dict[str, list[tuple[Any, Any]]] = {}
    for r in reservations:
        held_until = min(r.end, r.released_at) if r.released_at else r.end
        spans.setdefault(r.environment_id, []).append((r.start, held_until))
    overlaps = 0
    for held in spans.values():
        held.sort()
        latest_end = held[0][1]
        for start, end in held[1:]:
            overlaps += start < latest_end  # held while an earlier one still held
            latest_end = max(latest_end, end)
    return len(reservations), overlaps


async def check_api(client: httpx.AsyncClient) -> None:
    """Claim and release once (a warm-up), or exit in one line when the server cannot."""
    probe = await client.post(CLAIM, json={"tags": [TAG], "duration": "1m", "purpose": "probe"})
    if probe.status_code != 201:
        sys.exit(f"bench/reservations.py: the claim answered {probe.status_code}: {probe.text}")
    await release_all(client, [probe.json()["reservation"]])


async def measure(url: str, claims: int, rounds: int, claim_seconds: float) -> list[Round]:
    # Idle connections are dropped before uvicorn closes them (after 5 s): a request sent on one
    # it is closing at that moment would fail with no answer.
    limits = httpx.Limits(
        max_connections=claims, max_keepalive_connections=claims, keepalive_expiry=2
    )
    async with httpx.AsyncClient(base_url=url, timeout=claim_seconds) as plain:
        token = await api_token(plain)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=claim_seconds
    ) as client:
        await check_api(client)
        results = []
        for number in range(1, rounds + 1):
            await burst_health(client, claims)  # opens the connections: no figure pays for it
            health_ms, health_seconds = await burst_health(client, claims)
            result = await burst_claims(client, claims, number)
            result.health_ms, result.health_seconds = health_ms, health_seconds
            await release_all(client, result.claimed)
            results.append(result)
    return results


def summarise(
    results: list[Round], stored: int, overlaps: int, environments: int, claims: int
) -> list[str]:
    """Print the table and return the BENCH lines."""
    claim_p99 = statistics.median(percentile(r.claim_ms, 99) for r in results)
    health_p99 = statistics.median(percentile(r.health_ms, 99) for r in results)
    claim_p50 = statistics.median(percentile(r.claim_ms, 50) for r in results)
    health_p50 = statistics.median(percentile(r.health_ms, 50) for r in results)
    # A burst's time over its size: what one request costs the server when they queue.
    claim_each = statistics.median(r.seconds / claims * 1000 for r in results)
    health_each = statistics.median(r.health_seconds / claims * 1000 for r in results)
    granted = sum(len(r.claimed) for r in results)
    refused = sum((r.refused for r in results), Counter[str]())
    doubled = sum(doubled_in_answers(r.claimed) for r in results)
    double_bookings = doubled + overlaps
    print(
        f"\nSQLite: {environments:,} environments; {len(results)} round(s) of {claims} claims"
        f" sent at once, each on its own connection (figures: median of the rounds)"
    )
    print(f"  {'':44}{'p50 ms':>9}{'p99 ms':>9}{'ms each':>9}")
    for title, p50, p99, each in (
        ("GET /api/v1/health (baseline, no auth)", health_p50, health_p99, health_each),
        ("POST /api/v1/reservations/claim", claim_p50, claim_p99, claim_each),
    ):
        print(f"  {title:44}{p50:>9.1f}{p99:>9.1f}{each:>9.1f}")
    print(
        f"  claim p99 / health p99: {claim_p99 / health_p99:.2f}; {1000 / claim_each:,.1f}"
        f" claims/s (ms each: the burst's time over its {claims} requests)"
    )
    print(f"  granted {granted} of {claims * len(results)} claims; refused: {dict(refused) or 0}")
    print(
        f"  double bookings: {doubled} in the answers, {overlaps} overlapping among the"
        f" {stored} reservations stored"
    )
    return [
        bench_line(
            "reservations",
            "claim_p99_ms",
            claim_p99,
            "ms",
            baseline="health_p99_ms",
            ratio=claim_p99 / health_p99,
            target=f"p99<{TARGET_P99_MS:.0f}",
            ok=claim_p99 < TARGET_P99_MS,
        ),
        bench_line(
            "reservations",
            "claim_ms_each",
            claim_each,
            "ms",
            baseline="health_ms_each",
            ratio=claim_each / health_each,
            target="info",
            ok=True,
        ),
        bench_line(
            "reservations",
            "double_bookings",
            double_bookings,
            "count",
            baseline="claims_granted",
            ratio=double_bookings / max(granted, 1),
            target="==0",
            ok=double_bookings == 0 and granted == claims * len(results),
        ),
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (one round)")
    parser.add_argument("--environments", type=int, default=1000, help="environments stored")
    parser.add_argument("--claims", type=int, help="claims sent at once (200; --quick: 50)")
    parser.add_argument("--rounds", type=int, help="rounds (3; --quick: 1)")
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds a claim may take (default 600)"
    )
    args = parser.parse_args()
    if not ENVDECK.exists():
        sys.exit(f"bench/reservations.py: needs the envdeck command at {ENVDECK} (make install)")
    rounds = args.rounds or (1 if args.quick else 3)
    claims = args.claims or (50 if args.quick else 200)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        sqlite_path = load_settings(environ={"ENVDECK_DATA_DIR": str(data_dir)}).sqlite_path
        seconds = await populate(SqliteStorage(sqlite_path), args.environments)
        print(f"SQLite: stored {args.environments:,} healthy environments in {seconds:.1f} s")
        with envdeck_server(tmp, {"ENVDECK_DATA_DIR": str(data_dir)}) as url:
            results = await measure(url, claims, rounds, args.timeout)
        stored, overlaps = await stored_overlaps(SqliteStorage(sqlite_path))
    lines = summarise(results, stored, overlaps, args.environments, claims)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())

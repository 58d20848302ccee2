"""Activity-log benchmark: ingest through the writer, then filtered pages and counts over HTTP.

1. Ingest: N entries (1,000,000; `--quick`: 20,000) recorded through `ActivityLog` (as a
   background producer does: `await wait_for_room()`, then `record()`), until every one is
   stored, against the same entries inserted with the raw driver in batches of 500 into the
   same schema (sqlite3 `executemany` / PyMongo `insert_many`), in the same run.
2. Reads: the real `envdeck serve` on the ingested database; one client, one request at a time:
   first pages (`GET /api/v1/logs?limit=50&…`) under each filter the API offers, searches
   (`q`), and `GET /api/v1/logs/count` under several filters; the baseline is the repository's
   own SQL for the same queries run straight through sqlite3 on the same file.
3. Acknowledged changes (SQLite), what waiting for the audit entry costs a request (a response
   is sent once its entries are stored: api/audit_ack.py): (a) through the writer, 64 concurrent
   "requests" each recording one entry and waiting for it (group commit), against the same
   producers recording without waiting; (b) over HTTP, `PATCH /api/v1/environments/{id}` by 1
   and by 16 concurrent clients against the real server, with the wait (the default) and
   without it (`activityLog.ackTimeout: 0`), in the same run.

MongoDB: ENVDECK_TEST_MONGODB_URI if set, else SecantusDB (a MongoDB wire server in Python,
for tests) in its own process, with fewer entries and queries: its figures are informational.

    python bench/activity_log.py [--quick] [--backend sqlite|mongo|all]
                                 [--entries N] [--mongo-entries N] [--queries N]

Targets (SQLite): ingest ratio (writer / raw driver) >= 0.5; first-page p95 < 30 ms;
count p95 < 150 ms. Searches and the acknowledgement figures are reported (informational).
"""

import argparse
import asyncio
import hashlib
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, Stopwatch, bench_line, envdeck_server, percentile
from inventory import secantus_process

from envdeck.adapters.events import EventBus
from envdeck.config import load_settings
from envdeck.domain.base import format_utc
from envdeck.domain.log import LogFilter, LogLevel, LogListOptions, LogType
from envdeck.repositories.base import Storage
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.repositories.sqlite.logs import _groups_sql, read_page
from envdeck.services.activity.writer import ActivityLog

BATCH = 500
PAGE = 50
# Entries span the last 30 days (inside the default 90-day retention: the server keeps them).
SPAN = timedelta(days=30)
TEAMS = ["ledger", "checkout", "billing", "catalog", "identity", "search", "payments", "media"]
REGIONS = ["eu-west", "eu-central", "us-east", "us-west", "ap-south"]
ENVIRONMENTS = [f"{t}-{r}-{k:02d}" for t in TEAMS for r in REGIONS for k in range(1, 6)]  # 200
ENV_IDS = {name: hashlib.sha256(name.encode()).hexdigest()[:24] for name in ENVIRONMENTS}
USERS = [f"user{k:02d}" for k in range(40)]
USER_IDS = {name: hashlib.sha256(name.encode()).hexdigest()[:24] for name in USERS}
# (type, level, action, message template), with weights: health checks and operations dominate.
KINDS = [
    (LogType.HEALTH_CHECK, LogLevel.ERROR, "check_health", "{env} is unhealthy: HTTP 503", 20),
    (LogType.HEALTH_CHECK, LogLevel.SUCCESS, "check_health", "{env} is healthy again", 20),
    (LogType.ACTION, LogLevel.SUCCESS, "restart", "{user} restarted {env} in {ms} ms", 15),
    (LogType.ACTION, LogLevel.SUCCESS, "upgrade", "{user} upgraded {env} to 2.{minor}.{ms}", 8),
    (LogType.ACTION, LogLevel.INFO, "update", "{user} updated environment {env}", 10),
    (LogType.ERROR, LogLevel.ERROR, "upgrade", "upgrade of {env} failed: exit status 1", 4),
    (LogType.AUTH, LogLevel.SUCCESS, "login", "{user} signed in from 10.0.{minor}.{ms}", 15),
    (LogType.AUTH, LogLevel.ERROR, "login_failed", "failed login as {user} from 10.9.0.1", 3),
    (LogType.SYSTEM, LogLevel.INFO, "start", "Envdeck started", 1),
    (LogType.ACTION, LogLevel.WARNING, "rollback", "{user} rolled {env} back to 2.{minor}.0", 4),
]
WEIGHTS = [kind[-1] for kind in KINDS]


@dataclass(frozen=True)
class Spec:
    """The fields of one entry, made once and recorded by both runs."""

    type: LogType
    level: LogLevel
    action: str
    message: str
    environment_id: str | None
    environment_name: str | None
    user_id: str | None
    username: str | None
    details: dict[str, Any]


def make_specs(n: int, seed: int) -> list[Spec]:
    rng = random.Random(seed)
    specs = []
    for kind in rng.choices(KINDS, weights=WEIGHTS, k=n):
        type_, level, action, template, _ = kind
        env, user = rng.choice(ENVIRONMENTS), rng.choice(USERS)
        ms, minor = rng.randint(100, 9000), rng.randint(0, 40)
        has_env, has_user = "{env}" in template, "{user}" in template and action != "login_failed"
        specs.append(
            Spec(
                type=type_,
                level=level,
                action=action,
                message=template.format(env=env, user=user, ms=ms, minor=minor),
                environment_id=ENV_IDS[env] if has_env else None,
                environment_name=env if has_env else None,
                user_id=USER_IDS[user] if has_user else None,
                username=user if has_user or action == "login_failed" else None,
                details={"durationMs": ms} if type_ is LogType.ACTION else {},
            )
        )
    return specs


def timestamps(n: int, end: datetime) -> list[datetime]:
    step = SPAN / n
    start = end - SPAN
    return [start + step * i for i in range(n)]


# --- ingest ------------------------------------------------------------------------------


async def ingest_through_writer(
    storage: Storage, specs: list[Spec], times: list[datetime]
) -> float:
    """Record every entry through ActivityLog and wait until all are stored; return seconds."""
    clock: Iterator[datetime] = iter(times)
    activity = ActivityLog(storage.logs, EventBus(), clock=lambda: next(clock))
    activity.start()
    with Stopwatch() as watch:
        for spec in specs:
            await activity.wait_for_room()
            activity.record(
                type=spec.type,
                action=spec.action,
                message=spec.message,
                level=spec.level,
                environment_id=spec.environment_id,
                environment_name=spec.environment_name,
                user_id=spec.user_id,
                username=spec.username,
                details=spec.details,
            )
        await activity.close()
    return watch.seconds


def _document(spec: Spec, at: datetime) -> dict[str, Any]:
    return {
        "timestamp": at,
        "environmentId": spec.environment_id,
        "environmentName": spec.environment_name,
        "userId": spec.user_id,
        "username": spec.username,
        "type": spec.type.value,
        "level": spec.level.value,
        "action": spec.action,
        "message": spec.message,
        "details": spec.details,
    }


def sqlite_raw_ingest(path: Path, specs: list[Spec], times: list[datetime]) -> float:
    """The same entries straight through sqlite3: JSON text, executemany, 500 a transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with Stopwatch() as watch:
        for i in range(0, len(specs), BATCH):
            rows = []
            for spec, at in zip(specs[i : i + BATCH], times[i : i + BATCH], strict=True):
                doc = _document(spec, at) | {"timestamp": format_utc(at)}
                rows.append((str(ObjectId()), json.dumps(doc, separators=(",", ":"))))
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO logs (id, doc) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
    conn.close()
    return watch.seconds


async def mongo_raw_ingest(
    uri: str, database: str, specs: list[Spec], times: list[datetime]
) -> float:
    """The same entries straight through PyMongo into a collection with the same indexes."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    storage = MongoStorage(uri, database)
    await storage.open()  # creates the logs indexes, then copy them onto raw_logs
    await storage.close()
    raw = client[database]["raw_logs"]
    for spec in (await client[database]["logs"].index_information()).values():
        if spec["key"] != [("_id", 1)]:
            await raw.create_index(spec["key"])
    with Stopwatch() as watch:
        for i in range(0, len(specs), BATCH):
            docs = [
                _document(spec, at)
                for spec, at in zip(specs[i : i + BATCH], times[i : i + BATCH], strict=True)
            ]
            await raw.insert_many(docs)
    await client.close()
    return watch.seconds


# --- acknowledged changes ---------------------------------------------------------------

ACK_CONCURRENCY = 64


async def ack_through_writer(storage: Storage, n: int, *, wait: bool) -> tuple[float, list[float]]:
    """ACK_CONCURRENCY producers record n entries in all, each waiting for its own entry to be
    stored when `wait`; return (seconds until every entry is stored, waits in ms)."""
    activity = ActivityLog(storage.logs, EventBus())
    activity.start()
    waits: list[float] = []

    async def producer(count: int) -> None:
        for k in range(count):
            with activity.receipt() as receipt:
                activity.record(type=LogType.ACTION, action="update", message=f"change {k}")
            if wait:
                started = time.perf_counter()
                assert await activity.wait_until_stored(receipt)
                waits.append((time.perf_counter() - started) * 1000)
            else:
                await asyncio.sleep(0)  # a request does some work between entries

    with Stopwatch() as watch:
        await asyncio.gather(*(producer(n // ACK_CONCURRENCY) for _ in range(ACK_CONCURRENCY)))
        await activity.wait_until_stored(timeout=60)
    await activity.close()
    return watch.seconds, waits


CLIENTS = (1, 16)


async def signed_in(url: str) -> tuple[dict[str, str], list[str]]:
    """Sign in as the bench admin and create one environment per client; return the headers
    and the environment ids."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        env_ids = []
        for k in range(max(CLIENTS)):
            created = await client.post(
                "/api/v1/environments", json={"name": f"ack-{k}"}, headers=headers
            )
            created.raise_for_status()
            env_ids.append(created.json()["id"])
    return headers, env_ids


async def http_change_latencies(
    url: str, headers: dict[str, str], env_ids: list[str], changes: int
) -> tuple[list[float], float]:
    """PATCH these environments (one client each) `changes` times in all; return latencies
    (ms) and the seconds it took."""
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def edit(env_id: str, count: int) -> None:
            for k in range(count):
                started = time.perf_counter()
                response = await client.patch(
                    f"/api/v1/environments/{env_id}", json={"description": f"edit {k}"}
                )
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()

        with Stopwatch() as watch:
            await asyncio.gather(*(edit(env_id, changes // len(env_ids)) for env_id in env_ids))
    return latencies, watch.seconds


async def bench_acknowledgement(n: int, changes: int, tmp: Path) -> list[str]:
    lines = []
    print(f"\nAcknowledged changes (SQLite): {n:,} entries through the writer", flush=True)
    writer = {}
    for wait in (False, True):
        storage = SqliteStorage(tmp / f"ack-{wait}.db")
        await storage.open()
        writer[wait] = await ack_through_writer(storage, n, wait=wait)
        await storage.close()
    (acked_s, waits), (queued_s, _) = writer[True], writer[False]
    print(
        f"  writer, {ACK_CONCURRENCY} producers: waiting {n / acked_s:,.0f} entries/s"
        f" (wait p50 {percentile(waits, 50):.2f} ms, p99 {percentile(waits, 99):.2f} ms),"
        f" not waiting {n / queued_s:,.0f} entries/s"
    )
    lines.append(
        bench_line(
            "activity_log",
            "sqlite_ack_rate",
            n / acked_s,
            "entries/s",
            baseline="sqlite_queued_rate",
            ratio=queued_s / acked_s,
            target="info",
            ok=True,
        )
    )
    lines.append(
        bench_line(
            "activity_log",
            "sqlite_ack_wait_p99_ms",
            percentile(waits, 99),
            "ms",
            baseline="none",
            ratio=0.0,
            target="info",
            ok=True,
        )
    )
    print(f"  HTTP: {changes} PATCH /environments/{{id}} by 1 and by 16 clients", flush=True)
    http: dict[tuple[str, int], tuple[list[float], float]] = {}
    (tmp / "http-ack").mkdir()
    (tmp / "http-noack").mkdir()
    acked_server = envdeck_server(tmp / "http-ack", {"ENVDECK_ACTIVITY_LOG__ACK_TIMEOUT": "5s"})
    plain_server = envdeck_server(tmp / "http-noack", {"ENVDECK_ACTIVITY_LOG__ACK_TIMEOUT": "0"})
    # Both servers up, measured in turns (A, B, A, B): this machine's noise falls on both.
    with acked_server as acked_url, plain_server as plain_url:
        servers = {"ack": acked_url, "noack": plain_url}
        accounts = {mode: await signed_in(url) for mode, url in servers.items()}
        for _ in range(2):
            for mode, url in servers.items():
                headers, env_ids = accounts[mode]
                for clients in CLIENTS:
                    samples, seconds = await http_change_latencies(
                        url, headers, env_ids[:clients], changes // 2
                    )
                    before, spent = http.get((mode, clients), ([], 0.0))
                    http[mode, clients] = (before + samples, spent + seconds)
    print(f"  {'':24}{'p50 ms':>9}{'p95 ms':>9}{'changes/s':>11}")
    for clients in CLIENTS:
        for mode in ("ack", "noack"):
            samples, seconds = http[mode, clients]
            label = f"{clients} client(s), {'waiting' if mode == 'ack' else 'not waiting'}"
            print(
                f"  {label:24}{percentile(samples, 50):>9.2f}{p95(samples):>9.2f}"
                f"{len(samples) / seconds:>11,.0f}"
            )
        acked, plain = http["ack", clients][0], http["noack", clients][0]
        lines.append(
            bench_line(
                "activity_log",
                f"sqlite_change_p50_ms_{clients}c",
                percentile(acked, 50),
                "ms",
                baseline=f"sqlite_change_noack_p50_ms_{clients}c",
                ratio=percentile(acked, 50) / percentile(plain, 50),
                target="info",
                ok=True,
            )
        )
    return lines


# --- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str  # page | search | count
    params: dict[str, str]


def make_queries(per_kind: int, end: datetime, seed: int) -> list[Query]:
    rng = random.Random(seed)

    def env() -> str:
        return ENV_IDS[rng.choice(ENVIRONMENTS)]

    def day() -> dict[str, str]:
        start = end - SPAN + timedelta(hours=rng.randint(0, 24 * 29))
        return {"startDate": format_utc(start), "endDate": format_utc(start + timedelta(days=1))}

    pages: list[Callable[[], dict[str, str]]] = [
        lambda: {},
        lambda: {"environmentId": env()},
        lambda: {"userId": USER_IDS[rng.choice(USERS)]},
        lambda: {"type": rng.choice(list(LogType)).value},
        lambda: {"type": "health_check", "level": rng.choice(["error", "success"])},
        lambda: {"level": rng.choice(list(LogLevel)).value},
        lambda: {"action": rng.choice(["restart", "upgrade", "login", "rollback"])},
        day,
        lambda: {"environmentId": env(), "level": "error"},
        lambda: {"environmentId": env(), **day()},
    ]
    searches: list[Callable[[], dict[str, str]]] = [
        lambda: {"q": rng.choice(ENVIRONMENTS)},  # one environment by name (0.5%)
        lambda: {"q": rng.choice(USERS)},  # one user (about 1%)
        lambda: {"q": "rolled"},  # a word of a rare message (4%)
        lambda: {"q": rng.choice(TEAMS), "type": "action"},  # a team's operations
    ]
    counts: list[Callable[[], dict[str, str]]] = [
        lambda: {},
        lambda: {"environmentId": env()},
        lambda: {"type": rng.choice(list(LogType)).value},
        lambda: {"level": "error"},
        day,
    ]
    queries = [
        Query(kind, make())
        for kind, makers in (("page", pages), ("search", searches), ("count", counts))
        for make in makers
        for _ in range(per_kind)
    ]
    rng.shuffle(queries)
    return queries


def _path(query: Query) -> str:
    return "/api/v1/logs/count" if query.kind == "count" else "/api/v1/logs"


async def http_latencies(url: str, queries: list[Query]) -> dict[str, list[float]]:
    """Run each query once over HTTP, one at a time; return the latencies (ms) by kind."""
    latencies: dict[str, list[float]] = {"page": [], "search": [], "count": []}
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        for query in queries[:10]:  # warm-up: connection, caches
            await client.get(_path(query), params=_params(query), headers=headers)
        for query in queries:
            started = time.perf_counter()
            response = await client.get(_path(query), params=_params(query), headers=headers)
            latencies[query.kind].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{query}: {response.status_code} {response.text}")
    return latencies


def _params(query: Query) -> dict[str, str]:
    return query.params | ({"limit": str(PAGE)} if query.kind != "count" else {})


def sqlite_raw_latencies(path: Path, queries: list[Query]) -> dict[str, list[float]]:
    """The same queries, the repository's own SQL, straight through sqlite3 on the same file
    (the baseline: what the API adds is HTTP, auth, models and JSON)."""
    conn = sqlite3.connect(path, isolation_level=None)
    latencies: dict[str, list[float]] = {"page": [], "search": [], "count": []}
    for query in queries:
        log_filter = LogFilter.model_validate(query.params)
        started = time.perf_counter()
        if query.kind == "count":
            conn.execute(*_groups_sql(log_filter)).fetchall()
        else:
            read_page(conn, LogListOptions(**dict(log_filter), limit=PAGE))
        latencies[query.kind].append((time.perf_counter() - started) * 1000)
    conn.close()
    return latencies


# --- report ------------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    return percentile(samples, 95) if samples else 0.0


def report(
    label: str,
    key: str,
    n: int,
    ingest: tuple[float, float],
    api: dict[str, list[float]],
    raw: dict[str, list[float]] | None,
) -> list[str]:
    strict = key == "sqlite"
    writer_s, raw_s = ingest
    ratio = raw_s / writer_s
    print(f"\n{label}: {n:,} entries")
    print(
        f"  ingest: writer {n / writer_s:,.0f}/s, raw driver {n / raw_s:,.0f}/s, ratio {ratio:.2f}"
    )
    print(f"  {'reads (ms)':30}{'n':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'raw p95':>9}")
    for kind in ("page", "search", "count"):
        samples = api[kind]
        base = f"{p95(raw[kind]):>9.1f}" if raw else f"{'-':>9}"
        print(
            f"  {kind:30}{len(samples):>6}{percentile(samples, 50):>9.1f}"
            f"{p95(samples):>9.1f}{percentile(samples, 99):>9.1f}{base}"
        )
    lines = [
        bench_line(
            "activity_log",
            f"{key}_ingest_rate",
            n / writer_s,
            "entries/s",
            baseline=f"{key}_raw_insert",
            ratio=ratio,
            target="ratio>=0.5" if strict else "info",
            ok=ratio >= 0.5 or not strict,
        )
    ]
    targets = {"page": ("p95<30", 30.0), "search": ("info", None), "count": ("p95<150", 150.0)}
    for kind, (target, limit) in targets.items():
        value = p95(api[kind])
        raw_value = p95(raw[kind]) if raw else 0.0
        lines.append(
            bench_line(
                "activity_log",
                f"{key}_{kind}_p95_ms",
                value,
                "ms",
                baseline=f"{key}_raw_{kind}" if raw else "none",
                ratio=value / raw_value if raw_value else 0.0,
                target=target if strict else "info",
                ok=(limit is None or value < limit) if strict else True,
            )
        )
    return lines


async def bench_sqlite(n: int, per_kind: int, tmp: Path) -> list[str]:
    end = datetime.now(UTC)
    specs, times = make_specs(n, seed=1), timestamps(n, end)
    data_dir = tmp / "sqlite-data"
    db_path = load_settings(environ={"ENVDECK_DATA_DIR": str(data_dir)}).sqlite_path
    raw_path = tmp / "raw.db"
    raw_store = SqliteStorage(raw_path)
    await raw_store.open()  # the same schema for the raw run
    await raw_store.close()
    print(f"SQLite: ingesting {n:,} entries (raw driver, then the writer)", flush=True)
    raw_s = sqlite_raw_ingest(raw_path, specs, times)
    storage = SqliteStorage(db_path)
    await storage.open()
    writer_s = await ingest_through_writer(storage, specs, times)
    await storage.close()
    del specs
    queries = make_queries(per_kind, end, seed=2)
    with envdeck_server(tmp, {"ENVDECK_DATA_DIR": str(data_dir)}) as url:
        api = await http_latencies(url, queries)
    raw = sqlite_raw_latencies(db_path, queries)
    return report("SQLite", "sqlite", n, (writer_s, raw_s), api, raw)


async def bench_mongo(uri: str, label: str, n: int, per_kind: int, tmp: Path) -> list[str]:
    end = datetime.now(UTC)
    specs, times = make_specs(n, seed=1), timestamps(n, end)
    database = f"envdeck_bench_{ObjectId()}"
    print(f"{label}: ingesting {n:,} entries (raw driver, then the writer)", flush=True)
    try:
        raw_s = await mongo_raw_ingest(uri, database, specs, times)
        storage = MongoStorage(uri, database)
        await storage.open()
        writer_s = await ingest_through_writer(storage, specs, times)
        await storage.close()
        workdir = tmp / "mongo-server"
        workdir.mkdir()
        server_env = {"MONGODB_URI": uri, "MONGODB_DATABASE": database}
        with envdeck_server(workdir, server_env) as url:
            api = await http_latencies(url, make_queries(per_kind, end, seed=2))
    finally:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        await client.drop_database(database)
        await client.close()
    return report(label, "mongo", n, (writer_s, raw_s), api, None)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--backend", choices=["sqlite", "mongo", "all"], default="all")
    parser.add_argument("--entries", type=int, help="SQLite entries (default 1,000,000)")
    parser.add_argument("--mongo-entries", type=int, help="MongoDB entries (default 20,000)")
    parser.add_argument("--queries", type=int, help="queries of each shape (default 30)")
    parser.add_argument(
        "--ack-entries", type=int, help="acknowledged entries through the writer (default 64,000)"
    )
    parser.add_argument("--changes", type=int, help="PATCH requests per HTTP run (default 1,600)")
    args = parser.parse_args()
    n = args.entries or (20_000 if args.quick else 1_000_000)
    mongo_n = args.mongo_entries or (2_000 if args.quick else 20_000)
    per_kind = args.queries or (3 if args.quick else 30)
    ack_n = args.ack_entries or (3_200 if args.quick else 64_000)
    changes = args.changes or (64 if args.quick else 1_600)
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.backend in ("sqlite", "all"):
            lines += await bench_sqlite(n, per_kind, tmp)
            lines += await bench_acknowledgement(ack_n, changes, tmp)
        if args.backend in ("mongo", "all"):
            uri = os.environ.get("ENVDECK_TEST_MONGODB_URI")
            if uri:
                lines += await bench_mongo(uri, "MongoDB", mongo_n, per_kind, tmp)
            else:
                # SecantusDB is a Python server: it gets fewer entries and one query per shape.
                with secantus_process(tmp / "secantus") as secantus_uri:
                    label = "SecantusDB (MongoDB wire protocol, informational)"
                    lines += await bench_mongo(secantus_uri, label, mongo_n, 1, tmp)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())

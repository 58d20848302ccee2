"""Storage benchmark: the activity log through the repositories against the raw drivers.

For each backend: insert N log entries through `LogRepository.create_many` (batches of 500,
as the activity-log writer does), then run filtered, paginated `list` queries; the baseline is
the same work done in the same run with the raw driver (sqlite3 `executemany` / PyMongo
`insert_many`, and the same queries with no model conversion).

    python bench/storage.py [--quick] [--backend sqlite|mongo|all]

Targets (SQLite): insert overhead ratio <= 1.5, filtered page p95 < 20 ms.
"""

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Stopwatch, bench_line, percentile

from envdeck.domain.ids import new_id
from envdeck.domain.log import LogEntry, LogLevel, LogListOptions, LogType
from envdeck.repositories.base import Storage
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.repositories.sqlite.documents import dump
from envdeck.repositories.sqlite.logs import _where

BATCH = 500
START = datetime(2026, 1, 1, tzinfo=UTC)
ENVIRONMENTS = [new_id() for _ in range(50)]
USERS = [new_id() for _ in range(20)]
ACTIONS = ["restart", "upgrade", "login", "check_health", "update", "create"]


def make_entries(n: int, rng: random.Random) -> list[LogEntry]:
    return [
        LogEntry(
            id=new_id(),  # as the activity log records them
            timestamp=START + timedelta(seconds=i * 3),
            environment_id=rng.choice(ENVIRONMENTS),
            environment_name=f"env-{i % 50}",
            user_id=rng.choice(USERS),
            username=f"user{i % 20}",
            type=rng.choice(list(LogType)),
            level=rng.choice(list(LogLevel)),
            action=rng.choice(ACTIONS),
            message=f"operation {i} finished on env-{i % 50}",
            details={"n": i, "durationMs": rng.randint(10, 5000)},
        )
        for i in range(n)
    ]


def make_queries(n: int, total: int, rng: random.Random) -> list[LogListOptions]:
    span = total * 3
    queries = []
    for _ in range(n):
        q: dict[str, Any] = {"page": rng.randint(1, 5), "limit": 50}
        choice = rng.random()
        if choice < 0.3:
            q["environment_id"] = rng.choice(ENVIRONMENTS)
        elif choice < 0.5:
            q["type"] = rng.choice(list(LogType))
            q["level"] = rng.choice(list(LogLevel))
        elif choice < 0.7:
            q["user_id"] = rng.choice(USERS)
        elif choice < 0.9:
            start = START + timedelta(seconds=rng.randint(0, span))
            q["start_date"], q["end_date"] = start, start + timedelta(hours=6)
        else:
            q["action"] = rng.choice(ACTIONS)
        queries.append(LogListOptions(**q))
    return queries


async def repository_run(
    storage: Storage, entries: list[LogEntry], queries: list[LogListOptions]
) -> tuple[float, list[float]]:
    with Stopwatch() as insert:
        for i in range(0, len(entries), BATCH):
            await storage.logs.create_many(entries[i : i + BATCH])
    latencies = []
    for options in queries:
        started = time.perf_counter()
        await storage.logs.list(options)
        latencies.append((time.perf_counter() - started) * 1000)
    return insert.seconds, latencies


def sqlite_raw_run(
    path: Path, entries: list[LogEntry], queries: list[LogListOptions]
) -> tuple[float, list[float]]:
    """The same rows and queries straight through sqlite3, in the same schema."""
    rows = [(entry.id, dump(entry)) for entry in entries]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with Stopwatch() as insert:
        for i in range(0, len(rows), BATCH):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO logs (id, doc) VALUES (?, ?)", rows[i : i + BATCH])
            conn.execute("COMMIT")
    latencies = []
    for options in queries:
        where, params = _where(options)
        started = time.perf_counter()
        conn.execute(f"SELECT count(*) FROM logs WHERE {where}", params).fetchone()
        conn.execute(
            f"SELECT id, doc FROM logs WHERE {where} ORDER BY timestamp DESC, id DESC "
            "LIMIT ? OFFSET ?",
            (*params, options.limit, options.offset),
        ).fetchall()
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()
    return insert.seconds, latencies


def _mongo_filter(options: LogListOptions) -> dict[str, Any]:
    query: dict[str, Any] = {}
    for field, value in (
        ("type", options.type),
        ("level", options.level),
        ("action", options.action),
        ("environmentId", options.environment_id),
        ("userId", options.user_id),
    ):
        if value is not None:
            query[field] = str(value)
    if options.start_date or options.end_date:
        query["timestamp"] = {"$gte": options.start_date, "$lte": options.end_date}
    return query


async def mongo_raw_run(
    uri: str, database: str, entries: list[LogEntry], queries: list[LogListOptions]
) -> tuple[float, list[float]]:
    """The same documents and queries straight through PyMongo, with the same indexes."""
    docs = [entry.model_dump(by_alias=True, exclude={"id"}) for entry in entries]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    logs = client[database]["raw_logs"]
    await logs.create_index([("timestamp", -1)])
    for field in ("environmentId", "userId", "type", "level", "action"):
        await logs.create_index([(field, 1), ("timestamp", -1)])
    with Stopwatch() as insert:
        for i in range(0, len(docs), BATCH):
            await logs.insert_many(docs[i : i + BATCH])
    latencies = []
    for options in queries:
        query = _mongo_filter(options)
        started = time.perf_counter()
        await logs.count_documents(query)
        cursor = logs.find(query).sort([("timestamp", -1), ("_id", -1)])
        await cursor.skip(options.offset).limit(options.limit).to_list()
        latencies.append((time.perf_counter() - started) * 1000)
    await client.drop_database(database)
    await client.close()
    return insert.seconds, latencies


def report(
    backend: str, n: int, repo: tuple[float, list[float]], raw: tuple[float, list[float]]
) -> list[str]:
    repo_insert, repo_lat = repo
    raw_insert, raw_lat = raw
    insert_ratio = repo_insert / raw_insert
    p95, raw_p95 = percentile(repo_lat, 95), percentile(raw_lat, 95)
    p50 = percentile(repo_lat, 50)
    strict = backend == "sqlite"
    print(f"\n{backend}: {n:,} log entries, {len(repo_lat):,} filtered page queries")
    print(f"  {'':26}{'repository':>14}{'raw driver':>14}{'ratio':>8}")
    rates = f"{n / repo_insert:>14,.0f}{n / raw_insert:>14,.0f}{insert_ratio:>8.2f}"
    print(f"  {'insert rate (entries/s)':26}{rates}")
    print(f"  {'page p50 (ms)':26}{p50:>14.2f}{percentile(raw_lat, 50):>14.2f}")
    print(f"  {'page p95 (ms)':26}{p95:>14.2f}{raw_p95:>14.2f}{p95 / raw_p95:>8.2f}")
    return [
        bench_line(
            "storage",
            f"{backend}_insert_rate",
            n / repo_insert,
            "entries/s",
            baseline=f"{backend}_raw_insert",
            ratio=insert_ratio,
            target="ratio<=1.5" if strict else "info",
            ok=insert_ratio <= 1.5 or not strict,
        ),
        bench_line(
            "storage",
            f"{backend}_page_p95_ms",
            p95,
            "ms",
            baseline=f"{backend}_raw_page",
            ratio=p95 / raw_p95,
            target="p95<20" if strict else "info",
            ok=p95 < 20 or not strict,
        ),
    ]


async def bench_sqlite(
    entries: list[LogEntry], queries: list[LogListOptions], tmp: Path
) -> list[str]:
    storage = SqliteStorage(tmp / "repo.db")
    await storage.open()
    repo = await repository_run(storage, entries, queries)
    await storage.close()
    raw_store = SqliteStorage(tmp / "raw.db")
    await raw_store.open()  # the same schema for the raw run
    await raw_store.close()
    raw = sqlite_raw_run(tmp / "raw.db", entries, queries)
    return report("sqlite", len(entries), repo, raw)


async def bench_mongo(
    uri: str, entries: list[LogEntry], queries: list[LogListOptions]
) -> list[str]:
    database = f"envdeck_bench_{new_id()}"
    storage = MongoStorage(uri, database)
    await storage.open()
    repo = await repository_run(storage, entries, queries)
    await storage.close()
    raw = await mongo_raw_run(uri, database, entries, queries)
    return report("mongo", len(entries), repo, raw)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--backend", choices=["sqlite", "mongo", "all"], default="all")
    parser.add_argument("--entries", type=int, help="log entries to insert (default 200,000)")
    parser.add_argument("--queries", type=int, help="list queries to run (default 1,000)")
    args = parser.parse_args()
    n, q = (10_000, 100) if args.quick else (200_000, 1_000)
    n, q = args.entries or n, args.queries or q
    rng = random.Random(42)
    entries = make_entries(n, rng)
    queries = make_queries(q, n, rng)
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend in ("sqlite", "all"):
            lines += await bench_sqlite(entries, queries, Path(tmp))
        if args.backend in ("mongo", "all"):
            uri = os.environ.get("ENVDECK_TEST_MONGODB_URI")
            if uri:
                lines += await bench_mongo(uri, entries, queries)
            else:
                from secantus import SecantusDBServer

                # SecantusDB is a MongoDB server written in Python, for tests: its queries over
                # 200,000 documents take seconds each, so it gets a tenth of the queries. Set
                # ENVDECK_TEST_MONGODB_URI to measure a real MongoDB at full scale.
                some = queries if args.queries or args.quick else queries[: len(queries) // 10]
                with SecantusDBServer(storage_path=str(Path(tmp) / "mongo")) as server:
                    lines += await bench_mongo(server.uri, entries, some)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())

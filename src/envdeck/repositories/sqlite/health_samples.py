"""Health samples in SQLite: raw rows by (environment, time), hourly rollups by (environment, hour).

A batch is one transaction: the raw rows by executemany, then one upsert per environment and
hour the batch touches (the increments are summed in Python first). Every read is a range on
one environment's index (or, for sparklines, on a few environments'), grouped by
`ts / bucket` in SQL, so no query reads more than its range.
"""

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from envdeck.domain.environment import HealthState
from envdeck.domain.health import HealthPoint, HealthSample
from envdeck.repositories.health_rollups import (
    HOUR_MS,
    average,
    bucket_ms,
    epoch_ms,
    from_epoch_ms,
    rollup_increments,
)
from envdeck.repositories.sqlite.database import SqliteDatabase

# Environments purged per transaction: other writes get the lock between chunks.
PURGE_ENVIRONMENTS = 200
# "No upper bound" for a range of epoch milliseconds.
_NO_END = 2**62

_INSERT_SAMPLE = (
    # Two checks of one environment in the same millisecond keep one raw sample (both count in
    # the rollup): the time is the key.
    "INSERT OR IGNORE INTO health_samples"
    " (environment_id, ts, health, response_time, status_code, message)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_UPSERT_ROLLUP = """
INSERT INTO health_rollups (environment_id, hour, checks, healthy_checks,
    response_time_sum, response_time_count, response_time_max)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (environment_id, hour) DO UPDATE SET
    checks = checks + excluded.checks,
    healthy_checks = healthy_checks + excluded.healthy_checks,
    response_time_sum = response_time_sum + excluded.response_time_sum,
    response_time_count = response_time_count + excluded.response_time_count,
    response_time_max = CASE
        WHEN response_time_max IS NULL THEN excluded.response_time_max
        WHEN excluded.response_time_max IS NULL THEN response_time_max
        ELSE max(response_time_max, excluded.response_time_max) END
"""
_HEALTHY = f"'{HealthState.HEALTHY.value}'"
# (bucket start, checks, healthy checks, response-time avg, response-time max), oldest first.
_RAW_BUCKETS = f"""
SELECT ts / :bucket * :bucket AS start, count(*), sum(health = {_HEALTHY}),
    avg(response_time), max(response_time)
FROM health_samples
WHERE environment_id = :environment_id AND ts >= :start AND ts < :end
GROUP BY start ORDER BY start
"""  # noqa: S608 (constant)
_ROLLUP_BUCKETS = """
SELECT hour / :bucket * :bucket AS start, sum(checks), sum(healthy_checks),
    sum(response_time_sum), sum(response_time_count), max(response_time_max)
FROM health_rollups
WHERE environment_id = :environment_id AND hour >= :start AND hour < :end
GROUP BY start ORDER BY start
"""

PointRow = tuple[int, int, int, float | None, float | None]
SampleRow = tuple[str, int, str, float | None, int | None, str]


def _point(row: PointRow) -> HealthPoint:
    start, checks, healthy, avg, peak = row
    return HealthPoint(
        timestamp=from_epoch_ms(start),
        checks=checks,
        healthy_checks=healthy or 0,
        response_time_avg=avg,
        response_time_max=peak,
    )


def _sample(row: SampleRow) -> HealthSample:
    environment_id, ts, health, response_time, status_code, message = row
    return HealthSample(
        environment_id=environment_id,
        timestamp=from_epoch_ms(ts),
        health=HealthState(health),
        response_time=response_time,
        status_code=status_code,
        message=message,
    )


def _write_batch(conn: sqlite3.Connection, samples: list[HealthSample]) -> None:
    rows = [
        (
            s.environment_id,
            epoch_ms(s.timestamp),
            s.health.value,
            s.response_time,
            s.status_code,
            s.message,
        )
        for s in samples
    ]
    rollups = [
        (
            r.environment_id,
            r.hour_ms,
            r.checks,
            r.healthy_checks,
            r.response_time_sum,
            r.response_time_count,
            r.response_time_max,
        )
        for r in rollup_increments(samples)
    ]
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_INSERT_SAMPLE, rows)
        conn.executemany(_UPSERT_ROLLUP, rollups)


def _purger(
    table: str, column: str, cutoff: int, after: str
) -> Callable[[sqlite3.Connection], tuple[int, str | None]]:
    """Return a purge of the next environments after `after` (by id), each a range delete on
    the primary key; it returns (rows deleted, last environment, or None when done).

    The environments are found by seeking the key for the next id, one index lookup each,
    rather than scanning the table for distinct ids or keeping an index on time alone.
    """
    next_sql = (
        f"SELECT environment_id FROM {table} WHERE environment_id > ?"  # noqa: S608 (constant)
        " ORDER BY environment_id LIMIT 1"
    )
    delete_sql = f"DELETE FROM {table} WHERE environment_id = ? AND {column} < ?"  # noqa: S608

    def purge(conn: sqlite3.Connection) -> tuple[int, str | None]:
        deleted = 0
        last: str | None = after
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for _ in range(PURGE_ENVIRONMENTS):
                row = conn.execute(next_sql, (last,)).fetchone()
                if row is None:
                    return deleted, None
                last = str(row[0])
                deleted += conn.execute(delete_sql, (last, cutoff)).rowcount
        return deleted, last

    return purge


class SqliteHealthSampleRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def record(self, samples: list[HealthSample]) -> None:
        if samples:
            await self._db.run(lambda conn: _write_batch(conn, samples))

    async def history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        params = {
            "environment_id": environment_id,
            "start": epoch_ms(start),
            "end": epoch_ms(end),
            "bucket": bucket_ms(bucket),
        }
        rows = await self._db.run(lambda c: c.execute(_RAW_BUCKETS, params).fetchall())
        return [_point(row) for row in rows]

    async def rollup_history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        params = {
            "environment_id": environment_id,
            "start": epoch_ms(start),
            "end": epoch_ms(end),
            # Whole hours: a rollup is never split between buckets.
            "bucket": max(HOUR_MS, bucket_ms(bucket) // HOUR_MS * HOUR_MS),
        }
        rows = await self._db.run(lambda c: c.execute(_ROLLUP_BUCKETS, params).fetchall())
        return [
            _point((start_ms, checks, healthy, average(total, count), peak))
            for start_ms, checks, healthy, total, count, peak in rows
        ]

    async def recent(
        self, environment_ids: list[str], since: datetime, bucket: timedelta
    ) -> dict[str, list[HealthPoint]]:
        ids = list(dict.fromkeys(environment_ids))
        params = {"start": epoch_ms(since), "end": _NO_END, "bucket": bucket_ms(bucket)}

        # One range query per environment, all in one call on the database thread: cheaper
        # than one query over all of them (its GROUP BY sorts every row in a temporary tree).
        def read(conn: sqlite3.Connection) -> dict[str, list[PointRow]]:
            return {
                environment_id: conn.execute(
                    _RAW_BUCKETS, {**params, "environment_id": environment_id}
                ).fetchall()
                for environment_id in ids
            }

        rows = await self._db.run(read)
        return {
            environment_id: [_point(row) for row in rows[environment_id]] for environment_id in ids
        }

    async def latest(self, environment_id: str, limit: int) -> list[HealthSample]:
        sql = (
            "SELECT environment_id, ts, health, response_time, status_code, message"
            " FROM health_samples WHERE environment_id = ? ORDER BY ts DESC LIMIT ?"
        )
        rows = await self._db.run(lambda c: c.execute(sql, (environment_id, limit)).fetchall())
        return [_sample(row) for row in rows]

    async def uptime(self, environment_id: str, since: datetime) -> tuple[int, int]:
        sql = (
            "SELECT coalesce(sum(checks), 0), coalesce(sum(healthy_checks), 0)"
            " FROM health_rollups WHERE environment_id = ? AND hour >= ?"
        )
        params = (environment_id, epoch_ms(since))
        checks, healthy = await self._db.run(lambda c: c.execute(sql, params).fetchone())
        return int(checks), int(healthy)

    async def delete_before(self, raw_cutoff: datetime, rollup_cutoff: datetime) -> int:
        deleted = 0
        for table, column, cutoff in (
            ("health_samples", "ts", raw_cutoff),
            ("health_rollups", "hour", rollup_cutoff),
        ):
            after: str | None = ""
            while after is not None:
                count, after = await self._db.run(_purger(table, column, epoch_ms(cutoff), after))
                deleted += count
        return deleted

    async def delete_for_environment(self, environment_id: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                for table in ("health_samples", "health_rollups"):
                    sql = f"DELETE FROM {table} WHERE environment_id = ?"  # noqa: S608
                    conn.execute(sql, [environment_id])

        await self._db.run(delete)

    async def expire_after(self, raw_retention: timedelta, rollup_retention: timedelta) -> bool:
        # SQLite has no expiry of its own: the retention service purges with delete_before.
        return False

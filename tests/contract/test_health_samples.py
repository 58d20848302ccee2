"""The HealthSampleRepository contract, on every backend: raw samples, hourly rollups, buckets."""

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from envdeck.domain.environment import HealthState
from envdeck.domain.health import HealthPoint, HealthSample
from envdeck.domain.ids import new_id
from envdeck.repositories.base import Storage
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION
from envdeck.services.health.history import HealthSampleRetention

# A whole hour, so that hour and bucket boundaries are easy to read in the tests.
H0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
HEALTHY = HealthState.HEALTHY
UNHEALTHY = HealthState.UNHEALTHY


def sample(
    environment_id: str,
    at: datetime,
    health: HealthState = HEALTHY,
    response_time: float | None = 100.0,
    **fields: object,
) -> HealthSample:
    return HealthSample(
        environment_id=environment_id,
        timestamp=at,
        health=health,
        response_time=response_time,
        status_code=fields.pop("status_code", 200),
        message=str(fields.pop("message", "")),
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def point(
    at: datetime, checks: int, healthy: int, avg: float | None, peak: float | None
) -> HealthPoint:
    return HealthPoint(
        timestamp=at,
        checks=checks,
        healthy_checks=healthy,
        response_time_avg=avg,
        response_time_max=peak,
    )


async def test_record_of_nothing_is_harmless(storage: Storage) -> None:
    await storage.health_samples.record([])

    assert await storage.health_samples.latest(new_id(), 10) == []


async def test_latest_returns_the_newest_samples_of_one_environment_newest_first(
    storage: Storage,
) -> None:
    env, other = new_id(), new_id()
    samples = [
        sample(env, H0 + timedelta(seconds=10 * n, microseconds=123_456), message=f"check {n}")
        for n in range(5)
    ]
    samples[2] = sample(
        env, samples[2].timestamp, UNHEALTHY, None, status_code=None, message="timed out after 5 s"
    )
    await storage.health_samples.record([*samples, sample(other, H0 + minutes(5))])

    latest = await storage.health_samples.latest(env, 3)

    assert latest == list(reversed(samples))[:3]
    assert latest[0].timestamp == H0 + timedelta(seconds=40, milliseconds=123)
    assert latest[2].health == UNHEALTHY
    assert latest[2].response_time is None
    assert latest[2].status_code is None
    assert await storage.health_samples.latest(new_id(), 3) == []


async def test_history_merges_raw_samples_into_buckets_and_omits_empty_ones(
    storage: Storage,
) -> None:
    env = new_id()
    await storage.health_samples.record(
        [
            sample(env, H0 - minutes(1)),  # before the range
            sample(env, H0, response_time=100.0),
            sample(env, H0 + minutes(4), UNHEALTHY, response_time=300.0),
            sample(env, H0 + minutes(4.9), UNHEALTHY, response_time=None),
            # nothing in [5 min, 10 min)
            sample(env, H0 + minutes(12), response_time=50.0),
            sample(env, H0 + minutes(15)),  # at the end: outside [start, end)
            sample(new_id(), H0 + minutes(1)),  # another environment
        ]
    )

    points = await storage.health_samples.history(env, H0, H0 + minutes(15), minutes(5))

    assert points == [
        point(H0, 3, 1, 200.0, 300.0),
        point(H0 + minutes(10), 1, 1, 50.0, 50.0),
    ]


async def test_history_aligns_buckets_to_whole_multiples_of_their_width(storage: Storage) -> None:
    # The range starts mid-bucket: points keep stable times however the range moves.
    env = new_id()
    await storage.health_samples.record(
        [sample(env, H0 + timedelta(seconds=s)) for s in (13, 25, 37)]
    )

    points = await storage.health_samples.history(
        env, H0 + timedelta(seconds=7), H0 + minutes(1), timedelta(seconds=12)
    )

    assert [(p.timestamp, p.checks) for p in points] == [
        (H0 + timedelta(seconds=12), 1),
        (H0 + timedelta(seconds=24), 1),
        (H0 + timedelta(seconds=36), 1),
    ]


async def test_record_adds_each_sample_to_its_hourly_rollup(storage: Storage) -> None:
    env = new_id()
    # Two batches touching the same hour add up; a sample at exactly the hour starts the next.
    await storage.health_samples.record(
        [
            sample(env, H0 + minutes(10), response_time=100.0),
            sample(env, H0 + minutes(20), UNHEALTHY, response_time=None),
        ]
    )
    await storage.health_samples.record(
        [
            sample(
                env, H0 + minutes(59) + timedelta(seconds=59, milliseconds=999), UNHEALTHY, 400.0
            ),
            sample(env, H0 + hours(1), response_time=20.0),
        ]
    )

    points = await storage.health_samples.rollup_history(env, H0, H0 + hours(2), hours(1))

    assert points == [
        point(H0, 3, 1, 250.0, 400.0),
        point(H0 + hours(1), 1, 1, 20.0, 20.0),
    ]


async def test_rollup_average_is_weighted_by_checks_across_batches(storage: Storage) -> None:
    # A true average (sum / count), not an average of the batches' averages.
    env = new_id()
    await storage.health_samples.record([sample(env, H0 + minutes(1), response_time=10.0)])
    await storage.health_samples.record(
        [sample(env, H0 + minutes(2 + n), response_time=40.0) for n in range(3)]
    )

    [rollup] = await storage.health_samples.rollup_history(env, H0, H0 + hours(1), hours(1))

    assert rollup.checks == 4
    assert rollup.response_time_avg == pytest.approx(32.5)
    assert rollup.response_time_max == 40.0


async def test_rollup_history_merges_hours_into_multi_hour_buckets(storage: Storage) -> None:
    env = new_id()
    # Three hours per bucket, aligned to the epoch: 09:00-12:00, 12:00-15:00 (H0 is 10:00).
    samples = [
        sample(env, H0 - hours(1) + minutes(30), response_time=10.0),  # 09:30
        sample(env, H0 + minutes(30), UNHEALTHY, response_time=30.0),  # 10:30
        sample(env, H0 + hours(1) + minutes(30), response_time=None),  # 11:30
        sample(env, H0 + hours(2) + minutes(30), response_time=70.0),  # 12:30
        sample(env, H0 + hours(5) + minutes(30)),  # 15:30, after the range
    ]
    await storage.health_samples.record(samples)

    points = await storage.health_samples.rollup_history(
        env, H0 - hours(1), H0 + hours(5), hours(3)
    )

    assert points == [
        point(H0 - hours(1), 3, 2, 20.0, 30.0),
        point(H0 + hours(2), 1, 1, 70.0, 70.0),
    ]


async def test_rollup_history_leaves_out_hours_before_the_start(storage: Storage) -> None:
    env = new_id()
    await storage.health_samples.record(
        [sample(env, H0 - minutes(1)), sample(env, H0 + minutes(1))]
    )

    points = await storage.health_samples.rollup_history(env, H0, H0 + hours(1), hours(1))

    assert [(p.timestamp, p.checks) for p in points] == [(H0, 1)]


async def test_uptime_counts_checks_and_healthy_checks_of_the_hours_since(
    storage: Storage,
) -> None:
    env = new_id()
    await storage.health_samples.record(
        [
            *[sample(env, H0 - hours(3) + minutes(n)) for n in range(5)],
            *[sample(env, H0 - hours(1) + minutes(n), UNHEALTHY) for n in range(2)],
            *[sample(env, H0 + minutes(n)) for n in range(3)],
            sample(new_id(), H0),
        ]
    )

    assert await storage.health_samples.uptime(env, H0) == (3, 3)
    assert await storage.health_samples.uptime(env, H0 - hours(1)) == (5, 3)
    assert await storage.health_samples.uptime(env, H0 - hours(24)) == (10, 8)
    assert await storage.health_samples.uptime(new_id(), H0 - hours(24)) == (0, 0)


async def test_recent_returns_buckets_of_several_environments_at_once(storage: Storage) -> None:
    first, second, quiet = new_id(), new_id(), new_id()
    await storage.health_samples.record(
        [
            sample(first, H0 - minutes(3)),  # before since
            sample(first, H0 + minutes(1), response_time=10.0),
            sample(first, H0 + minutes(3), UNHEALTHY, response_time=30.0),
            sample(second, H0 + minutes(5), response_time=5.0),
            sample(new_id(), H0 + minutes(1)),  # not asked for
        ]
    )

    recent = await storage.health_samples.recent([first, second, quiet], H0, minutes(2))

    assert recent == {
        first: [point(H0, 1, 1, 10.0, 10.0), point(H0 + minutes(2), 1, 0, 30.0, 30.0)],
        second: [point(H0 + minutes(4), 1, 1, 5.0, 5.0)],
        quiet: [],
    }
    assert await storage.health_samples.recent([], H0, minutes(2)) == {}


async def test_delete_before_purges_raw_samples_and_rollups_at_their_own_cutoffs(
    storage: Storage,
) -> None:
    env = new_id()
    await storage.health_samples.record(
        [
            sample(env, H0 - hours(48)),  # raw and rollup both too old
            sample(env, H0 - hours(2)),  # raw too old, rollup kept
            sample(env, H0 - minutes(1)),  # raw too old (cutoff at H0), rollup kept
            sample(env, H0),  # raw kept: the cutoff is exclusive
            sample(env, H0 + minutes(30)),
        ]
    )

    deleted = await storage.health_samples.delete_before(H0, H0 - hours(24))

    assert deleted == 3 + 1  # three raw samples, one rollup
    kept = await storage.health_samples.latest(env, 10)
    assert [s.timestamp for s in kept] == [H0 + minutes(30), H0]
    rollups = await storage.health_samples.rollup_history(
        env, H0 - hours(72), H0 + hours(1), hours(1)
    )
    assert [(p.timestamp, p.checks) for p in rollups] == [
        (H0 - hours(2), 1),
        (H0 - hours(1), 1),
        (H0, 2),
    ]
    assert await storage.health_samples.delete_before(H0, H0 - hours(24)) == 0


async def test_delete_for_environment_forgets_its_samples_and_rollups_only(
    storage: Storage,
) -> None:
    gone, kept = new_id(), new_id()
    await storage.health_samples.record(
        [sample(gone, H0), sample(gone, H0 + hours(1)), sample(kept, H0)]
    )

    await storage.health_samples.delete_for_environment(gone)

    assert await storage.health_samples.latest(gone, 10) == []
    assert await storage.health_samples.uptime(gone, H0 - hours(1)) == (0, 0)
    assert await storage.health_samples.history(gone, H0, H0 + hours(2), hours(1)) == []
    assert await storage.health_samples.uptime(kept, H0 - hours(1)) == (1, 1)
    assert len(await storage.health_samples.latest(kept, 10)) == 1


async def test_expire_after_is_handled_by_mongodb_and_left_to_a_purge_on_sqlite(
    storage: Storage,
) -> None:
    expires = await storage.health_samples.expire_after(timedelta(days=7), timedelta(days=400))
    # Changing the retention later changes the TTL in place.
    again = await storage.health_samples.expire_after(timedelta(days=3), timedelta(days=400))

    assert expires is again is (storage.backend == "mongodb")


async def test_retention_purges_sqlite_and_leaves_mongodb_to_its_ttl_indexes(
    storage: Storage,
) -> None:
    env = new_id()
    now = H0 + hours(24 * 10)
    await storage.health_samples.record(
        [
            sample(env, now - timedelta(days=8)),  # raw too old (7 days), rollup kept
            sample(env, now - timedelta(days=401)),  # both too old (400 days)
            sample(env, now - timedelta(days=1)),
        ]
    )
    retention = HealthSampleRetention(storage, timedelta(days=7), timedelta(days=400), lambda: now)

    purged = await retention.run_once()

    if storage.backend == "mongodb":
        assert purged == 0  # expired by the server in its own time
    else:
        assert purged == 3
        assert [s.timestamp for s in await storage.health_samples.latest(env, 10)] == [
            now - timedelta(days=1)
        ]
        assert await storage.health_samples.uptime(env, now - timedelta(days=500)) == (2, 2)


async def test_a_version_4_sqlite_database_gains_the_health_tables(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    storage = SqliteStorage(path)
    await storage.open()
    await storage.close()
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.executescript(
            "DROP TABLE health_samples; DROP TABLE health_rollups; PRAGMA user_version = 4;"
        )

    storage = SqliteStorage(path)
    try:
        env = new_id()
        await storage.health_samples.record([sample(env, H0)])
        assert await storage.health_samples.uptime(env, H0) == (1, 1)
    finally:
        await storage.close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT ts / 12000, count(*) FROM health_samples"
            " WHERE environment_id = 'a' AND ts >= 1 AND ts < 2 GROUP BY 1",
            "PRIMARY KEY",
        ),
        (
            "SELECT * FROM health_samples WHERE environment_id = 'a' ORDER BY ts DESC LIMIT 5",
            "PRIMARY KEY",
        ),
        (
            "SELECT sum(checks) FROM health_rollups WHERE environment_id = 'a' AND hour >= 1",
            "PRIMARY KEY",
        ),
        # The purge: the next environment, then a range of its samples.
        (
            "SELECT environment_id FROM health_samples WHERE environment_id > 'a'"
            " ORDER BY environment_id LIMIT 1",
            "PRIMARY KEY",
        ),
        ("DELETE FROM health_samples WHERE environment_id = 'a' AND ts < 5", "PRIMARY KEY"),
    ],
)
async def test_sqlite_reads_of_samples_are_index_ranges(
    tmp_path: Path, sql: str, index: str
) -> None:
    storage = SqliteStorage(tmp_path / "envdeck.db")
    await storage.open()
    await storage.close()

    with closing(sqlite3.connect(tmp_path / "envdeck.db")) as conn:
        plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))

    assert index in plan
    assert "SCAN health" not in plan

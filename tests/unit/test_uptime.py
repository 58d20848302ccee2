"""Uptime arithmetic and chart plans of the health history, on known samples in memory.

The sample repository's own arithmetic (buckets, rollups) is the contract of
tests/contract/test_health_samples.py, which the in-memory fake passes too.
"""

from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from envdeck.adapters.events import EventBus
from envdeck.domain.environment import Environment, HealthState
from envdeck.domain.errors import EnvironmentNotFound, ValidationFailed
from envdeck.domain.health import HealthSample
from envdeck.domain.ids import new_id
from envdeck.services.health.history import (
    CHART_PLANS,
    HealthHistoryService,
    HistoryRange,
    uptime_percent,
    window_start,
)
from tests.fakes.storage import FakeStorage

NOW = datetime(2026, 3, 10, 14, 25, 30, tzinfo=UTC)
# The 24 h window is the current hour and the 23 before it: from 15:00 yesterday.
DAY_START = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def environment(storage: FakeStorage) -> Environment:
    return await storage.environments.create(Environment(id=new_id(), name="shop-prod"))


def history_service(storage: FakeStorage) -> HealthHistoryService:
    return HealthHistoryService(storage, EventBus(), lambda: NOW)


def checks(
    environment_id: str, start: datetime, count: int, healthy: int, step: timedelta
) -> list[HealthSample]:
    """Return count samples from start, one every step, the first `healthy` of them healthy."""
    return [
        HealthSample(
            environment_id=environment_id,
            timestamp=start + n * step,
            health=HealthState.HEALTHY if n < healthy else HealthState.UNHEALTHY,
            response_time=50.0,
        )
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("checks_", "healthy", "percent"),
    [(100, 90, 90.0), (3, 1, 33.33), (3, 2, 66.67), (7, 7, 100.0), (5, 0, 0.0), (0, 0, None)],
)
def test_uptime_percent_has_two_decimals_and_none_without_checks(
    checks_: int, healthy: int, percent: float | None
) -> None:
    assert uptime_percent(checks_, healthy) == percent


def test_a_window_is_whole_hours_ending_with_the_current_one() -> None:
    assert window_start(NOW, timedelta(hours=24)) == DAY_START
    assert window_start(NOW, timedelta(days=7)) == datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def test_every_chart_has_at_most_about_300_points() -> None:
    for plan in CHART_PLANS.values():
        assert plan.span / plan.bucket <= 300
    assert not CHART_PLANS[HistoryRange.HOUR].from_rollups
    assert not CHART_PLANS[HistoryRange.DAY].from_rollups
    assert CHART_PLANS[HistoryRange.WEEK].from_rollups
    assert CHART_PLANS[HistoryRange.MONTH].from_rollups


async def test_uptime_per_window_from_known_samples(
    storage: FakeStorage, environment: Environment
) -> None:
    env = environment.id
    minute = timedelta(minutes=1)
    await storage.health_samples.record(
        [
            # 24 h: 90 healthy of 100, the first exactly at the window's first hour.
            *checks(env, DAY_START, 100, 90, 13 * minute),
            # 7 d: one just before the 24 h window and 49 more days ago; 25 healthy of those 50.
            *checks(env, DAY_START - timedelta(milliseconds=1), 1, 0, minute),
            *checks(env, NOW - timedelta(days=3), 49, 25, minute),
            # 30 d: 100 more, all healthy.
            *checks(env, NOW - timedelta(days=20), 100, 100, minute),
            # 90 d: 250 more, none healthy.
            *checks(env, NOW - timedelta(days=60), 250, 0, minute),
            # Older than 90 days: in no window.
            *checks(env, NOW - timedelta(days=100), 40, 40, minute),
            # Another environment's checks count for it alone.
            *checks(new_id(), NOW - timedelta(hours=1), 10, 0, minute),
        ]
    )

    uptime = await history_service(storage).uptime(env)

    assert [(w.range.value, w.uptime, w.checks, w.healthy_checks) for w in uptime.windows] == [
        ("24h", 90.0, 100, 90),
        ("7d", 76.67, 150, 115),
        ("30d", 86.0, 250, 215),
        ("90d", 43.0, 500, 215),
    ]


async def test_uptime_without_checks_is_null_in_every_window(
    storage: FakeStorage, environment: Environment
) -> None:
    uptime = await history_service(storage).uptime(environment.id)

    assert [(w.uptime, w.checks) for w in uptime.windows] == [(None, 0)] * 4


async def test_an_unknown_environment_is_not_found(storage: FakeStorage) -> None:
    service = history_service(storage)

    with pytest.raises(EnvironmentNotFound):
        await service.uptime(new_id())
    with pytest.raises(EnvironmentNotFound):
        await service.history(new_id(), HistoryRange.HOUR)


async def test_history_of_a_day_has_five_minute_buckets_from_raw_samples(
    storage: FakeStorage, environment: Environment
) -> None:
    await storage.health_samples.record(
        checks(environment.id, NOW - timedelta(hours=2), 30, 20, timedelta(minutes=1))
    )

    history = await history_service(storage).history(environment.id, HistoryRange.DAY)

    assert history.bucket_seconds == 300
    assert len(history.points) == 6
    assert history.points[0].timestamp == datetime(2026, 3, 10, 12, 25, tzinfo=UTC)
    assert sum(p.checks for p in history.points) == 30
    assert sum(p.healthy_checks for p in history.points) == 20


async def test_history_of_a_month_has_three_hour_buckets_from_rollups(
    storage: FakeStorage, environment: Environment
) -> None:
    await storage.health_samples.record(
        checks(environment.id, NOW - timedelta(days=2), 10, 10, timedelta(hours=1))
    )

    history = await history_service(storage).history(environment.id, HistoryRange.MONTH)

    assert history.bucket_seconds == 3 * 3600
    # 2026-03-08 14:25 .. 23:25: hours 14 .. 23, in the buckets of 12, 15, 18 and 21 o'clock.
    assert [(p.timestamp.hour, p.checks) for p in history.points] == [
        (12, 1),
        (15, 3),
        (18, 3),
        (21, 3),
    ]


async def test_sparklines_cover_the_last_hour_in_two_minute_buckets(
    storage: FakeStorage, environment: Environment
) -> None:
    other = new_id()
    await storage.health_samples.record(
        [
            *checks(environment.id, NOW - timedelta(minutes=90), 90, 90, timedelta(minutes=1)),
        ]
    )

    sparklines = await history_service(storage).sparklines([environment.id, other])

    assert set(sparklines) == {environment.id, other}
    assert sparklines[other] == []
    points = sparklines[environment.id]
    assert sum(p.checks for p in points) == 60
    assert all(NOW - timedelta(hours=1, minutes=2) <= p.timestamp <= NOW for p in points)
    assert len(points) <= 31


async def test_sparklines_refuse_more_than_200_environments(storage: FakeStorage) -> None:
    with pytest.raises(ValidationFailed):
        await history_service(storage).sparklines([new_id() for _ in range(201)])


async def test_a_deleted_environment_loses_its_samples(
    storage: FakeStorage, environment: Environment
) -> None:
    await storage.health_samples.record(
        checks(environment.id, NOW - timedelta(minutes=5), 3, 3, timedelta(minutes=1))
    )

    await history_service(storage).forget(environment.id)

    assert await storage.health_samples.latest(environment.id, 10) == []
    assert await storage.health_samples.uptime(environment.id, NOW - timedelta(days=1)) == (0, 0)

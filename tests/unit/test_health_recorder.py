"""The health recorder: what a check result changes (the threshold rule, transitions, the
activity log, bus events) and how results are written (one batch per flush, kept through an
outage). Built on the in-memory storage, the real event bus and the real activity log."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest_asyncio

from envdeck.adapters.events import Event, EventBus, StatusChanged, VersionChanged
from envdeck.domain.environment import (
    Environment,
    HealthCheckConfig,
    HealthState,
    Status,
    SystemInfo,
)
from envdeck.domain.log import LogEntry, LogLevel, LogListOptions, LogType
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.health.checker import CheckResult
from envdeck.services.health.recorder import HealthRecorder, Tracked
from tests.fakes.clock import FakeClock
from tests.fakes.documents import Outage
from tests.fakes.storage import FakeStorage

HOUR = 3600.0  # flush intervals nobody waits out: each test flushes when it means to
HEALTHY = HealthState.HEALTHY
UNHEALTHY = HealthState.UNHEALTHY
UNKNOWN = HealthState.UNKNOWN


@dataclass
class Rig:
    storage: FakeStorage
    clock: FakeClock
    bus: EventBus
    activity: ActivityLog
    recorder: HealthRecorder
    events: list[Event] = field(default_factory=list)

    async def published(self) -> list[Event]:
        """Return what the bus delivered so far (after every subscriber caught up)."""
        await self.bus.drain()
        return self.events

    async def transitions(self) -> list[StatusChanged]:
        return [e for e in await self.published() if isinstance(e, StatusChanged) and e.transition]

    async def refreshes(self) -> list[StatusChanged]:
        return [
            e for e in await self.published() if isinstance(e, StatusChanged) and not e.transition
        ]

    async def entries(self) -> list[LogEntry]:
        """Return the activity log's entries, oldest first."""
        await self.activity.flush()
        entries, _ = await self.storage.logs.list(LogListOptions(limit=200))
        return list(reversed(entries))

    async def environment(self, name: str = "shop-prod", **fields: object) -> Tracked:
        check = HealthCheckConfig(enabled=True, endpoint="https://shop.example.com/health")  # type: ignore[arg-type]
        env = await self.storage.environments.create(
            Environment(name=name, health_check=check, **fields)  # type: ignore[arg-type]
        )
        return Tracked.of(env)

    def result(self, ok: bool, **fields: object) -> CheckResult:
        """Return a check result taken now (the clock moves ten seconds per check)."""
        at = self.clock.advance(seconds=10)
        defaults: dict[str, object] = (
            {"message": "200 OK", "status_code": 200, "response_time": 42.0}
            if ok
            else {"message": "503 Service Unavailable", "status_code": 503, "response_time": 7.0}
        )
        return CheckResult(ok=ok, checked_at=at, **(defaults | fields))  # type: ignore[arg-type]

    async def stored(self, tracked: Tracked) -> Environment:
        return await self.storage.environments.get_by_id(tracked.id)


@pytest_asyncio.fixture
async def rig(storage: FakeStorage) -> AsyncIterator[Rig]:
    clock = FakeClock()
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=HOUR, clock=clock)
    recorder = HealthRecorder(storage, activity, bus, clock, flush_interval=HOUR)
    rig = Rig(storage, clock, bus, activity, recorder)

    async def collect(event: Event) -> None:
        rig.events.append(event)

    bus.subscribe("spec", collect, {StatusChanged.topic, VersionChanged.topic})
    yield rig
    await activity.close()
    await bus.close()


class TestTheThresholdRule:
    async def test_it_stays_as_it_was_until_the_threshold_of_failures_in_a_row(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 3, rig.result(True))

        first = await rig.recorder.apply(env, 3, rig.result(False))
        second = await rig.recorder.apply(env, 3, rig.result(False))

        assert (first.health, first.consecutive_failures) == (HEALTHY, 1)
        assert (second.health, second.consecutive_failures) == (HEALTHY, 2)
        assert second.message == "503 Service Unavailable"

    async def test_it_turns_unhealthy_at_the_threshold_since_that_check(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 2, rig.result(True))
        await rig.recorder.apply(env, 2, rig.result(False))
        failed = rig.result(False)

        status = await rig.recorder.apply(env, 2, failed)

        assert (status.health, status.consecutive_failures) == (UNHEALTHY, 2)
        assert status.since == failed.checked_at

    async def test_one_success_makes_it_healthy_at_once_and_resets_the_count(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        for _ in range(3):
            await rig.recorder.apply(env, 2, rig.result(False))
        recovered = rig.result(True)

        status = await rig.recorder.apply(env, 2, recovered)

        assert (status.health, status.consecutive_failures) == (HEALTHY, 0)
        assert status.since == recovered.checked_at
        assert (status.status_code, status.response_time) == (200, 42.0)

    async def test_a_first_failure_of_an_unknown_environment_below_the_threshold_stays_unknown(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()

        status = await rig.recorder.apply(env, 2, rig.result(False))

        assert status.health is UNKNOWN
        assert await rig.transitions() == []


class TestTransitions:
    async def test_it_announces_a_change_of_health_on_the_bus_and_in_the_activity_log(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(True))
        failed = rig.result(False)

        status = await rig.recorder.apply(env, 1, failed)

        unhealthy = (await rig.transitions())[-1]
        assert (unhealthy.environment_id, unhealthy.environment_name) == (env.id, "shop-prod")
        assert (unhealthy.previous, unhealthy.status) == (HEALTHY, status)
        entry = (await rig.entries())[-1]
        assert entry.message == "shop-prod is unhealthy: 503 Service Unavailable"
        assert (entry.type, entry.action, entry.level) == (
            LogType.HEALTH_CHECK,
            "check_health",
            LogLevel.ERROR,
        )
        assert entry.environment_id == env.id
        assert entry.details == {
            "previous": "healthy",
            "health": "unhealthy",
            "message": "503 Service Unavailable",
            "responseTime": 7.0,
            "statusCode": 503,
        }
        assert entry.timestamp == failed.checked_at

    async def test_it_says_nothing_more_while_the_health_stays_the_same(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(False))

        for _ in range(5):
            await rig.recorder.apply(env, 1, rig.result(False))

        assert [t.status.health for t in await rig.transitions()] == [UNHEALTHY]
        assert [e.message for e in await rig.entries()] == [
            "shop-prod is unhealthy: 503 Service Unavailable"
        ]

    async def test_a_recovery_is_logged_as_a_success_without_the_check_message(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(False))

        await rig.recorder.apply(env, 1, rig.result(True))

        recovered = (await rig.transitions())[-1]
        assert (recovered.previous, recovered.status.health) == (UNHEALTHY, HEALTHY)
        entry = (await rig.entries())[-1]
        assert (entry.message, entry.level) == ("shop-prod is healthy", LogLevel.SUCCESS)

    async def test_a_check_turned_off_makes_the_health_unknown_once(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(True))

        await rig.recorder.set_unknown(env, "health check disabled")
        await rig.recorder.set_unknown(env, "health check disabled")

        unknown = (await rig.transitions())[-1]
        assert (unknown.previous, unknown.status.health) == (HEALTHY, UNKNOWN)
        assert unknown.status.since == rig.clock.now
        entries = await rig.entries()
        assert [(e.message, e.level) for e in entries[1:]] == [
            ("shop-prod is unknown: health check disabled", LogLevel.WARNING)
        ]
        await rig.recorder.flush()
        assert (await rig.stored(env)).status.health is UNKNOWN


class TestBatchedWrites:
    async def test_nothing_is_written_before_the_flush(self, rig: Rig) -> None:
        env = await rig.environment()

        await rig.recorder.apply(env, 1, rig.result(False))

        assert (await rig.stored(env)).status == Status()
        assert await rig.storage.health_samples.latest(env.id, 10) == []

    async def test_a_flush_writes_each_environment_s_newest_status_and_every_sample(
        self, rig: Rig
    ) -> None:
        shop, blog = await rig.environment("shop-prod"), await rig.environment("blog-prod")
        for _ in range(3):
            await rig.recorder.apply(shop, 1, rig.result(True))
            await rig.recorder.apply(blog, 1, rig.result(False, message="timed out"))
        last = await rig.recorder.apply(shop, 1, rig.result(False))

        await rig.recorder.flush()

        assert (await rig.stored(shop)).status == last
        stored_blog = await rig.stored(blog)
        assert (stored_blog.status.health, stored_blog.status.consecutive_failures) == (
            UNHEALTHY,
            3,
        )
        samples = await rig.storage.health_samples.latest(shop.id, 10)
        assert [s.health for s in samples] == [UNHEALTHY, HEALTHY, HEALTHY, HEALTHY]
        assert samples[0].status_code == 503
        assert len(await rig.storage.health_samples.latest(blog.id, 10)) == 3
        assert rig.storage.health_samples.writes == 1  # seven samples, one write

    async def test_a_healthy_status_moves_the_last_healthy_time(self, rig: Rig) -> None:
        env = await rig.environment()
        healthy = rig.result(True)
        await rig.recorder.apply(env, 1, healthy)

        await rig.recorder.flush()

        assert (await rig.stored(env)).timestamps.last_healthy_at == healthy.checked_at

    async def test_each_checked_environment_gets_one_refresh_per_flush(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(True))
        await rig.recorder.flush()
        rig.events.clear()

        for _ in range(4):
            await rig.recorder.apply(env, 1, rig.result(True))
        await rig.recorder.flush()

        refreshes = await rig.refreshes()
        assert [(r.environment_id, r.status.health) for r in refreshes] == [(env.id, HEALTHY)]
        assert refreshes[0].status == (await rig.stored(env)).status

    async def test_a_transition_already_announced_is_not_refreshed_again(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(False))

        await rig.recorder.flush()

        assert len(await rig.transitions()) == 1
        assert await rig.refreshes() == []

    async def test_a_check_after_the_transition_is_refreshed_with_the_flush(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(False))
        later = await rig.recorder.apply(env, 1, rig.result(False, message="still down"))

        await rig.recorder.flush()

        assert [r.status for r in await rig.refreshes()] == [later]

    async def test_a_batch_storage_refuses_is_kept_and_written_with_the_next(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(True))
        rig.storage.down = True

        await rig.recorder.flush()  # refused: no error, nothing lost

        rig.storage.down = False
        newest = await rig.recorder.apply(env, 1, rig.result(False))
        await rig.recorder.flush()
        assert (await rig.stored(env)).status == newest
        samples = await rig.storage.health_samples.latest(env.id, 10)
        assert [s.health for s in samples] == [UNHEALTHY, HEALTHY]
        assert rig.recorder.stats.failed_flushes == 1

    async def test_samples_refused_after_their_statuses_were_written_are_kept(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(True))
        samples = rig.storage.health_samples
        samples.outage = Outage()  # only the sample store is down
        samples.outage.down = True

        await rig.recorder.flush()

        samples.outage.down = False
        assert (await rig.stored(env)).status.health is HEALTHY
        await rig.recorder.apply(env, 1, rig.result(False))
        await rig.recorder.flush()
        assert [s.health for s in await samples.latest(env.id, 10)] == [UNHEALTHY, HEALTHY]

    async def test_close_writes_what_is_pending(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.recorder.start()
        status = await rig.recorder.apply(env, 1, rig.result(True))

        await rig.recorder.close()

        assert (await rig.stored(env)).status == status

    async def test_a_forgotten_environment_is_not_written_nor_refreshed(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.recorder.apply(env, 1, rig.result(True))
        await rig.recorder.flush()
        rig.events.clear()
        await rig.recorder.apply(env, 1, rig.result(False, message="deleting"))

        rig.recorder.forget(env.id)
        await rig.recorder.flush()

        assert (await rig.stored(env)).status.message == "200 OK"
        assert await rig.refreshes() == []


class TestVersions:
    async def test_a_new_version_is_stored_with_the_flush_and_announced_as_a_change(
        self, rig: Rig
    ) -> None:
        env = await rig.environment(system_info=SystemInfo(app_version="1.0"))

        await rig.recorder.apply(env, 1, rig.result(True, version="1.1"))

        assert (await rig.stored(env)).system_info.app_version == "1.0"
        await rig.recorder.flush()
        stored = (await rig.stored(env)).system_info
        assert (stored.app_version, stored.last_updated) == ("1.1", rig.clock.now)
        changes = [e for e in await rig.published() if isinstance(e, VersionChanged)]
        assert [(c.environment_id, c.previous, c.version) for c in changes] == [
            (env.id, "1.0", "1.1")
        ]
        entry = (await rig.entries())[-1]
        assert (entry.message, entry.level) == (
            "shop-prod: version changed 1.0 → 1.1",
            LogLevel.INFO,
        )
        assert entry.details == {"from": "1.0", "to": "1.1"}

    async def test_a_first_version_is_stored_without_announcing_a_change(self, rig: Rig) -> None:
        env = await rig.environment()

        await rig.recorder.apply(env, 1, rig.result(True, version="2.0"))
        await rig.recorder.flush()

        assert (await rig.stored(env)).system_info.app_version == "2.0"
        assert not [e for e in await rig.published() if isinstance(e, VersionChanged)]

    async def test_the_same_version_again_changes_nothing(self, rig: Rig) -> None:
        env = await rig.environment(system_info=SystemInfo(app_version="1.0"))

        await rig.recorder.apply(env, 1, rig.result(True, version="1.0"))
        await rig.recorder.flush()

        assert (await rig.stored(env)).system_info.last_updated is None
        assert not [e for e in await rig.published() if isinstance(e, VersionChanged)]

    async def test_versions_seen_between_flushes_are_one_change_from_the_stored_one(
        self, rig: Rig
    ) -> None:
        env = await rig.environment(system_info=SystemInfo(app_version="1.0"))

        await rig.recorder.apply(env, 1, rig.result(True, version="1.1"))
        await rig.recorder.apply(env, 1, rig.result(True, version="1.2"))
        await rig.recorder.flush()

        changes = [e for e in await rig.published() if isinstance(e, VersionChanged)]
        assert [(c.previous, c.version) for c in changes] == [("1.0", "1.2")]

    async def test_a_version_storage_refused_is_written_with_the_next_flush(self, rig: Rig) -> None:
        env = await rig.environment(system_info=SystemInfo(app_version="1.0"))
        await rig.recorder.apply(env, 1, rig.result(True, version="1.1"))
        rig.storage.down = True
        await rig.recorder.flush()
        rig.storage.down = False

        await rig.recorder.flush()

        assert (await rig.stored(env)).system_info.app_version == "1.1"
        changes = [e for e in await rig.published() if isinstance(e, VersionChanged)]
        assert [(c.previous, c.version) for c in changes] == [("1.0", "1.1")]

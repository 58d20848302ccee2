"""The health engine against real HTTP targets on loopback and a real SQLite store.

The scheduler's `time_scale` seam shrinks intervals (the model forbids intervals under 10 s);
timeouts are real.
"""

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from envdeck.adapters.events import EnvironmentChanged, Event, EventBus, StatusChanged
from envdeck.adapters.outbound_http import OutboundHttp
from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import (
    ActiveOperation,
    Environment,
    HealthCheckConfig,
    HealthState,
)
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogListOptions, LogType
from envdeck.domain.operation import OperationType
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.health import HealthChecker, HealthRecorder, HealthScheduler
from tests.support.secrets import seal_at
from tests.support.targets import Target

FLUSH = 0.05
AUTH = ("healthCheck", "headers", "Authorization")


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


@dataclass
class Engine:
    storage: SqliteStorage
    bus: EventBus
    activity: ActivityLog
    http: OutboundHttp
    box: SecretBox
    scheduler: HealthScheduler
    events: list[StatusChanged] = field(default_factory=list)

    async def add(self, name: str, url: str, *, env_id: str = "", **check: Any) -> Environment:
        config = {"enabled": True, "endpoint": url, "interval": 10, "timeout": 5} | check
        env = Environment(id=env_id, name=name, health_check=HealthCheckConfig(**config))
        return await self.storage.environments.create(env)

    async def edit(self, env: Environment, **check: Any) -> Environment:
        config = env.health_check.model_dump() | check
        changed = env.model_copy(update={"health_check": HealthCheckConfig(**config)})
        updated = await self.storage.environments.update(changed)
        self.bus.publish(EnvironmentChanged(action="updated", environment=updated))
        return updated

    async def settle(self) -> None:
        """Write what the recorder holds and let the bus and the log catch up."""
        await self.scheduler.recorder.flush()
        await self.bus.drain()
        await self.activity.flush()

    async def health_logs(self, environment_id: str) -> list[Any]:
        await self.settle()
        entries, _ = await self.storage.logs.list(
            LogListOptions(limit=100, type=LogType.HEALTH_CHECK, environment_id=environment_id)
        )
        return list(reversed(entries))

    def transitions(self, environment_id: str) -> list[StatusChanged]:
        return [e for e in self.events if e.environment_id == environment_id and e.transition]


EngineFactory = Callable[..., Awaitable[Engine]]


@pytest_asyncio.fixture
async def make_engine(tmp_path: Path) -> AsyncIterator[EngineFactory]:
    made: list[Engine] = []

    async def make(*, time_scale: float = 1.0, concurrency: int = 50) -> Engine:
        storage = SqliteStorage(tmp_path / f"engine{len(made)}.db")
        await storage.open()
        bus = EventBus()
        activity = ActivityLog(storage.logs, bus, flush_interval=FLUSH)
        activity.start()
        http = OutboundHttp(max_connections=100, max_body_bytes=1 << 20, max_redirects=5)
        box = SecretBox([os.urandom(32)])
        recorder = HealthRecorder(storage, activity, bus, utc_now, flush_interval=FLUSH)
        scheduler = HealthScheduler(
            storage,
            bus,
            HealthChecker(http, box, utc_now),
            recorder,
            concurrency=concurrency,
            time_scale=time_scale,
        )
        engine = Engine(storage, bus, activity, http, box, scheduler)

        async def collect(event: Event) -> None:
            assert isinstance(event, StatusChanged)
            engine.events.append(event)

        bus.subscribe("test", collect, topics={StatusChanged.topic})
        made.append(engine)
        return engine

    yield make
    for engine in made:
        await engine.scheduler.close()
        await engine.http.close()
        await engine.activity.close()
        await engine.bus.close()
        await engine.storage.close()


async def eventually(condition: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


class TestThreshold:
    async def test_unhealthy_only_after_the_threshold_and_healthy_after_one_success(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        url = target.reply("/threshold")
        env = await engine.add("threshold", url, failure_threshold=3)
        await engine.scheduler.load()
        seen = []

        async def check() -> None:
            await engine.scheduler.check_now(env.id)
            await engine.settle()
            stored = await engine.storage.environments.get_by_id(env.id)
            seen.append((stored.status.health, stored.status.consecutive_failures))

        await check()
        target.reply("/threshold", status=503)
        for _ in range(4):
            await check()
        target.reply("/threshold")
        await check()

        assert seen == [
            (HealthState.HEALTHY, 0),
            (HealthState.HEALTHY, 1),
            (HealthState.HEALTHY, 2),
            (HealthState.UNHEALTHY, 3),
            (HealthState.UNHEALTHY, 4),
            (HealthState.HEALTHY, 0),
        ]

    async def test_since_is_the_time_of_the_last_transition(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("since", target.reply("/since"))
        await engine.scheduler.load()

        first = await engine.scheduler.check_now(env.id)
        await engine.scheduler.check_now(env.id)
        await engine.settle()

        stored = await engine.storage.environments.get_by_id(env.id)
        assert stored.status.since == first.checked_at.replace(
            microsecond=first.checked_at.microsecond // 1000 * 1000
        )
        assert stored.status.last_check is not None
        assert stored.status.last_check > stored.status.since
        assert stored.timestamps.last_healthy_at == stored.status.last_check


class TestTransitions:
    async def test_each_transition_gives_one_log_entry_and_one_status_update(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("flip", target.reply("/flip"))
        await engine.scheduler.load()

        for status in (200, 200, 503, 503, 503, 200, 200):
            target.reply("/flip", status=status)
            await engine.scheduler.check_now(env.id)
        logs = await engine.health_logs(env.id)

        assert [(e.level, e.message) for e in logs] == [
            ("success", "flip is healthy"),
            ("error", "flip is unhealthy: expected status 2xx, got 503"),
            ("success", "flip is healthy"),
        ]
        assert logs[1].details["previous"] == "healthy"
        assert logs[1].details["health"] == "unhealthy"
        assert logs[1].action == "check_health"
        transitions = engine.transitions(env.id)
        assert [(e.previous, e.status.health) for e in transitions] == [
            (HealthState.UNKNOWN, HealthState.HEALTHY),
            (HealthState.HEALTHY, HealthState.UNHEALTHY),
            (HealthState.UNHEALTHY, HealthState.HEALTHY),
        ]
        assert all(e.environment_name == "flip" for e in transitions)

    async def test_a_refresh_is_published_without_transition_once_per_flush(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("refresh", target.reply("/refresh"))
        await engine.scheduler.load()

        await engine.scheduler.check_now(env.id)
        await engine.settle()
        for _ in range(3):
            await engine.scheduler.check_now(env.id)
        await engine.settle()

        mine = [e for e in engine.events if e.environment_id == env.id]
        assert [e.transition for e in mine] == [True, False]
        assert mine[1].status.health is HealthState.HEALTHY

    async def test_a_check_after_a_transition_in_the_same_flush_still_gets_its_refresh(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("late", target.reply("/late"))
        await engine.scheduler.load()

        await engine.scheduler.check_now(env.id)
        await engine.scheduler.check_now(env.id)
        await engine.settle()

        mine = [e for e in engine.events if e.environment_id == env.id]
        assert [e.transition for e in mine] == [True, False]
        assert mine[1].status.last_check is not None
        assert mine[0].status.last_check is not None
        assert mine[1].status.last_check > mine[0].status.last_check


class TestMessages:
    async def test_a_target_that_never_answers_fails_at_the_configured_timeout(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("hang", target.reply("/hang", hang=True), timeout=2)
        await engine.scheduler.load()

        started = time.perf_counter()
        result = await engine.scheduler.check_now(env.id)
        elapsed = time.perf_counter() - started

        assert not result.ok
        assert result.message == "timed out after 2 s"
        assert 1.6 <= elapsed <= 2.4, elapsed

    async def test_a_refused_connection_says_it_cannot_connect(
        self, make_engine: EngineFactory
    ) -> None:
        engine = await make_engine()
        env = await engine.add("refused", "http://127.0.0.1:9/health")
        await engine.scheduler.load()

        result = await engine.scheduler.check_now(env.id)

        assert result.message.startswith("cannot connect: ")

    async def test_a_redirect_loop_stops_at_the_cap(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        url = target.reply("/loop", redirect_to="/loop")
        env = await engine.add("loop", url)
        await engine.scheduler.load()

        result = await engine.scheduler.check_now(env.id)

        assert result.message == "more than 5 redirects"
        assert target.stats_of("/loop").requests == 6

    async def test_tls_to_a_plain_http_port_is_a_tls_error(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("tls", target.url("/tls").replace("http:", "https:"))
        await engine.scheduler.load()

        result = await engine.scheduler.check_now(env.id)

        assert result.message.startswith("TLS error: "), result.message

    async def test_a_validation_failure_becomes_the_status_message(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        url = target.reply("/down", status=200, json_body={"status": "down"})
        validation = {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}}
        env = await engine.add("down", url, validation=validation)
        await engine.scheduler.load()

        await engine.scheduler.check_now(env.id)
        await engine.settle()

        stored = await engine.storage.environments.get_by_id(env.id)
        assert stored.status.message == "$.status is 'down', expected 'ok'"
        assert stored.status.health is HealthState.UNHEALTHY
        assert stored.status.status_code == 200

    async def test_secret_headers_are_sent_opened(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env_id = new_id()
        sealed = seal_at(
            engine.box, env_id, "Bearer s3cret", "healthCheck", "headers", "Authorization"
        )
        env = await engine.add(
            "secret",
            target.reply("/secret"),
            env_id=env_id,
            headers={"Authorization": sealed, "X-Plain": "1"},
        )
        await engine.scheduler.load()

        await engine.scheduler.check_now(env.id)

        sent = target.stats_of("/secret").headers[-1]
        assert sent["Authorization"] == "Bearer s3cret"
        assert sent["X-Plain"] == "1"


class TestVersions:
    async def test_the_reported_version_is_kept_and_a_change_logged(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        url = target.reply("/v", json_body={"status": "ok", "version": "2.3.0"})
        env = await engine.add("versioned", url, version_json_path="$.version")
        await engine.scheduler.load()

        await engine.scheduler.check_now(env.id)
        await engine.settle()
        first = await engine.storage.environments.get_by_id(env.id)
        target.reply("/v", json_body={"status": "ok", "version": "2.4.0"})
        await engine.scheduler.check_now(env.id)
        await engine.scheduler.check_now(env.id)
        await engine.settle()
        second = await engine.storage.environments.get_by_id(env.id)
        logs = await engine.health_logs(env.id)

        assert first.system_info.app_version == "2.3.0"
        assert second.system_info.app_version == "2.4.0"
        assert second.system_info.last_updated is not None
        changes = [e for e in logs if "version changed" in e.message]
        assert [e.message for e in changes] == ["versioned: version changed 2.3.0 → 2.4.0"]
        assert changes[0].details == {"from": "2.3.0", "to": "2.4.0"}


class TestSchedule:
    async def test_no_environment_is_checked_twice_at_once_under_load(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        # A 10 s interval scaled to 0.2 s, answered in 0.5 s: every check outlasts its interval.
        engine = await make_engine(time_scale=0.02, concurrency=50)
        paths = [f"/load/{n}" for n in range(24)]
        envs = [
            await engine.add(f"load-{n}", target.reply(path, delay=0.5))
            for n, path in enumerate(paths)
        ]
        await engine.scheduler.start()

        joined = await asyncio.gather(*(engine.scheduler.check_now(envs[0].id) for _ in range(5)))
        await asyncio.sleep(2.5)
        await engine.scheduler.close()

        assert all(target.stats_of(path).max_active == 1 for path in paths)
        assert all(target.stats_of(path).requests >= 1 for path in paths)
        assert len({id(result) for result in joined}) == 1
        assert engine.scheduler.stats.overlaps == 0
        assert engine.scheduler.stats.skipped > 0

    async def test_checks_repeat_on_the_interval(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine(time_scale=0.02)
        env = await engine.add("repeat", target.reply("/repeat"))
        await engine.scheduler.start()

        await eventually(lambda: _requests(target, "/repeat", at_least=5))
        await engine.settle()

        stored = await engine.storage.environments.get_by_id(env.id)
        assert stored.status.health is HealthState.HEALTHY

    async def test_created_edited_disabled_and_deleted_environments_are_followed_live(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine(time_scale=0.02)
        await engine.scheduler.start()
        assert engine.scheduler.environment_count == 0

        env = await engine.add("live", target.reply("/live/a"))
        engine.bus.publish(EnvironmentChanged(action="created", environment=env))
        await eventually(lambda: _requests(target, "/live/a", at_least=2))

        env = await engine.edit(env, endpoint=target.reply("/live/b"))
        await eventually(lambda: _requests(target, "/live/b", at_least=2))
        a_after_edit = target.stats_of("/live/a").requests
        await asyncio.sleep(0.5)
        assert target.stats_of("/live/a").requests == a_after_edit

        await engine.edit(env, enabled=False)
        await engine.bus.drain()
        b_after_disable = target.stats_of("/live/b").requests
        await asyncio.sleep(0.5)
        await engine.settle()
        assert target.stats_of("/live/b").requests <= b_after_disable + 1
        stored = await engine.storage.environments.get_by_id(env.id)
        assert stored.status.health is HealthState.UNKNOWN
        assert stored.status.message == "health check disabled"

        env = await engine.edit(env, enabled=True, endpoint=target.reply("/live/c"))
        await eventually(lambda: _requests(target, "/live/c", at_least=2))
        await engine.storage.environments.delete(env.id)
        engine.bus.publish(EnvironmentChanged(action="deleted", environment=env))
        await engine.bus.drain()
        c_after_delete = target.stats_of("/live/c").requests
        await asyncio.sleep(0.5)
        assert target.stats_of("/live/c").requests <= c_after_delete + 1
        assert engine.scheduler.environment_count == 0

    async def test_a_check_of_an_environment_deleted_meanwhile_is_dropped(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("gone", target.reply("/gone", delay=0.5))
        await engine.scheduler.load()

        checking = asyncio.create_task(engine.scheduler.check_now(env.id))
        await asyncio.sleep(0.1)
        await engine.storage.environments.delete(env.id)
        await engine.scheduler.follow("deleted", env.id)
        await checking
        await engine.settle()

        assert engine.transitions(env.id) == []
        assert await engine.health_logs(env.id) == []


async def _requests(target: Target, path: str, *, at_least: int) -> bool:
    return target.stats_of(path).requests >= at_least


class TestDuringOperations:
    async def _claim(self, engine: Engine, env: Environment) -> ActiveOperation:
        # As the operations service does when it accepts a restart.
        active = ActiveOperation(id=new_id(), type=OperationType.RESTART, started_at=utc_now())
        assert await engine.storage.environments.set_active_operation(env.id, active)
        engine.bus.publish(EnvironmentChanged(action="updated", environment=env))
        await engine.bus.drain()
        return active

    async def _release(self, engine: Engine, env: Environment, active: ActiveOperation) -> None:
        assert await engine.storage.environments.clear_active_operation(env.id, active.id)
        engine.bus.publish(EnvironmentChanged(action="updated", environment=env))
        await engine.bus.drain()

    async def test_scheduled_checks_are_held_while_an_operation_holds_the_environment(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine(time_scale=0.02)
        env = await engine.add("held", target.reply("/held"), failure_threshold=1)
        await engine.scheduler.start()
        await eventually(lambda: _requests(target, "/held", at_least=2))
        active = await self._claim(engine, env)
        target.reply("/held", status=503)  # restarting

        held_before = engine.scheduler.stats.held
        await eventually(lambda: _held(engine, more_than=held_before + 3))
        await engine.settle()
        stored = await engine.storage.environments.get_by_id(env.id)
        assert stored.status.health is HealthState.HEALTHY
        assert [e.level for e in await engine.health_logs(env.id)] == ["success"]

        await self._release(engine, env, active)
        await eventually(lambda: _health(engine, env.id, HealthState.UNHEALTHY))
        assert [e.level for e in await engine.health_logs(env.id)] == ["success", "error"]

    async def test_check_now_during_an_operation_answers_and_records_nothing(
        self, make_engine: EngineFactory, target: Target
    ) -> None:
        engine = await make_engine()
        env = await engine.add("now", target.reply("/now"), failure_threshold=1)
        await engine.scheduler.load()
        await engine.scheduler.check_now(env.id)
        await engine.settle()
        await self._claim(engine, env)
        await engine.scheduler.follow("updated", env.id)  # not started: no bus to follow
        target.reply("/now", status=503)

        result = await engine.scheduler.check_now(env.id)

        assert not result.ok
        assert engine.scheduler.stats.discarded == 1
        stored = await engine.storage.environments.get_by_id(env.id)
        assert stored.status.health is HealthState.HEALTHY
        assert [e.level for e in await engine.health_logs(env.id)] == ["success"]


async def _held(engine: Engine, *, more_than: int) -> bool:
    return engine.scheduler.stats.held > more_than


async def _health(engine: Engine, environment_id: str, health: HealthState) -> bool:
    await engine.settle()
    stored = await engine.storage.environments.get_by_id(environment_id)
    return stored.status.health is health

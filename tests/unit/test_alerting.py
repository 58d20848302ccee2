"""Alerting: which events become messages, to which channels, and when it stays quiet.

Bus events are handed to alerting as the bus would (`handle`), the tick is `run_once()`, time is
a FakeClock, storage is in memory, and the delivery queue only keeps what it is handed: each
spec reads the messages alerting queued. docs/notifications.md states the rules.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest_asyncio

from envdeck.adapters.events import (
    EnvironmentChanged,
    EventBus,
    OperationUpdated,
    StatusChanged,
    VersionChanged,
)
from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.alerting import AlertState, OutboxStatus
from envdeck.domain.environment import (
    ActiveOperation,
    Environment,
    HealthCheckConfig,
    HealthState,
    Status,
)
from envdeck.domain.ids import new_id
from envdeck.domain.instance import Instance
from envdeck.domain.maintenance import MaintenanceKind, MaintenanceScope, MaintenanceWindow
from envdeck.domain.notification import ChannelScope, NotificationChannel, NotificationEvent
from envdeck.domain.operation import Operation, OperationStatus, OperationType
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications.alerting import LEASE as TICK_LEASE
from envdeck.services.notifications.alerting import Alerting
from envdeck.services.notifications.channels import NotificationChannelService
from envdeck.services.notifications.delivery import DeliveryQueue, channel_url_context
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.outbox import Outbox
from tests.fakes.clock import FakeClock
from tests.fakes.cluster import FakeLeaseRepository
from tests.fakes.notifications import FakeDeliveryQueue, FakeSender
from tests.fakes.storage import FakeStorage

HEALTHY = HealthState.HEALTHY
UNHEALTHY = HealthState.UNHEALTHY
UNHEALTHY_EVENT = NotificationEvent.ENVIRONMENT_UNHEALTHY
RECOVERED = NotificationEvent.ENVIRONMENT_RECOVERED
REMINDER = timedelta(minutes=30)
FLAP = timedelta(minutes=10)
TTL = timedelta(seconds=15)
KEY = bytes(32)


@dataclass
class Rig:
    storage: FakeStorage
    clock: FakeClock
    deliveries: FakeDeliveryQueue
    alerting: Alerting
    outbox: Outbox

    # ---- the world -------------------------------------------------------------------------

    async def environment(self, name: str = "shop-prod", tags: tuple[str, ...] = ("prod",)) -> str:
        check = HealthCheckConfig(
            enabled=True,
            endpoint="https://shop.example.com/health",  # type: ignore[arg-type]
            interval=60,
        )
        env = await self.storage.environments.create(
            Environment(name=name, tags=list(tags), health_check=check)
        )
        return env.id

    async def channel(
        self,
        name: str = "ops",
        events: list[NotificationEvent] | None = None,
        scope: ChannelScope | None = None,
    ) -> None:
        channel_id = new_id()
        await self.storage.notification_channels.create(
            NotificationChannel(
                id=channel_id,
                name=name,
                events=events or list(NotificationEvent),
                scope=scope or ChannelScope(),
                url=SecretBox(KEY).seal(
                    "json://hooks.example.com/in", channel_url_context(channel_id)
                ),
                service="json",
            )
        )

    async def window(self, environment_id: str, start: datetime, end: datetime) -> None:
        await self.storage.maintenance_windows.create(
            MaintenanceWindow(
                name="patching",
                kind=MaintenanceKind.ONE_OFF,
                start=start,
                end=end,
                scope=MaintenanceScope(environment_ids=[environment_id]),
            )
        )

    # ---- what the health engine and the operation service do -------------------------------

    async def turns(
        self, environment_id: str, health: HealthState, failures: int = 1
    ) -> StatusChanged:
        """The health engine's verdict now: a transition, stored and published (returned, for
        another instance to see too)."""
        env = await self.storage.environments.get_by_id(environment_id)
        now = self.clock()
        status = Status(
            health=health,
            last_check=now,
            since=now,
            message="" if health is HEALTHY else "503 Service Unavailable",
            consecutive_failures=0 if health is HEALTHY else failures,
        )
        await self.storage.environments.update_status(environment_id, status)
        event = StatusChanged(
            environment_id=environment_id,
            status=status,
            previous=env.status.health,
            environment_name=env.name,
            occurred_at=now,
        )
        await self.alerting.handle(event)
        return event

    async def environment_turns_quietly(
        self, environment_id: str, health: HealthState
    ) -> StatusChanged:
        """The health engine stores a transition; its event is returned, not yet handled."""
        env = await self.storage.environments.get_by_id(environment_id)
        now = self.clock()
        status = Status(health=health, last_check=now, since=now, consecutive_failures=1)
        await self.storage.environments.update_status(environment_id, status)
        return StatusChanged(
            environment_id=environment_id,
            status=status,
            previous=env.status.health,
            environment_name=env.name,
            occurred_at=now,
        )

    async def checks_again(self, environment_id: str) -> None:
        """A later check with the same health: stored, and only a refresh on the bus."""
        env = await self.storage.environments.get_by_id(environment_id)
        status = env.status.model_copy(update={"last_check": self.clock()})
        await self.storage.environments.update_status(environment_id, status)
        await self.alerting.handle(
            StatusChanged(
                environment_id=environment_id,
                status=status,
                previous=status.health,
                transition=False,
                occurred_at=self.clock(),
            )
        )

    async def operation_starts(self, environment_id: str, *, published: bool = True) -> Operation:
        """Claim the environment for a restart (and publish its start, unless the bus lags)."""
        env = await self.storage.environments.get_by_id(environment_id)
        op = await self.storage.operations.create(
            Operation(
                environment_id=environment_id,
                environment_name=env.name,
                type=OperationType.RESTART,
                status=OperationStatus.RUNNING,
                started_at=self.clock(),
            )
        )
        active = ActiveOperation(id=op.id, type=op.type, started_at=self.clock())
        assert await self.storage.environments.set_active_operation(environment_id, active)
        if published:
            await self.alerting.handle(OperationUpdated(operation=op, occurred_at=self.clock()))
        return op

    async def operation_ends(
        self, op: Operation, status: OperationStatus, *, published: bool = True
    ) -> Operation:
        """End the operation (publishing its final update, unless alerting has yet to see it)."""
        finished = op.model_copy(update={"status": status, "finished_at": self.clock()})
        await self.storage.operations.update(finished)
        if published:
            await self.alerting.handle(
                OperationUpdated(operation=finished, occurred_at=self.clock())
            )
        await self.storage.environments.clear_active_operation(op.environment_id, op.id)
        return finished

    async def tick(self, **later: float) -> None:
        self.clock.advance(**later)
        await self.alerting.run_once()

    # ---- what was said ---------------------------------------------------------------------

    def said(self) -> list[tuple[str, str]]:
        """Return (event, title) of every message queued, for the first channel."""
        first = self.deliveries.jobs[0].channel_name if self.deliveries.jobs else ""
        return [
            (job.event.value, job.message.title)
            for job in self.deliveries.jobs
            if job.channel_name == first
        ]

    def events(self) -> list[str]:
        return [event for event, _ in self.said()]


async def build(
    storage: FakeStorage,
    flap_window: timedelta = FLAP,
    *,
    clock: FakeClock | None = None,
    instance_id: str = "instance-a",
    leases: LeaseKeeper | None = None,
    channel: bool = True,
) -> Rig:
    clock = clock or FakeClock()
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, clock=clock)
    deliveries = FakeDeliveryQueue()
    messages = Messages("https://envdeck.example.com")
    channels = NotificationChannelService(
        storage,
        activity,
        SecretBox(KEY),
        FakeSender(),  # type: ignore[arg-type]
        deliveries,  # type: ignore[arg-type]
        messages,
        clock,
    )
    outbox = Outbox(
        storage.notification_outbox,
        channels,
        deliveries,  # type: ignore[arg-type]
        clock,
        instance_id=instance_id,
        instances=storage.instances,
        instance_ttl=TTL,
        leases=leases,
    )
    alerting = Alerting(
        storage,
        bus,
        MaintenanceService(storage, activity, clock),
        outbox,
        messages,
        clock,
        reminder_interval=REMINDER,
        flap_window=flap_window,
        leases=leases,
    )
    rig = Rig(storage, clock, deliveries, alerting, outbox)
    if channel:
        await rig.channel()
    return rig


@pytest_asyncio.fixture
async def rig(storage: FakeStorage) -> AsyncIterator[Rig]:
    yield await build(storage)


class TestTransitions:
    async def test_it_announces_an_environment_turning_unhealthy_once(self, rig: Rig) -> None:
        env = await rig.environment()

        await rig.turns(env, UNHEALTHY)
        await rig.checks_again(env)
        rig.clock.advance(minutes=11)  # past the flap window: only the rule itself holds it back
        await rig.turns(env, UNHEALTHY)

        assert rig.said() == [("environment.unhealthy", "[Envdeck] shop-prod is unhealthy")]
        job = rig.deliveries.jobs[0]
        assert (job.environment_id, job.environment_name, job.reminder) == (env, "shop-prod", False)
        assert "Check: 503 Service Unavailable" in job.message.body
        assert f"Open: https://envdeck.example.com/environments/{env}" in job.message.body

    async def test_it_announces_a_recovery_after_an_announced_outage(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.turns(env, UNHEALTHY)
        rig.clock.advance(minutes=5)

        await rig.turns(env, HEALTHY)

        assert rig.said()[-1] == ("environment.recovered", "[Envdeck] shop-prod recovered")
        assert "(5 min)" in rig.deliveries.jobs[-1].message.body

    async def test_a_refresh_decides_nothing_only_a_transition_does(self, rig: Rig) -> None:
        env = await rig.environment()
        down = Status(health=UNHEALTHY, since=rig.clock(), last_check=rig.clock())
        await rig.storage.environments.update_status(env, down)

        await rig.checks_again(env)

        assert rig.said() == []

    async def test_a_healthy_verdict_with_nothing_announced_says_nothing(self, rig: Rig) -> None:
        env = await rig.environment()

        await rig.turns(env, HEALTHY)

        assert rig.said() == []

    async def test_each_channel_gets_only_its_events_and_scope(self, rig: Rig) -> None:
        prod = await rig.environment("shop-prod", tags=("prod",))
        qa = await rig.environment("shop-qa", tags=("qa",))
        await rig.channel("recoveries", events=[RECOVERED])
        await rig.channel("qa-team", scope=ChannelScope(kind="tags", tags=["qa"]))  # type: ignore[arg-type]
        await rig.channel(
            "shop-qa-only",
            events=[UNHEALTHY_EVENT],
            scope=ChannelScope(kind="environments", environment_ids=[qa]),  # type: ignore[arg-type]
        )

        await rig.turns(prod, UNHEALTHY)
        await rig.turns(qa, UNHEALTHY)
        await rig.turns(prod, HEALTHY)

        sent = [(j.channel_name, j.event.value, j.environment_name) for j in rig.deliveries.jobs]
        assert sent == [
            ("ops", "environment.unhealthy", "shop-prod"),
            ("ops", "environment.unhealthy", "shop-qa"),
            ("qa-team", "environment.unhealthy", "shop-qa"),
            ("shop-qa-only", "environment.unhealthy", "shop-qa"),
            ("ops", "environment.recovered", "shop-prod"),
            ("recoveries", "environment.recovered", "shop-prod"),
        ]

    async def test_nothing_is_said_about_an_environment_deleted_meanwhile(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.storage.environments.delete(env)

        await rig.alerting.handle(
            StatusChanged(
                environment_id=env,
                status=Status(health=UNHEALTHY, since=rig.clock()),
                environment_name="shop-prod",
                occurred_at=rig.clock(),
            )
        )

        assert rig.said() == []
        assert await rig.alerting.state_of(env) is None

    async def test_an_event_storage_cannot_answer_for_is_skipped_not_fatal(self, rig: Rig) -> None:
        env = await rig.environment()
        down = Status(health=UNHEALTHY, since=rig.clock(), consecutive_failures=1)
        rig.storage.down = True

        await rig.alerting.handle(
            StatusChanged(
                environment_id=env,
                status=down,
                environment_name="shop-prod",
                occurred_at=rig.clock(),
            )
        )  # its announcement is lost with the outage, and alerting goes on

        rig.storage.down = False
        rig.clock.advance(minutes=1)
        await rig.turns(env, UNHEALTHY)
        assert rig.events() == ["environment.unhealthy"]


class TestVersions:
    async def test_a_version_change_is_announced_once_whoever_reports_it(self, rig: Rig) -> None:
        env = await rig.environment()
        change = VersionChanged(
            environment_id=env,
            environment_name="shop-prod",
            previous="1.0",
            version="1.1",
            occurred_at=rig.clock(),
        )

        await rig.alerting.handle(change)  # the health engine
        await rig.alerting.handle(change)  # and the upgrade's verification

        assert rig.said() == [("version.changed", "[Envdeck] shop-prod now runs 1.1")]
        assert "(was 1.0)" in rig.deliveries.jobs[0].message.body


class TestMaintenance:
    async def test_nothing_is_announced_during_a_window(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.window(env, rig.clock(), rig.clock() + timedelta(hours=1))
        rig.clock.advance(minutes=5)

        await rig.turns(env, UNHEALTHY)
        await rig.tick(minutes=40)  # reminders are quiet too

        assert rig.said() == []

    async def test_still_unhealthy_after_a_window_is_announced_once_at_the_next_check(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        start = rig.clock()
        await rig.window(env, start, start + timedelta(minutes=30))
        rig.clock.advance(minutes=5)
        await rig.turns(env, UNHEALTHY)

        await rig.tick(minutes=26)  # the window is over, but no check has said so yet
        assert rig.said() == []
        rig.clock.advance(minutes=1)
        await rig.checks_again(env)
        await rig.tick(seconds=1)
        await rig.tick(minutes=1)

        assert rig.events() == ["environment.unhealthy"]

    async def test_an_outage_that_ends_within_a_window_is_never_announced(self, rig: Rig) -> None:
        env = await rig.environment()
        start = rig.clock()
        await rig.window(env, start, start + timedelta(minutes=30))
        rig.clock.advance(minutes=5)
        await rig.turns(env, UNHEALTHY)
        rig.clock.advance(minutes=5)
        await rig.turns(env, HEALTHY)

        await rig.tick(minutes=21)
        await rig.checks_again(env)
        await rig.tick(minutes=1)

        assert rig.said() == []


class TestOperations:
    async def test_an_operation_is_quiet_and_its_success_is_announced(self, rig: Rig) -> None:
        env = await rig.environment()
        op = await rig.operation_starts(env)
        rig.clock.advance(seconds=30)
        await rig.turns(env, UNHEALTHY)  # the restart takes it down for a moment
        rig.clock.advance(seconds=30)
        await rig.turns(env, HEALTHY)

        await rig.operation_ends(op, OperationStatus.SUCCEEDED)
        await rig.tick(minutes=1)

        assert rig.said() == [
            ("operation.succeeded", "[Envdeck] restart of shop-prod succeeded"),
        ]

    async def test_a_failed_operation_is_announced_and_its_outage_not_again(self, rig: Rig) -> None:
        env = await rig.environment()
        op = await rig.operation_starts(env)
        rig.clock.advance(seconds=30)
        await rig.turns(env, UNHEALTHY)
        rig.clock.advance(seconds=30)

        await rig.operation_ends(op, OperationStatus.FAILED)
        rig.clock.advance(minutes=1)
        await rig.checks_again(env)  # still down after the failed restart
        await rig.tick(seconds=1)
        rig.clock.advance(minutes=5)
        await rig.turns(env, HEALTHY)

        assert rig.said() == [
            ("operation.failed", "[Envdeck] restart of shop-prod failed"),
            ("environment.recovered", "[Envdeck] shop-prod recovered"),
        ]

    async def test_its_claim_alone_is_quiet_before_the_bus_tells_of_its_start(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        await rig.operation_starts(env, published=False)
        rig.clock.advance(seconds=30)

        await rig.turns(env, UNHEALTHY)

        assert rig.said() == []

    async def test_an_outage_whose_checks_began_during_it_waits_for_the_next_check(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        op = await rig.operation_starts(env)
        rig.clock.advance(minutes=2)
        await rig.operation_ends(op, OperationStatus.SUCCEEDED)
        rig.clock.advance(seconds=30)

        # Three failures in a row, a minute apart: the first began while the restart ran.
        await rig.turns(env, UNHEALTHY, failures=3)
        assert rig.events() == ["operation.succeeded"]
        rig.clock.advance(minutes=1)
        await rig.checks_again(env)
        await rig.tick(seconds=1)

        assert rig.events() == ["operation.succeeded", "environment.unhealthy"]

    async def test_an_operation_outcome_is_announced_once(self, rig: Rig) -> None:
        env = await rig.environment()
        op = await rig.operation_starts(env)
        await rig.operation_ends(op, OperationStatus.FAILED)

        # A rollback saves its parent's final status again.
        await rig.operation_ends(op, OperationStatus.FAILED)

        assert rig.events() == ["operation.failed"]


class TestReminders:
    async def test_reminders_follow_at_the_interval_until_it_recovers(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.turns(env, UNHEALTHY)

        await rig.tick(minutes=29)
        assert len(rig.said()) == 1
        await rig.tick(minutes=1)
        await rig.tick(minutes=30)
        rig.clock.advance(minutes=5)
        await rig.turns(env, HEALTHY)
        await rig.tick(minutes=60)

        assert rig.said() == [
            ("environment.unhealthy", "[Envdeck] shop-prod is unhealthy"),
            ("environment.unhealthy", "[Envdeck] shop-prod is still unhealthy"),
            ("environment.unhealthy", "[Envdeck] shop-prod is still unhealthy"),
            ("environment.recovered", "[Envdeck] shop-prod recovered"),
        ]
        assert [j.reminder for j in rig.deliveries.jobs] == [False, True, True, False]
        assert "(1 h)" in rig.deliveries.jobs[2].message.body

    async def test_no_reminder_goes_out_during_a_window(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.turns(env, UNHEALTHY)
        await rig.window(env, rig.clock() + timedelta(minutes=20), rig.clock() + timedelta(hours=2))

        await rig.tick(minutes=30)
        await rig.tick(minutes=30)

        assert rig.events() == ["environment.unhealthy"]

    async def test_an_environment_stored_unhealthy_at_start_counts_as_announced(
        self, storage: FakeStorage
    ) -> None:
        rig = await build(storage)
        env = await rig.environment()
        down = Status(health=UNHEALTHY, since=rig.clock(), last_check=rig.clock())
        await storage.environments.update_status(env, down)

        await rig.tick(seconds=1)  # the first tick loads what storage holds
        await rig.tick(minutes=29)
        assert rig.said() == []
        await rig.tick(minutes=1)
        await rig.turns(env, HEALTHY)

        assert rig.events() == ["environment.unhealthy", "environment.recovered"]
        assert rig.deliveries.jobs[0].reminder


class TestFlapDamping:
    async def test_one_pair_per_window_then_the_state_at_its_end(self, rig: Rig) -> None:
        env = await rig.environment()
        for health in (UNHEALTHY, HEALTHY, UNHEALTHY, HEALTHY, UNHEALTHY):
            await rig.turns(env, health)
            rig.clock.advance(minutes=1)

        assert rig.events() == ["environment.unhealthy", "environment.recovered"]
        await rig.tick(minutes=6)  # the window (10 min) ends: unhealthy is what holds
        assert rig.events() == [
            "environment.unhealthy",
            "environment.recovered",
            "environment.unhealthy",
        ]

    async def test_a_window_that_ends_as_announced_says_nothing_more(self, rig: Rig) -> None:
        env = await rig.environment()
        for health in (UNHEALTHY, HEALTHY, UNHEALTHY, HEALTHY):
            await rig.turns(env, health)
            rig.clock.advance(minutes=1)

        await rig.tick(minutes=10)

        assert rig.events() == ["environment.unhealthy", "environment.recovered"]

    async def test_without_a_flap_window_every_change_is_announced(
        self, storage: FakeStorage
    ) -> None:
        rig = await build(storage, flap_window=timedelta(0))
        env = await rig.environment()

        for health in (UNHEALTHY, HEALTHY, UNHEALTHY):
            await rig.turns(env, health)
            rig.clock.advance(minutes=1)

        assert rig.events() == [
            "environment.unhealthy",
            "environment.recovered",
            "environment.unhealthy",
        ]


class TestStoredState:
    """The state lives in storage: another instance, or this one restarted, goes on from it."""

    async def test_a_held_change_is_announced_after_a_restart(self, storage: FakeStorage) -> None:
        rig = await build(storage)
        env = await rig.environment()
        for health in (UNHEALTHY, HEALTHY, UNHEALTHY):
            await rig.turns(env, health)
            rig.clock.advance(minutes=1)
        assert rig.events() == ["environment.unhealthy", "environment.recovered"]

        restarted = await build(storage, clock=rig.clock, instance_id="instance-b", channel=False)
        await restarted.tick(minutes=8)  # the window (10 min) ends on the new instance

        assert restarted.events() == ["environment.unhealthy"]

    async def test_reminders_go_on_after_a_restart_from_the_last_alert(
        self, storage: FakeStorage
    ) -> None:
        rig = await build(storage)
        env = await rig.environment()
        await rig.turns(env, UNHEALTHY)

        restarted = await build(storage, clock=rig.clock, instance_id="instance-b", channel=False)
        await restarted.tick(minutes=29)
        assert restarted.said() == []
        await restarted.tick(minutes=1)

        assert restarted.said() == [
            ("environment.unhealthy", "[Envdeck] shop-prod is still unhealthy")
        ]

    async def test_a_version_announced_before_a_restart_is_not_announced_again(
        self, storage: FakeStorage
    ) -> None:
        rig = await build(storage)
        env = await rig.environment()
        change = VersionChanged(
            environment_id=env,
            environment_name="shop-prod",
            previous="1.0",
            version="1.1",
            occurred_at=rig.clock(),
        )
        await rig.alerting.handle(change)

        restarted = await build(storage, clock=rig.clock, instance_id="instance-b", channel=False)
        await restarted.alerting.handle(change)
        back = VersionChanged(
            environment_id=env,
            environment_name="shop-prod",
            previous="1.1",
            version="1.0",
            occurred_at=rig.clock(),
        )
        await restarted.alerting.handle(back)
        await restarted.alerting.handle(change)  # 1.1 again, later: a change of its own

        assert rig.events() == ["version.changed"]
        assert [j.message.title for j in restarted.deliveries.jobs] == [
            "[Envdeck] shop-prod now runs 1.0",
            "[Envdeck] shop-prod now runs 1.1",
        ]

    async def test_a_deleted_environment_s_state_is_forgotten(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.turns(env, UNHEALTHY)
        stored = await rig.storage.environments.get_by_id(env)
        await rig.storage.environments.delete(env)

        await rig.alerting.handle(EnvironmentChanged(action="deleted", environment=stored))

        assert await rig.alerting.state_of(env) is None


class TestSeveralInstances:
    """Two instances on one storage: each transition announced once, whoever sees it."""

    async def test_a_transition_both_instances_decide_is_announced_once(
        self, storage: FakeStorage
    ) -> None:
        a = await build(storage)
        b = await build(storage, clock=a.clock, instance_id="instance-b", channel=False)
        env = await a.environment()

        event = await a.turns(env, UNHEALTHY)
        await b.alerting.handle(event)

        assert a.events() == ["environment.unhealthy"]
        assert b.said() == []

    async def test_a_relayed_transition_is_left_to_the_instance_that_checked(
        self, storage: FakeStorage
    ) -> None:
        a = await build(storage)
        b = await build(storage, clock=a.clock, instance_id="instance-b", channel=False)
        env = await b.environment()
        down = Status(health=UNHEALTHY, since=a.clock(), last_check=a.clock())
        await storage.environments.update_status(env, down)

        relayed = StatusChanged(
            environment_id=env,
            status=down,
            environment_name="shop-prod",
            occurred_at=a.clock(),
            origin="instance-a",
        )
        await b.alerting.handle(relayed)

        assert b.said() == []
        assert await b.alerting.state_of(env) is None

    async def test_one_reminder_when_two_instances_tick_at_once(self, storage: FakeStorage) -> None:
        a = await build(storage)
        b = await build(storage, clock=a.clock, instance_id="instance-b", channel=False)
        env = await a.environment()
        await a.turns(env, UNHEALTHY)
        slow_reads(storage)  # both read the due state before either writes it

        a.clock.advance(minutes=30)
        await asyncio.gather(a.alerting.run_once(), b.alerting.run_once())

        reminders = [j for j in a.deliveries.jobs + b.deliveries.jobs if j.reminder]
        assert len(reminders) == 1
        stored = await a.alerting.state_of(env)
        assert stored is not None
        assert stored.last_alert_at == a.clock()

    async def test_the_tick_runs_on_the_instance_holding_its_lease(
        self, storage: FakeStorage
    ) -> None:
        clock = FakeClock()
        shared = FakeLeaseRepository()
        leases = [LeaseKeeper(shared, name, clock, TTL) for name in ("instance-a", "instance-b")]
        a = await build(storage, clock=clock, leases=leases[0])
        b = await build(
            storage, clock=clock, instance_id="instance-b", leases=leases[1], channel=False
        )
        env = await a.environment()
        await a.turns(env, UNHEALTHY)

        clock.advance(minutes=30)
        await leases[0].acquire(TICK_LEASE)  # a's tick renews it every second
        await b.alerting.run_once()
        assert b.said() == []
        await leases[0].release(leases[0].held())
        await b.alerting.run_once()

        assert b.events() == ["environment.unhealthy"]
        assert b.deliveries.jobs[0].reminder

    async def test_an_operation_that_failed_on_another_instance_covers_the_outage(
        self, storage: FakeStorage
    ) -> None:
        owner = await build(storage)
        checker = await build(storage, clock=owner.clock, instance_id="instance-b", channel=False)
        env = await owner.environment()
        op = await owner.operation_starts(env)
        await checker.alerting.handle(relayed(op, owner.clock()))
        owner.clock.advance(seconds=30)
        await owner.storage.environments.update_status(
            env, Status(health=UNHEALTHY, since=owner.clock(), consecutive_failures=1)
        )
        owner.clock.advance(seconds=30)

        # It ends failed; the checker hears of it before its owner's alerting has.
        finished = await owner.operation_ends(op, OperationStatus.FAILED, published=False)
        await checker.alerting.handle(relayed(finished, owner.clock()))
        owner.clock.advance(minutes=1)
        await checker.turns(env, UNHEALTHY, failures=3)  # still down after the failed restart
        await owner.alerting.handle(OperationUpdated(operation=finished, occurred_at=owner.clock()))
        await checker.tick(minutes=1)

        assert owner.events() == ["operation.failed"]
        assert checker.said() == []


class TestDecisionsNobodyMade:
    """An instance killed after its health engine stored a transition and before its alerting
    decided it: another instance's tick finds the transition and decides it."""

    async def test_an_outage_whose_instance_died_undecided_is_announced(
        self, storage: FakeStorage
    ) -> None:
        dead = await build(storage)
        announced, orphan = await dead.environment("shop-prod"), await dead.environment("shop-qa")
        await dead.turns(announced, UNHEALTHY)
        down = Status(health=UNHEALTHY, since=dead.clock(), last_check=dead.clock())
        await storage.environments.update_status(orphan, down)  # stored, never decided

        survivor = await build(storage, clock=dead.clock, instance_id="instance-b", channel=False)
        await survivor.tick(seconds=1)  # its first tick looks
        await survivor.tick(seconds=31)  # and every 30 s

        assert survivor.said() == [("environment.unhealthy", "[Envdeck] shop-qa is unhealthy")]

    async def test_a_recovery_whose_instance_died_undecided_is_announced(
        self, storage: FakeStorage
    ) -> None:
        dead = await build(storage)
        env = await dead.environment()
        await dead.turns(env, UNHEALTHY)
        dead.clock.advance(minutes=1)
        up = Status(health=HEALTHY, since=dead.clock(), last_check=dead.clock())
        await storage.environments.update_status(env, up)  # stored, never decided

        survivor = await build(storage, clock=dead.clock, instance_id="instance-b", channel=False)
        await survivor.tick(minutes=3)
        assert survivor.said() == []
        await survivor.tick(minutes=1)  # five minutes after the last look at it

        assert survivor.said() == [("environment.recovered", "[Envdeck] shop-prod recovered")]

    async def test_a_transition_decided_late_is_still_announced_once(
        self, storage: FakeStorage
    ) -> None:
        slow = await build(storage)
        env, earlier = await slow.environment("shop-prod"), await slow.environment("shop-dev")
        await slow.turns(earlier, UNHEALTHY)
        event = await slow.environment_turns_quietly(env, UNHEALTHY)
        other = await build(storage, clock=slow.clock, instance_id="instance-b", channel=False)

        await other.tick(seconds=1)  # finds it undecided
        await slow.alerting.handle(event)  # and then its own instance decides it

        assert other.said() == [("environment.unhealthy", "[Envdeck] shop-prod is unhealthy")]
        assert slow.said() == [("environment.unhealthy", "[Envdeck] shop-dev is unhealthy")]


class TestOutbox:
    """What an instance recorded and did not send is sent by a survivor, once."""

    async def test_every_message_is_recorded_before_it_is_queued(self, rig: Rig) -> None:
        env = await rig.environment()

        await rig.turns(env, UNHEALTHY)

        (entry,) = rig.storage.notification_outbox.all()
        (job,) = rig.deliveries.jobs
        assert job.outbox_id == entry.id
        assert (entry.owner, entry.status, entry.title) == (
            "instance-a",
            OutboxStatus.PENDING,
            job.message.title,
        )

    async def test_a_survivor_sends_what_a_dead_instance_recorded_once(
        self, storage: FakeStorage
    ) -> None:
        dead = await build(storage)
        env = await dead.environment()
        await dead.turns(env, UNHEALTHY)  # recorded, queued, and then the instance died
        survivors = [
            await build(storage, clock=dead.clock, instance_id=name, channel=False)
            for name in ("instance-b", "instance-c")
        ]
        for survivor in survivors:
            await heartbeat(storage, survivor)

        assert await survivors[0].outbox.run_once() == 1
        assert await survivors[0].outbox.run_once() == 0
        assert await survivors[1].outbox.run_once() == 0

        (job,) = survivors[0].deliveries.jobs
        assert job.message.title == dead.deliveries.jobs[0].message.title
        assert job.outbox_id == dead.deliveries.jobs[0].outbox_id
        assert survivors[1].deliveries.jobs == []
        (entry,) = storage.notification_outbox.all()
        assert entry.owner == "instance-b"

    async def test_what_a_live_instance_recorded_is_left_to_it(self, storage: FakeStorage) -> None:
        busy = await build(storage)
        env = await busy.environment()
        await heartbeat(storage, busy)
        await busy.turns(env, UNHEALTHY)
        other = await build(storage, clock=busy.clock, instance_id="instance-b", channel=False)

        assert await other.outbox.run_once() == 0
        busy.clock.advance(seconds=16)  # its heartbeats stopped: lost
        assert await other.outbox.run_once() == 1

    async def test_a_message_more_than_an_hour_old_is_recorded_failed_not_sent(
        self, storage: FakeStorage
    ) -> None:
        dead = await build(storage)
        env = await dead.environment()
        await dead.turns(env, UNHEALTHY)
        dead.clock.advance(hours=2)
        survivor = await build(storage, clock=dead.clock, instance_id="instance-b", channel=False)

        assert await survivor.outbox.run_once() == 1

        assert survivor.deliveries.jobs == []
        (entry,) = storage.notification_outbox.all()
        assert entry.status is OutboxStatus.FAILED

    async def test_a_message_the_full_queue_drops_is_recorded_failed(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.deliveries.full = True

        await rig.turns(env, UNHEALTHY)

        (entry,) = rig.storage.notification_outbox.all()
        assert entry.status is OutboxStatus.FAILED


class TestDeliveryOutcome:
    """The delivery queue marks a recorded message's entry with how its delivery ended."""

    async def test_a_sent_message_is_marked_sent_and_a_failed_one_failed(self, rig: Rig) -> None:
        env = await rig.environment()
        await rig.turns(env, UNHEALTHY)
        rig.clock.advance(minutes=5)
        await rig.turns(env, HEALTHY)
        sender = FakeSender()
        queue = DeliveryQueue(
            rig.storage.notification_channels,
            SecretBox(KEY),
            sender,  # type: ignore[arg-type]
            ActivityLog(rig.storage.logs, EventBus(), clock=rig.clock),
            rig.clock,
            attempts=1,
            base_delay=0,
            send_timeout=1,
            queue_size=10,
            outbox=rig.storage.notification_outbox,
        )

        down, up = rig.deliveries.jobs
        await queue.deliver(down)
        sender.failing = "Connection refused"
        await queue.deliver(up)

        statuses = {e.id: e.status for e in rig.storage.notification_outbox.all()}
        assert statuses == {down.outbox_id: OutboxStatus.SENT, up.outbox_id: OutboxStatus.FAILED}


def relayed(op: Operation, at: datetime) -> OperationUpdated:
    return OperationUpdated(operation=op, occurred_at=at, origin="instance-a")


async def heartbeat(storage: FakeStorage, rig: Rig) -> None:
    now = rig.clock()
    await storage.instances.upsert_heartbeat(
        Instance(
            id=rig.outbox.instance_id,
            host="envdeck-1",
            pid=1,
            version="1.0",
            backend="memory",
            started_at=now,
            last_seen=now,
        )
    )


def slow_reads(storage: FakeStorage) -> None:
    """Make every alert-state read hand control back to the loop before it answers."""
    repository = storage.alert_states
    read = repository.get

    async def get(environment_id: str) -> AlertState | None:
        state = await read(environment_id)
        await asyncio.sleep(0)
        return state

    repository.get = get  # type: ignore[method-assign]

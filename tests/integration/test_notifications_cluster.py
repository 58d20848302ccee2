"""Alerting shared by several instances: two instances' notifications on one SQLite store.

Each instance is what `build_notifications` wires for one process (its own bus, activity log,
delivery queue and Apprise sender, its own instance id), both over one opened storage, with
the leases of a FakeCluster shared between them. Messages go through Apprise to a webhook
receiver on loopback, so "exactly one message" is counted where it arrives. The real
multi-process cluster (MongoDB, kill -9) is tests/cluster/test_alerting.py.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from envdeck.adapters.events import EventBus, StatusChanged
from envdeck.adapters.secret_box import SecretBox
from envdeck.config import NotificationsSettings
from envdeck.domain.alerting import OutboxStatus
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import Environment, HealthCheckConfig, HealthState, Status
from envdeck.domain.ids import new_id
from envdeck.domain.instance import Instance
from envdeck.domain.notification import ChannelScope, NotificationChannel, NotificationEvent
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications import Notifications, build_notifications
from envdeck.services.notifications.delivery import channel_url_context
from tests.fakes.cluster import FakeLeaseRepository
from tests.support.receiver import Receiver

KEY = bytes(range(32))
TTL = timedelta(seconds=15)
PATH = "/cluster"
SETTINGS = NotificationsSettings(
    retry_base_delay=timedelta(milliseconds=50), send_timeout=timedelta(seconds=5)
)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@dataclass
class Node:
    """One instance's notifications and the bus they follow."""

    id: str
    bus: EventBus
    notifications: Notifications


@dataclass
class Cluster:
    storage: SqliteStorage
    stack: AsyncExitStack
    leases: FakeLeaseRepository

    async def instance(self, *, start: bool = True) -> Node:
        """Wire one more instance on the shared storage, registered live; started, it follows
        its bus, ticks and sweeps; not, it only sends what it is handed (or nothing, dead)."""
        instance_id = new_id()
        bus = EventBus()
        activity = ActivityLog(self.storage.logs, bus)
        maintenance = MaintenanceService(self.storage, activity, utc_now)
        notifications = build_notifications(
            SETTINGS,
            "https://envdeck.example.com",
            self.storage,
            bus,
            activity,
            SecretBox(KEY),
            maintenance,
            utc_now,
            instance_id=instance_id,
            leases=LeaseKeeper(self.leases, instance_id, utc_now, TTL),
            instance_ttl=TTL,
        )
        activity.start()
        self.stack.push_async_callback(bus.close)
        self.stack.push_async_callback(activity.close)
        if start:
            await notifications.start()
            self.stack.push_async_callback(notifications.close)
        instance = Node(instance_id, bus, notifications)
        await self.heartbeat(instance)
        return instance

    async def deliver(self, instance: Node) -> None:
        """Start only an instance's delivery workers (its sweep is run by the test)."""
        await instance.notifications.sender.warm_up()
        instance.notifications.deliveries.start()
        self.stack.push_async_callback(instance.notifications.deliveries.close)

    async def heartbeat(self, instance: Node, *, seen_ago: timedelta = timedelta(0)) -> None:
        now = utc_now()
        await self.storage.instances.upsert_heartbeat(
            Instance(
                id=instance.id,
                host="envdeck-test",
                pid=1,
                version="test",
                backend="sqlite",
                started_at=now - seen_ago,
                last_seen=now - seen_ago,
            )
        )

    async def environment(self, name: str) -> str:
        check = HealthCheckConfig(
            enabled=True,
            endpoint="https://shop.example.com/health",  # type: ignore[arg-type]
            interval=60,
        )
        env = await self.storage.environments.create(Environment(name=name, health_check=check))
        return env.id

    async def channel(self, receiver: Receiver) -> None:
        channel_id = new_id()
        await self.storage.notification_channels.create(
            NotificationChannel(
                id=channel_id,
                name="hook",
                events=list(NotificationEvent),
                scope=ChannelScope(),
                url=SecretBox(KEY).seal(
                    receiver.apprise_url(PATH), channel_url_context(channel_id)
                ),
                service="json",
            )
        )

    async def turns_unhealthy(self, environment_id: str, name: str) -> StatusChanged:
        """The health engine's transition, stored; the event is returned to publish."""
        now = utc_now()
        status = Status(
            health=HealthState.UNHEALTHY,
            last_check=now,
            since=now,
            message="503 Service Unavailable",
            consecutive_failures=1,
        )
        await self.storage.environments.update_status(environment_id, status)
        return StatusChanged(
            environment_id=environment_id,
            status=status,
            previous=HealthState.HEALTHY,
            environment_name=name,
            occurred_at=now,
        )


@pytest_asyncio.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    storage = SqliteStorage(tmp_path / "envdeck.db")
    await storage.open()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(storage.close)
        yield Cluster(storage, stack, FakeLeaseRepository())


def titles(receiver: Receiver, since: int) -> list[str]:
    return [m.title for m in receiver.messages[since:] if m.path == PATH]


async def test_a_transition_both_instances_see_is_sent_once(
    cluster: Cluster, receiver: Receiver
) -> None:
    before = len(receiver.messages)
    a, b = await cluster.instance(), await cluster.instance()
    await cluster.channel(receiver)
    env = await cluster.environment("shop-prod")
    event = await cluster.turns_unhealthy(env, "shop-prod")

    # Both decide it as their own (a shard changing hands mid-check), and a relayed copy too.
    a.bus.publish(event)
    b.bus.publish(event)
    b.bus.publish(replace(event, origin=a.id))
    await a.notifications.settle()
    await b.notifications.settle()

    assert titles(receiver, before) == ["[Envdeck] shop-prod is unhealthy"]
    entries = await cluster.storage.notification_outbox.list_pending([], 10)
    assert entries == []  # recorded once, and marked sent


async def test_what_a_dead_instance_recorded_a_survivor_sends_once(
    cluster: Cluster, receiver: Receiver
) -> None:
    before = len(receiver.messages)
    # Its delivery workers never start: it decides, records and queues, and dies (its last
    # heartbeat a minute old).
    doomed = await cluster.instance(start=False)
    await cluster.heartbeat(doomed, seen_ago=timedelta(minutes=1))
    await cluster.channel(receiver)
    env = await cluster.environment("billing-prod")
    await doomed.notifications.alerting.handle(await cluster.turns_unhealthy(env, "billing-prod"))
    (pending,) = await cluster.storage.notification_outbox.list_pending([], 10)
    assert pending.owner == doomed.id

    survivors = [await cluster.instance(start=False), await cluster.instance(start=False)]
    for survivor in survivors:
        await cluster.deliver(survivor)
    # Each sweeps twice; the one holding the sweep's lease takes the entry over, once.
    sweeps = [await s.notifications.outbox.run_once() for s in survivors + survivors]
    for survivor in survivors:
        await survivor.notifications.settle()

    assert sweeps == [1, 0, 0, 0]
    assert titles(receiver, before) == ["[Envdeck] billing-prod is unhealthy"]
    assert await cluster.storage.notification_outbox.list_pending([], 10) == []


async def test_a_live_instance_s_pending_message_is_left_to_it(
    cluster: Cluster, receiver: Receiver
) -> None:
    busy = await cluster.instance(start=False)  # alive, its delivery just slow to start
    await cluster.channel(receiver)
    env = await cluster.environment("search-prod")
    await busy.notifications.alerting.handle(await cluster.turns_unhealthy(env, "search-prod"))
    other = await cluster.instance(start=False)

    assert await other.notifications.outbox.run_once() == 0
    (pending,) = await cluster.storage.notification_outbox.list_pending([], 10)
    assert (pending.owner, pending.status) == (busy.id, OutboxStatus.PENDING)


async def test_a_transition_recorded_by_an_instance_killed_before_storing_its_state_is_sent_once(
    cluster: Cluster, receiver: Receiver
) -> None:
    before = len(receiver.messages)
    doomed = await cluster.instance(start=False)
    await cluster.heartbeat(doomed, seen_ago=timedelta(minutes=1))
    await cluster.channel(receiver)
    env = await cluster.environment("orders-prod")
    await doomed.notifications.alerting.handle(await cluster.turns_unhealthy(env, "orders-prod"))
    # Killed between recording the message and storing the alert state: none stored.
    await cluster.storage.alert_states.delete(env)

    # The instance that takes the environment over checks it again: the same transition,
    # seen later (another `since`).
    survivor = await cluster.instance(start=False)
    await cluster.deliver(survivor)
    await survivor.notifications.alerting.handle(await cluster.turns_unhealthy(env, "orders-prod"))
    assert await survivor.notifications.outbox.run_once() == 1  # the doomed one's message
    await survivor.notifications.settle()

    assert titles(receiver, before) == ["[Envdeck] orders-prod is unhealthy"]
    state = await cluster.storage.alert_states.get(env)
    assert state is not None
    assert state.announced is HealthState.UNHEALTHY

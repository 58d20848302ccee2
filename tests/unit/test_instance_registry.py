"""The instance registry: heartbeats, a recorded stop, statuses, the purge, outages survived."""

import asyncio
from datetime import timedelta

import pytest

from envdeck import __version__
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.instance import Instance, InstanceStatus
from envdeck.services.cluster import InstanceRegistry
from envdeck.services.cluster.registry import KEPT_FOR, this_process
from tests.fakes.clock import FakeClock
from tests.fakes.instances import FakeInstanceRepository
from tests.fakes.storage import FakeStorage

INTERVAL = timedelta(seconds=5)
TTL = timedelta(seconds=15)
DEADLINE = 5.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_registry(
    storage: FakeStorage, clock: FakeClock, interval: timedelta = INTERVAL
) -> InstanceRegistry:
    return InstanceRegistry(
        storage.instances,
        this_process("memory", clock()),
        clock,
        heartbeat_interval=interval,
        instance_ttl=TTL,
    )


def other(clock: FakeClock, **overrides: object) -> Instance:
    fields: dict[str, object] = {
        "id": new_id(),
        "host": "elsewhere",
        "pid": 7,
        "version": "0.9.0",
        "backend": "memory",
        "started_at": clock(),
        "last_seen": clock(),
    }
    return Instance.model_validate(fields | overrides)


class ObservedInstances(FakeInstanceRepository):
    """The in-memory registry, telling when a heartbeat was stored."""

    def __init__(self, storage: FakeStorage) -> None:
        super().__init__(storage.outage)
        self.stored = asyncio.Event()

    async def upsert_heartbeat(self, instance: Instance) -> None:
        await super().upsert_heartbeat(instance)
        self.stored.set()

    async def next_heartbeat(self, what: str) -> None:
        self.stored.clear()
        try:
            await asyncio.wait_for(self.stored.wait(), DEADLINE)
        except TimeoutError:
            pytest.fail(f"no {what} within {DEADLINE} s")


def observed(storage: FakeStorage) -> ObservedInstances:
    storage.instances = ObservedInstances(storage)
    return storage.instances


def test_this_process_is_a_new_instance_with_its_pid_and_version(clock: FakeClock) -> None:
    first, second = this_process("sqlite", clock()), this_process("sqlite", clock())

    assert is_valid_id(first.id)
    assert first.id != second.id
    assert first.pid > 0
    assert first.host
    assert first.version == __version__
    assert first.backend == "sqlite"
    assert first.started_at == first.last_seen == clock()
    assert first.stopped_at is None


async def test_run_once_writes_a_heartbeat_listed_live_as_self(
    storage: FakeStorage, clock: FakeClock
) -> None:
    registry = make_registry(storage, clock)
    clock.advance(seconds=5)

    await registry.run_once()

    listing = await registry.list_instances()
    assert listing.self_id == registry.instance_id
    [listed] = listing.instances
    assert listed.instance.id == registry.instance_id
    assert listed.instance.last_seen == clock()
    assert listed.status is InstanceStatus.LIVE


async def test_statuses_follow_the_ttl_and_the_recorded_stop(
    storage: FakeStorage, clock: FakeClock
) -> None:
    registry = make_registry(storage, clock)
    at_ttl = other(clock, last_seen=clock() - TTL)
    past_ttl = other(clock, last_seen=clock() - TTL - timedelta(milliseconds=1))
    stopped = other(clock)
    for instance in (at_ttl, past_ttl, stopped):
        await storage.instances.upsert_heartbeat(instance)
    await storage.instances.mark_stopped(stopped.id, clock())

    statuses = {i.instance.id: i.status for i in (await registry.list_instances()).instances}

    assert statuses == {
        at_ttl.id: InstanceStatus.LIVE,
        past_ttl.id: InstanceStatus.LOST,
        stopped.id: InstanceStatus.STOPPED,
    }


async def test_lists_a_day_of_instances_and_purges_older_ones_hourly(
    storage: FakeStorage, clock: FakeClock
) -> None:
    registry = make_registry(storage, clock)
    day_old = other(clock, last_seen=clock() - KEPT_FOR)
    older = other(clock, last_seen=clock() - KEPT_FOR - timedelta(seconds=1))
    for instance in (day_old, older):
        await storage.instances.upsert_heartbeat(instance)

    listed = [i.instance.id for i in (await registry.list_instances()).instances]
    assert listed == [day_old.id]
    await registry.run_once()
    assert len(storage.instances.docs) == 2  # day_old and this one: older was purged

    clock.advance(minutes=30)  # day_old is now past the day, but the next purge is not due
    await registry.run_once()
    assert storage.instances.docs.has(day_old.id)
    clock.advance(minutes=30)
    await registry.run_once()
    assert not storage.instances.docs.has(day_old.id)


async def test_close_stops_the_heartbeats_and_records_the_stop(
    storage: FakeStorage, clock: FakeClock
) -> None:
    instances = observed(storage)
    registry = make_registry(storage, clock, interval=timedelta(milliseconds=10))
    registry.start()

    await instances.next_heartbeat("first heartbeat")
    clock.advance(seconds=1)
    await registry.close()

    [listed] = (await registry.list_instances()).instances
    assert listed.status is InstanceStatus.STOPPED
    assert listed.instance.stopped_at == clock()


async def test_close_without_start_records_nothing(storage: FakeStorage, clock: FakeClock) -> None:
    registry = make_registry(storage, clock)

    await registry.close()

    assert len(storage.instances.docs) == 0


async def test_a_storage_outage_does_not_end_the_heartbeats(
    storage: FakeStorage, clock: FakeClock
) -> None:
    instances = observed(storage)
    storage.down = True
    registry = make_registry(storage, clock, interval=timedelta(milliseconds=10))
    registry.start()
    try:
        await asyncio.sleep(0.05)  # a few beats fail meanwhile
        assert not instances.docs.has(registry.instance_id)
        storage.down = False

        await instances.next_heartbeat("heartbeat once storage answers again")
        assert instances.docs.has(registry.instance_id)
    finally:
        await registry.close()


async def test_close_while_storage_is_down_gives_up_quietly(
    storage: FakeStorage, clock: FakeClock
) -> None:
    instances = observed(storage)
    registry = make_registry(storage, clock, interval=timedelta(milliseconds=10))
    registry.start()

    await instances.next_heartbeat("first heartbeat")
    storage.down = True

    await registry.close()  # nothing raised: it will be listed lost once the TTL passes

    storage.down = False
    [listed] = (await registry.list_instances()).instances
    assert listed.instance.stopped_at is None

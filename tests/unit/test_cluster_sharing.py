"""Several instances in one test process: health shards shared out, events relayed.

Specifications on the fakes (a FakeCluster's leases and event stream, shared between the
instances' keepers and buses); the real thing across processes is tests/cluster.
"""

import asyncio
from datetime import datetime, timedelta

from envdeck.adapters.events import EventBus, StatusChanged
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import HealthState, Status
from envdeck.domain.instance import Instance
from envdeck.services.cluster.event_relay import EventCodec, EventRelay
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.cluster.shards import SHARDS, ShardLeases, lease_name, shard_of
from tests.fakes.cluster import FakeCluster
from tests.fakes.documents import Outage
from tests.fakes.instances import FakeInstanceRepository

LEASE = timedelta(seconds=10)


class Work:
    """Records which shards an instance was told to check."""

    def __init__(self) -> None:
        self.shards: set[int] = set()

    async def take(self, shards: set[int]) -> None:
        assert not self.shards & shards, "taken twice"
        self.shards |= shards

    async def give_up(self, shards: set[int]) -> None:
        self.shards -= shards


class Member:
    def __init__(self, name: str, cluster: FakeCluster, instances: FakeInstanceRepository):
        self.name = name
        self.keeper = LeaseKeeper(cluster.leases, name, utc_now, LEASE)
        self.work = Work()
        self.shards = ShardLeases(self.keeper, instances, self.work, utc_now)
        self.instances = instances

    async def heartbeat(self) -> None:
        now = utc_now()
        await self.instances.upsert_heartbeat(
            Instance(
                id=self.name,
                host="h",
                pid=1,
                version="v",
                backend="mongodb",
                started_at=now,
                last_seen=now,
            )
        )

    async def round(self) -> None:
        await self.heartbeat()
        await self.shards.run_once()
        await self.shards.settle()


def assert_partition(*members: Member) -> None:
    """Every shard is checked by exactly one member."""
    counted: dict[int, int] = {}
    for member in members:
        for shard in member.work.shards:
            counted[shard] = counted.get(shard, 0) + 1
            assert member.shards.holds(shard)
    assert counted == dict.fromkeys(range(SHARDS), 1)


async def test_one_instance_takes_every_shard() -> None:
    cluster, instances = FakeCluster(), FakeInstanceRepository(Outage())
    a = Member("a", cluster, instances)
    await a.round()
    assert_partition(a)


async def test_a_joining_instance_gets_its_share_without_overlap() -> None:
    cluster, instances = FakeCluster(), FakeInstanceRepository(Outage())
    a, b = Member("a", cluster, instances), Member("b", cluster, instances)
    await a.round()
    await b.heartbeat()
    await a.round()  # sees b: gives up half
    assert len(a.work.shards) == SHARDS // 2
    await b.round()  # takes what a released
    assert_partition(a, b)
    for _ in range(3):
        await a.round()
        await b.round()
        assert_partition(a, b)


async def fail_if_called(shards: set[int]) -> None:
    raise AssertionError(f"shards taken again: {sorted(shards)}")


def expire(cluster: FakeCluster, shards: set[int]) -> None:
    """Make these shards' leases run out now (their holder stopped renewing)."""
    for name in [lease_name(s) for s in shards]:
        lease = cluster.leases._leases[name]
        cluster.leases._leases[name] = lease.model_copy(update={"expires_at": utc_now()})


async def test_a_dead_instances_shards_are_taken_once_its_leases_expire() -> None:
    cluster, instances = FakeCluster(), FakeInstanceRepository(Outage())
    a, b = Member("a", cluster, instances), Member("b", cluster, instances)
    await a.round()
    await b.heartbeat()
    await a.round()
    await b.round()
    assert_partition(a, b)
    # b dies: nothing renews its leases. Until they expire, a takes nothing of b's.
    await a.round()
    assert len(a.work.shards) == SHARDS // 2
    expire(cluster, b.work.shards)
    # b still counts (seen within a lease): beyond its share, a takes shards that stayed free
    # a whole round, so on the second round.
    await a.round()
    assert len(a.work.shards) == SHARDS // 2
    await a.round()
    assert len(a.work.shards) == SHARDS


async def test_shards_one_instance_gave_up_go_to_the_one_short_of_its_share() -> None:
    cluster, instances = FakeCluster(), FakeInstanceRepository(Outage())
    a, b = Member("a", cluster, instances), Member("b", cluster, instances)
    await a.round()
    await b.heartbeat()
    await a.round()  # gives up half
    await a.round()  # sees them free, but it has its share: leaves them to b
    assert len(a.work.shards) == SHARDS // 2
    await b.round()
    assert_partition(a, b)


async def test_a_lease_renewed_late_keeps_its_shard() -> None:
    cluster, instances = FakeCluster(), FakeInstanceRepository(Outage())
    a = Member("a", cluster, instances)
    await a.round()
    # The local deadline passed (a slow round), but the stored lease had not expired.
    a.keeper._held_until = dict.fromkeys(a.keeper._held_until, 0.0)
    await a.round()
    assert_partition(a)


async def test_a_shard_past_its_lease_is_not_checked_even_before_the_next_round() -> None:
    cluster, instances = FakeCluster(), FakeInstanceRepository(Outage())
    a, b = Member("a", cluster, instances), Member("b", cluster, instances)
    await a.round()
    await b.heartbeat()
    await a.round()  # sees b: b may take over what a stops renewing
    a.keeper._held_until = dict.fromkeys(a.keeper._held_until, 0.0)
    assert a.work.shards
    assert not any(a.shards.holds(s) for s in range(SHARDS))


async def test_alone_an_instance_checks_through_a_storage_outage_and_keeps_its_shards() -> None:
    cluster = FakeCluster()
    outage = cluster.leases.outage
    a = Member("a", cluster, FakeInstanceRepository(outage))
    await a.round()
    taken = a.work.shards.copy()
    outage.down = True
    # Past its leases, storage down: nobody else was seen, so nobody can take a shard over.
    a.keeper._held_until = dict.fromkeys(a.keeper._held_until, 0.0)
    expire(cluster, taken)
    assert all(a.shards.holds(s) for s in range(SHARDS))
    outage.down = False
    # Storage back: the leases nobody took are renewed, no shard given up and taken again.
    a.work.take = fail_if_called  # type: ignore[method-assign]
    await a.round()
    assert a.work.shards == taken
    assert all(a.keeper.holds(lease_name(s)) for s in range(SHARDS))


async def test_a_graceful_stop_hands_every_shard_back() -> None:
    cluster, instances = FakeCluster(), FakeInstanceRepository(Outage())
    a, b = Member("a", cluster, instances), Member("b", cluster, instances)
    await a.round()
    await a.shards.close()
    assert a.work.shards == set()
    await instances.mark_stopped("a", utc_now())  # the last thing a stopping instance does
    await b.round()
    assert_partition(b)


def test_shards_spread_environments_evenly() -> None:
    counts = [0] * SHARDS
    for n in range(32_000):
        counts[shard_of(f"{n:024x}")] += 1
    assert min(counts) > 800
    assert max(counts) < 1200


async def test_events_published_on_one_instance_reach_the_others_with_their_origin() -> None:
    cluster = FakeCluster()
    buses = [EventBus(), EventBus()]
    relays = [EventRelay(buses[0], "a"), EventRelay(buses[1], "b")]
    for relay in relays:
        await relay.start(cluster.events)
    seen: dict[int, list[StatusChanged]] = {0: [], 1: []}
    arrived = asyncio.Event()

    def collector(index: int):  # type: ignore[no-untyped-def]
        async def handle(event: object) -> None:
            assert isinstance(event, StatusChanged)
            seen[index].append(event)
            if len(seen[1]) == 2:
                arrived.set()

        return handle

    for index, bus in enumerate(buses):
        bus.subscribe(f"test-{index}", collector(index), {StatusChanged.topic})
    for health in (HealthState.UNHEALTHY, HealthState.HEALTHY):
        buses[0].publish(StatusChanged(environment_id="e1", status=Status(health=health)))
    async with asyncio.timeout(5):
        await arrived.wait()
    # On b, in order, from a; a saw its own once (not echoed back).
    assert [e.status.health for e in seen[1]] == [HealthState.UNHEALTHY, HealthState.HEALTHY]
    assert {e.origin for e in seen[1]} == {"a"}
    await buses[0].drain()
    assert [e.origin for e in seen[0]] == [None, None]
    for relay in relays:
        await relay.close()
    for bus in buses:
        await bus.close()


async def test_status_refreshes_nobody_here_wants_are_left_out_transitions_are_not() -> None:
    cluster = FakeCluster()
    buses = [EventBus(), EventBus()]
    watched = {"e-watched"}
    relays = [EventRelay(buses[0], "a"), EventRelay(buses[1], "b", watched.__contains__)]
    for relay in relays:
        await relay.start(cluster.events)
    seen: list[tuple[str, bool]] = []
    last = asyncio.Event()

    async def handle(event: object) -> None:
        assert isinstance(event, StatusChanged)
        seen.append((event.environment_id, event.transition))
        if event.environment_id == "e-last":
            last.set()

    buses[1].subscribe("test", handle, {StatusChanged.topic})
    healthy = Status(health=HealthState.HEALTHY)
    for environment_id, transition in [
        ("e-other", False),  # a refresh of an environment nobody on b wants
        ("e-watched", False),
        ("e-other", True),
        ("e-last", True),
    ]:
        buses[0].publish(
            StatusChanged(environment_id=environment_id, status=healthy, transition=transition)
        )
    async with asyncio.timeout(5):
        await last.wait()
    assert seen == [("e-watched", False), ("e-other", True), ("e-last", True)]
    for relay in relays:
        await relay.close()
    for bus in buses:
        await bus.close()


def test_the_codec_round_trips_every_event_kind() -> None:
    codec = EventCodec()
    event = StatusChanged(
        environment_id="e1",
        status=Status(health=HealthState.UNHEALTHY, since=datetime(2026, 1, 2, 3, 4, 5)),
        previous=HealthState.HEALTHY,
        environment_name="qa-3",
    )
    decoded = codec.decode(codec.encode(event, "a"))
    assert decoded is not None
    assert decoded.origin == "a"
    assert decoded == StatusChanged(**{**event.__dict__, "origin": "a"})
    assert codec.decode({"topic": "from.a.newer.version", "origin": "x", "event": {}}) is None

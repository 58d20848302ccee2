"""Operations with several instances on one store: two (or three) operation services in this
process on the same SQLite file or MongoDB database, each with its own instance id and
heartbeats, event bus, activity log and event relay (over the in-memory event stream of
tests/fakes/cluster.py, in place of MongoDB's change stream), the commands run by FakeExecutor.

What real processes do (kill -9, three `envdeck serve` on a replica set) is tests/cluster.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest_asyncio

from envdeck.adapters.events import EventBus
from envdeck.adapters.secret_box import SecretBox
from envdeck.config import ClusterSettings
from envdeck.domain.auth import Principal, TokenKind
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import CommandConfig, CommandDetails, Environment
from envdeck.domain.errors import Conflict
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogListOptions
from envdeck.domain.operation import Operation, OperationStatus
from envdeck.domain.user import Role, User
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster import InstanceRegistry
from envdeck.services.cluster.event_relay import EventRelay
from envdeck.services.cluster.registry import this_process
from envdeck.services.operations.executors import Executors
from envdeck.services.operations.service import OperationService
from envdeck.services.operations.verification import Verifier
from envdeck.services.operations.version_lists import VersionLists
from tests.fakes.clock import FakeClock
from tests.fakes.cluster import FakeEventStream
from tests.fakes.executors import FakeExecutor

WAIT = 10.0  # a guard only
CLUSTER = ClusterSettings(instance_ttl=timedelta(seconds=15))
RUNNING = OperationStatus.RUNNING


def principal(username: str, role: Role) -> Principal:
    user = User(id=new_id(), username=username, role=role)
    return Principal(user=user, role=role, kind=TokenKind.LOGIN, token_id="t", expires_at=None)


OLIVE = principal("olive", Role.USER)
ADA = principal("ada", Role.ADMIN)


class NoChecker:
    """Verification never checks here: no environment has a health check."""

    async def check(self, *_: object) -> None:
        raise AssertionError("nothing to check")


@dataclass
class Node:
    """One instance: its operation service and what it reports to."""

    instances: InstanceRegistry
    bus: EventBus
    activity: ActivityLog
    relay: EventRelay
    executor: FakeExecutor
    service: OperationService

    @property
    def id(self) -> str:
        return self.instances.instance_id

    async def finished(self, op: Operation, storage: Storage) -> Operation:
        await self.service.registry.wait(op.id, WAIT)
        assert op.id not in self.service.registry, "the operation did not end"
        return await storage.operations.get_by_id(op.id)

    async def close(self) -> None:
        if self.executor.gate is not None:
            self.executor.gate.set()
        await self.service.close()
        await self.relay.close()
        await self.activity.close()
        await self.bus.close()


@dataclass
class Cluster:
    storage: Storage
    clock: FakeClock
    stream: FakeEventStream
    nodes: list[Node]

    async def start(self) -> Node:
        """Start one more instance: registered, its own operations recovered, following."""
        bus = EventBus()
        activity = ActivityLog(self.storage.logs, bus, flush_interval=0.05, clock=self.clock)
        activity.start()
        instances = InstanceRegistry(
            self.storage.instances,
            this_process(self.storage.backend, self.clock()),
            self.clock,
            heartbeat_interval=CLUSTER.heartbeat_interval,
            instance_ttl=CLUSTER.instance_ttl,
        )
        await instances.run_once()
        relay = EventRelay(bus, instances.instance_id)
        await relay.start(self.stream)
        executor = FakeExecutor()
        service = OperationService(
            self.storage,
            bus,
            activity,
            Executors([executor]),
            Verifier(NoChecker(), poll_interval=0),  # type: ignore[arg-type]
            VersionLists(self.storage.environments, None, SecretBox(bytes(32))),  # type: ignore[arg-type]
            self.clock,
            output_flush_interval=0,
            instances=instances,
            cluster=CLUSTER,
        )
        node = Node(instances, bus, activity, relay, executor, service)
        self.nodes.append(node)
        await service.recover_interrupted()
        service.start()
        return node

    async def environment(self, name: str = "shop-prod") -> Environment:
        restart = CommandDetails(enabled=True, command="systemctl restart shop", timeout=60)
        return await self.storage.environments.create(
            Environment(name=name, commands=CommandConfig(restart=restart))
        )

    async def silence(self, node: Node) -> None:
        """Let node stop answering (as kill -9 would): the TTL passes with no heartbeat of
        its own while every other instance keeps beating."""
        self.clock.advance(seconds=CLUSTER.instance_ttl.total_seconds() + 1)
        for other in self.nodes:
            if other is not node:
                await other.instances.run_once()

    async def log_messages(self) -> list[str]:
        for node in self.nodes:
            await node.activity.flush()
        entries, _ = await self.storage.logs.list(LogListOptions(action="restart", limit=100))
        return [entry.message for entry in reversed(entries)]


@pytest_asyncio.fixture
async def cluster(storage: Storage) -> AsyncIterator[Cluster]:
    # Records are stamped by the store's clock: the test's clock starts at the same time.
    built = Cluster(storage, FakeClock(utc_now()), FakeEventStream(), [])
    yield built
    for node in reversed(built.nodes):
        await node.close()


def _gated(node: Node) -> asyncio.Event:
    node.executor.gate = asyncio.Event()
    return node.executor.gate


async def test_of_two_restarts_sent_to_two_instances_at_once_one_starts(
    cluster: Cluster,
) -> None:
    a, b = await cluster.start(), await cluster.start()
    env = await cluster.environment()
    _gated(a)
    _gated(b)

    results = await asyncio.gather(
        a.service.restart_environment(OLIVE, env.id),
        b.service.restart_environment(ADA, env.id),
        return_exceptions=True,
    )

    started = [r for r in results if isinstance(r, Operation)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(started), len(refused)) == (1, 1), results
    claim = (await cluster.storage.environments.get_by_id(env.id)).active_operation
    assert claim is not None
    assert claim.id == started[0].id
    assert started[0].owner_instance in (a.id, b.id)


async def test_a_cancel_sent_to_one_instance_stops_what_the_other_runs(cluster: Cluster) -> None:
    a, b = await cluster.start(), await cluster.start()
    env = await cluster.environment()
    _gated(a)
    op = await a.service.restart_environment(OLIVE, env.id)
    await a.executor.started.reaches(1)

    answer = await b.service.cancel_operation(ADA, op.id)
    done = await a.finished(op, cluster.storage)

    assert answer.status is RUNNING
    assert answer.owner_instance == a.id
    assert done.status is OperationStatus.CANCELLED
    assert done.error is not None
    assert done.error.message == "cancelled by ada"
    assert (await cluster.storage.environments.get_by_id(env.id)).active_operation is None
    host = socket.gethostname()
    messages = await cluster.log_messages()
    assert any(
        m.startswith(f"ada asked to cancel the restart of shop-prod, which instance {host}")
        for m in messages
    )
    assert messages[-1].startswith("Restart of shop-prod was cancelled")


async def test_an_instance_that_starts_leaves_the_operations_of_live_ones_alone(
    cluster: Cluster,
) -> None:
    a = await cluster.start()
    env = await cluster.environment()
    gate = _gated(a)
    op = await a.service.restart_environment(OLIVE, env.id)
    await a.executor.started.reaches(1)

    await cluster.start()  # recovers what gone instances left: nothing here

    assert (await cluster.storage.operations.get_by_id(op.id)).status is RUNNING
    gate.set()
    assert (await a.finished(op, cluster.storage)).status is OperationStatus.SUCCEEDED


async def test_a_survivor_interrupts_what_an_instance_that_stopped_answering_ran(
    cluster: Cluster,
) -> None:
    a, b = await cluster.start(), await cluster.start()
    env = await cluster.environment()
    _gated(a)
    op = await a.service.restart_environment(OLIVE, env.id)
    await a.executor.started.reaches(1)

    await cluster.silence(a)
    assert await b.service.recover_interrupted() == 1

    stored = await cluster.storage.operations.get_by_id(op.id)
    assert stored.status is OperationStatus.INTERRUPTED
    assert stored.error is not None
    reason = f"instance {socket.gethostname()} (pid "
    assert stored.error.message.startswith(reason)
    assert stored.error.message.endswith("stopped answering while this operation ran")
    assert (await cluster.storage.environments.get_by_id(env.id)).active_operation is None
    assert (await cluster.log_messages())[-1].startswith(
        f"Restart of shop-prod was interrupted: {reason}"
    )
    # The environment is free again, for any instance.
    again = await b.service.restart_environment(OLIVE, env.id)
    assert (await b.finished(again, cluster.storage)).status is OperationStatus.SUCCEEDED

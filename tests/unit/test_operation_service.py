"""The operation service: what it refuses before 202, one operation per environment at a time,
how a run is recorded (success, failure, cancel), and start-up and shutdown.

Built on the in-memory storage, the real event bus and activity log, a FakeClock and a
FakeExecutor (tests/fakes/executors.py) that runs nothing: each spec waits for the operation's
own task to end (`finished`), never for time to pass. Running real commands over SSH and HTTP
is tests/integration (test_operations_ssh.py, test_operations_api.py).

Several instances are several rigs on one FakeStorage, each with its own bus, activity log and
instance registry; an instance that stops answering is one whose heartbeats stop while the
clock moves on. Two instances joined by the event relay: tests/integration
(test_operations_across_instances.py).
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import pytest_asyncio
from pydantic import HttpUrl

from envdeck.adapters.events import (
    EnvironmentChanged,
    Event,
    EventBus,
    OperationCancelRequested,
    OperationOutput,
    OperationUpdated,
)
from envdeck.adapters.secret_box import SecretBox
from envdeck.config import ClusterSettings
from envdeck.domain.auth import Principal, TokenKind
from envdeck.domain.commands import RunErrorCode, RunOutcome, RunResult
from envdeck.domain.environment import (
    ActiveOperation,
    CommandConfig,
    CommandDetails,
    Environment,
    HealthCheckConfig,
    SystemInfo,
    UpgradeCommand,
    UpgradeConfig,
)
from envdeck.domain.errors import (
    Conflict,
    EnvironmentNotFound,
    Forbidden,
    ShuttingDown,
    ValidationFailed,
)
from envdeck.domain.ids import new_id
from envdeck.domain.instance import Instance
from envdeck.domain.log import LogEntry, LogLevel, LogListOptions
from envdeck.domain.operation import (
    Operation,
    OperationError,
    OperationListOptions,
    OperationStatus,
    OperationType,
)
from envdeck.domain.user import Role, User
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster import InstanceRegistry
from envdeck.services.cluster.registry import this_process
from envdeck.services.health.checker import CheckResult
from envdeck.services.inventory.sealing import SecretScope
from envdeck.services.operations.executors import Executors
from envdeck.services.operations.service import OperationService
from envdeck.services.operations.verification import Verifier
from envdeck.services.operations.version_lists import VersionLists
from tests.fakes.clock import FakeClock
from tests.fakes.executors import FakeExecutor
from tests.fakes.storage import FakeStorage

HOUR = 3600.0
TTL = timedelta(seconds=15)
WAIT = 10.0  # a guard only: each operation here ends as soon as its fake command does
SUCCEEDED = OperationStatus.SUCCEEDED
PENDING = OperationStatus.PENDING
RUNNING = OperationStatus.RUNNING


def principal(username: str, role: Role) -> Principal:
    user = User(id=new_id(), username=username, role=role)
    return Principal(user=user, role=role, kind=TokenKind.LOGIN, token_id="t", expires_at=None)


ADMIN = principal("ada", Role.ADMIN)
OLIVE = principal("olive", Role.USER)
OSCAR = principal("oscar", Role.USER)
VIEWER = principal("victor", Role.VIEWER)


class FakeChecker:
    """The health check verification runs: healthy at once, reporting `version`."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.checks = 0

    async def check(
        self, config: HealthCheckConfig, scope: SecretScope, base_url: HttpUrl | None
    ) -> CheckResult:
        self.checks += 1
        return CheckResult(
            ok=True, message="200 OK", checked_at=FakeClock()(), version=self.version
        )


@dataclass
class Rig:
    storage: FakeStorage
    clock: FakeClock
    executor: FakeExecutor
    checker: FakeChecker
    activity: ActivityLog
    service: OperationService
    instances: InstanceRegistry
    events: list[Event] = field(default_factory=list)

    async def environment(self, name: str = "shop-prod", **fields: object) -> Environment:
        restart = CommandDetails(enabled=True, command="systemctl restart shop", timeout=60)
        defaults: dict[str, object] = {"commands": CommandConfig(restart=restart)}
        return await self.storage.environments.create(
            Environment(name=name, **(defaults | fields))  # type: ignore[arg-type]
        )

    async def finished(self, op: Operation) -> Operation:
        """Return the operation's record once its task has ended."""
        await self.service.registry.wait(op.id, WAIT)
        assert op.id not in self.service.registry, "the operation did not end"
        return await self.storage.operations.get_by_id(op.id)

    async def entries(self, action: str) -> list[LogEntry]:
        """Return the activity log's entries of this action, oldest first."""
        await self.activity.flush()
        entries, _ = await self.storage.logs.list(LogListOptions(action=action, limit=200))
        return list(reversed(entries))

    async def claim_of(self, environment_id: str) -> ActiveOperation | None:
        return (await self.storage.environments.get_by_id(environment_id)).active_operation

    async def published(self) -> list[Event]:
        await self.bus.drain()
        return self.events

    @property
    def bus(self) -> EventBus:
        return self.service._bus

    @property
    def instance_id(self) -> str:
        return self.instances.instance_id

    async def close(self) -> None:
        if self.executor.gate is not None:
            self.executor.gate.set()
        await self.service.close()
        await self.activity.close()
        await self.bus.close()


async def make_rig(
    storage: FakeStorage,
    clock: FakeClock,
    cluster: ClusterSettings | None = None,
    *,
    alone: bool = False,
) -> Rig:
    """Build one instance's operation service on storage, registered (one heartbeat); alone:
    outside cluster mode (SQLite, a MongoDB without a replica set)."""
    cluster = cluster or ClusterSettings(instance_ttl=TTL)
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=HOUR, clock=clock)
    activity.start()
    executor = FakeExecutor()
    checker = FakeChecker()
    instances = InstanceRegistry(
        storage.instances,
        this_process("memory", clock()),
        clock,
        heartbeat_interval=cluster.heartbeat_interval,
        instance_ttl=cluster.instance_ttl,
    )
    await instances.run_once()
    service = OperationService(
        storage,
        bus,
        activity,
        Executors([executor]),
        Verifier(checker, poll_interval=0),  # type: ignore[arg-type]
        # No environment here has a version list: nothing is ever fetched.
        VersionLists(storage.environments, None, SecretBox(bytes(32))),  # type: ignore[arg-type]
        clock,
        output_flush_interval=0,
        instances=instances,
        cluster=cluster,
        clustered=lambda: not alone,
    )
    rig = Rig(storage, clock, executor, checker, activity, service, instances)

    async def collect(event: Event) -> None:
        rig.events.append(event)

    topics = {t.topic for t in (OperationUpdated, OperationOutput, OperationCancelRequested)}
    bus.subscribe("spec", collect, topics | {EnvironmentChanged.topic})
    return rig


@pytest_asyncio.fixture
async def rig() -> AsyncIterator[Rig]:
    clock = FakeClock()
    built = await make_rig(FakeStorage(clock), clock)
    yield built
    await built.close()


@pytest_asyncio.fixture
async def other_rig(rig: Rig) -> AsyncIterator[Rig]:
    """A second instance on the same storage and clock."""
    built = await make_rig(rig.storage, rig.clock)
    yield built
    await built.close()


class TestRefusals:
    async def test_rejects_a_viewer(self, rig: Rig) -> None:
        env = await rig.environment()

        with pytest.raises(Forbidden, match="viewers cannot run operations"):
            await rig.service.restart_environment(VIEWER, env.id)

    async def test_rejects_a_non_admin_on_a_protected_environment(self, rig: Rig) -> None:
        env = await rig.environment(protected=True)

        with pytest.raises(Forbidden, match="protected"):
            await rig.service.restart_environment(OLIVE, env.id)
        op = await rig.service.restart_environment(ADMIN, env.id)
        assert (await rig.finished(op)).status is SUCCEEDED

    async def test_an_unknown_environment_is_not_found(self, rig: Rig) -> None:
        with pytest.raises(EnvironmentNotFound):
            await rig.service.restart_environment(OLIVE, new_id())

    async def test_rejects_a_restart_that_is_not_configured_and_enabled(self, rig: Rig) -> None:
        env = await rig.environment(commands=CommandConfig())

        with pytest.raises(ValidationFailed) as refused:
            await rig.service.restart_environment(OLIVE, env.id)

        assert refused.value.details == {"field": "commands.restart.enabled"}
        assert "shop-prod has no restart command" in refused.value.message
        assert await rig.claim_of(env.id) is None
        assert await rig.service.list_environment_operations(env.id, _page()) == ([], 0)

    async def test_rejects_an_upgrade_that_is_not_configured_and_enabled(self, rig: Rig) -> None:
        env = await rig.environment()

        with pytest.raises(ValidationFailed) as refused:
            await rig.service.upgrade_environment(OLIVE, env.id, "2.0")

        assert refused.value.details == {"field": "upgradeConfig.enabled"}

    async def test_rejects_a_version_that_could_reach_the_shell(self, rig: Rig) -> None:
        env = await rig.environment(upgrade_config=_upgrade())

        with pytest.raises(ValidationFailed, match="invalid version"):
            await rig.service.upgrade_environment(OLIVE, env.id, "2.0; reboot")

        assert rig.executor.runs == []
        assert await rig.claim_of(env.id) is None

    async def test_rejects_a_command_its_executor_cannot_prepare_before_claiming(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        rig.executor.refusal = "the SSH credential is missing"

        with pytest.raises(ValidationFailed, match="the SSH credential is missing"):
            await rig.service.restart_environment(OLIVE, env.id)

        assert await rig.claim_of(env.id) is None
        assert await rig.service.list_operations(_page()) == ([], 0)

    async def test_rejects_new_operations_once_shutting_down(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.service.begin_shutdown()

        with pytest.raises(ShuttingDown) as refused:
            await rig.service.restart_environment(OLIVE, env.id)

        assert refused.value.status == 503
        assert refused.value.headers == {"Retry-After": "5"}


class TestOneAtATime:
    async def test_rejects_a_second_operation_on_a_busy_environment_with_409(
        self, rig: Rig
    ) -> None:
        env = await rig.environment(upgrade_config=_upgrade())
        rig.executor.gate = _closed_gate()
        first = await rig.service.restart_environment(OLIVE, env.id)

        with pytest.raises(Conflict) as refused:
            await rig.service.upgrade_environment(OSCAR, env.id, "2.0")

        assert refused.value.status == 409
        assert refused.value.details == {"operationId": first.id, "type": "restart"}
        assert "shop-prod already has a restart running" in refused.value.message

    async def test_of_two_simultaneous_requests_exactly_one_starts(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.executor.gate = _closed_gate()

        results = await asyncio.gather(
            rig.service.restart_environment(OLIVE, env.id),
            rig.service.restart_environment(OSCAR, env.id),
            return_exceptions=True,
        )

        started = [r for r in results if isinstance(r, Operation)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert (len(started), len(refused)) == (1, 1)
        assert (await rig.claim_of(env.id)).id == started[0].id  # type: ignore[union-attr]

    async def test_the_environment_is_free_again_once_its_operation_ended(self, rig: Rig) -> None:
        env = await rig.environment()
        first = await rig.service.restart_environment(OLIVE, env.id)
        await rig.finished(first)

        second = await rig.service.restart_environment(OSCAR, env.id)

        assert (await rig.finished(second)).status is SUCCEEDED

    async def test_other_environments_run_at_the_same_time(self, rig: Rig) -> None:
        shop, blog = await rig.environment("shop-prod"), await rig.environment("blog-prod")
        rig.executor.gate = _closed_gate()

        ops = [
            await rig.service.restart_environment(OLIVE, shop.id),
            await rig.service.restart_environment(OLIVE, blog.id),
        ]
        await rig.executor.started.reaches(2)
        rig.executor.gate.set()

        assert [(await rig.finished(op)).status for op in ops] == [SUCCEEDED, SUCCEEDED]

    async def test_a_claim_left_by_a_finished_operation_does_not_block(self, rig: Rig) -> None:
        env = await rig.environment()
        old = await rig.storage.operations.create(
            Operation(
                environment_id=env.id,
                environment_name=env.name,
                type=OperationType.RESTART,
                status=OperationStatus.FAILED,
            )
        )
        stale = ActiveOperation(id=old.id, type=OperationType.RESTART, started_at=rig.clock())
        await rig.storage.environments.set_active_operation(env.id, stale)

        op = await rig.service.restart_environment(OLIVE, env.id)

        assert (await rig.finished(op)).status is SUCCEEDED

    async def test_a_claim_whose_record_is_still_being_created_blocks_for_a_minute(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        starting = ActiveOperation(id=new_id(), type=OperationType.UPGRADE, started_at=rig.clock())
        await rig.storage.environments.set_active_operation(env.id, starting)

        with pytest.raises(Conflict):
            await rig.service.restart_environment(OLIVE, env.id)
        rig.clock.advance(seconds=61)
        op = await rig.service.restart_environment(OLIVE, env.id)
        assert (await rig.finished(op)).status is SUCCEEDED


class TestARun:
    async def test_it_answers_with_the_pending_record_and_claims_the_environment(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        rig.executor.gate = _closed_gate()

        op = await rig.service.restart_environment(OLIVE, env.id, force=True)

        assert (op.status, op.type, op.environment_name) == (
            OperationStatus.PENDING,
            OperationType.RESTART,
            "shop-prod",
        )
        assert (op.requested_by.user_id, op.requested_by.username) == (OLIVE.user_id, "olive")
        assert op.params.force
        claim = await rig.claim_of(env.id)
        assert claim is not None
        assert (claim.id, claim.type, claim.started_at) == (op.id, op.type, rig.clock())

    async def test_a_successful_restart_is_recorded_and_releases_the_environment(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        op = await rig.service.restart_environment(OLIVE, env.id)

        done = await rig.finished(op)

        assert (done.status, done.exit_code, done.error) == (SUCCEEDED, 0, None)
        assert done.started_at == done.finished_at == rig.clock()
        assert done.duration_ms == 0
        assert done.output.startswith("restarting\ndone\n")
        assert "[envdeck] no health check to verify" in done.output
        assert done.verification is not None
        assert done.verification.verified
        assert rig.executor.runs[0].script == "systemctl restart shop"
        assert rig.executor.runs[0].timeout == 60
        stored = await rig.storage.environments.get_by_id(env.id)
        assert stored.active_operation is None
        assert stored.timestamps.last_restart_at == rig.clock()

    async def test_a_run_is_logged_when_started_and_when_it_ended(self, rig: Rig) -> None:
        env = await rig.environment()
        op = await rig.service.restart_environment(OLIVE, env.id)

        await rig.finished(op)

        entries = await rig.entries("restart")
        assert [(e.message, e.level) for e in entries] == [
            ("olive started a restart of shop-prod", LogLevel.INFO),
            ("Restart of shop-prod succeeded after 0.0 s", LogLevel.SUCCESS),
        ]
        assert entries[1].details["operationId"] == op.id
        assert (entries[1].user_id, entries[1].environment_id) == (OLIVE.user_id, env.id)

    async def test_every_step_and_every_line_of_output_is_published(self, rig: Rig) -> None:
        env = await rig.environment()
        op = await rig.service.restart_environment(OLIVE, env.id)
        await rig.finished(op)

        events = await rig.published()

        updates = [e.operation for e in events if isinstance(e, OperationUpdated)]
        assert [u.id for u in updates] == [op.id] * 3
        # Each update is a copy as of its step, however late a subscriber reads it.
        assert [u.status for u in updates] == [PENDING, OperationStatus.RUNNING, SUCCEEDED]
        chunks = [(e.seq, e.chunk) for e in events if isinstance(e, OperationOutput)]
        assert chunks[:2] == [(1, "restarting\n"), (2, "done\n")]
        assert [seq for seq, _ in chunks] == list(range(1, len(chunks) + 1))

    async def test_an_upgrade_hands_the_version_to_the_command_and_records_it(
        self, rig: Rig
    ) -> None:
        check = HealthCheckConfig(
            enabled=True,
            endpoint="https://shop.example.com/health",  # type: ignore[arg-type]
            version_json_path="$.version",
        )
        env = await rig.environment(
            upgrade_config=_upgrade(),
            health_check=check,
            system_info=SystemInfo(app_version="1.9"),
        )
        rig.checker.version = "2.0~rc1"

        op = await rig.service.upgrade_environment(OLIVE, env.id, "2.0~rc1")
        done = await rig.finished(op)

        assert rig.executor.runs[0].script == "deploy '2.0~rc1'"  # one word to the shell
        assert (done.status, done.params.version, done.params.previous_version) == (
            SUCCEEDED,
            "2.0~rc1",
            "1.9",
        )
        assert done.verification is not None
        assert done.verification.message == "healthy on version 2.0~rc1 after 1 check"
        stored = await rig.storage.environments.get_by_id(env.id)
        assert (stored.system_info.app_version, stored.system_info.version_unverified) == (
            "2.0~rc1",
            False,
        )
        assert stored.timestamps.last_upgrade_at == rig.clock()


class TestAFailedRun:
    async def test_a_failed_command_is_recorded_and_logged_as_an_error(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.executor.result = RunResult(
            outcome=RunOutcome.FAILED,
            exit_code=3,
            error=OperationError(code=RunErrorCode.EXIT_STATUS, message="exit status 3"),
        )

        op = await rig.service.restart_environment(OLIVE, env.id)
        done = await rig.finished(op)

        assert (done.status, done.exit_code) == (OperationStatus.FAILED, 3)
        assert done.error == OperationError(code="EXIT_STATUS", message="exit status 3")
        assert done.verification is None  # nothing to verify after a failed command
        finished = (await rig.entries("restart"))[-1]
        assert finished.level is LogLevel.ERROR
        assert finished.message == "Restart of shop-prod failed after 0.0 s: exit status 3"
        stored = await rig.storage.environments.get_by_id(env.id)
        assert stored.active_operation is None
        assert stored.timestamps.last_restart_at is None

    async def test_a_command_that_timed_out_is_an_error_too(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.executor.result = RunResult(
            outcome=RunOutcome.TIMED_OUT,
            error=OperationError(code=RunErrorCode.TIMED_OUT, message="timed out after 60 s"),
        )

        done = await rig.finished(await rig.service.restart_environment(OLIVE, env.id))

        assert done.status is OperationStatus.TIMED_OUT
        finished = (await rig.entries("restart"))[-1]
        assert (finished.level, finished.message) == (
            LogLevel.ERROR,
            "Restart of shop-prod timed out after 0.0 s: timed out after 60 s",
        )


class TestCancelling:
    async def test_the_requester_cancels_a_running_operation(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.executor.gate = _closed_gate()
        op = await rig.service.restart_environment(OLIVE, env.id)
        await rig.executor.started.reaches(1)

        answer = await rig.service.cancel_operation(OLIVE, op.id)
        cancelled = await rig.finished(op)

        # Answered at once with the record as it was; the outcome follows.
        assert answer.status is OperationStatus.RUNNING
        assert cancelled.status is OperationStatus.CANCELLED
        assert cancelled.error is not None
        assert cancelled.error.message == "cancelled by olive"
        assert await rig.claim_of(env.id) is None
        finished = (await rig.entries("restart"))[-1]
        assert finished.level is LogLevel.WARNING
        assert finished.message.startswith("Restart of shop-prod was cancelled")

    async def test_an_admin_may_cancel_anyone_s_operation_another_user_may_not(
        self, rig: Rig
    ) -> None:
        env = await rig.environment()
        rig.executor.gate = _closed_gate()
        op = await rig.service.restart_environment(OLIVE, env.id)

        with pytest.raises(Forbidden, match="only the requester or an admin"):
            await rig.service.cancel_operation(OSCAR, op.id)
        await rig.service.cancel_operation(ADMIN, op.id)
        cancelled = await rig.finished(op)

        assert cancelled.status is OperationStatus.CANCELLED
        assert cancelled.error is not None
        assert cancelled.error.message.endswith("by ada")

    async def test_rejects_cancelling_a_finished_operation_with_409(self, rig: Rig) -> None:
        env = await rig.environment()
        op = await rig.finished(await rig.service.restart_environment(OLIVE, env.id))

        with pytest.raises(Conflict) as refused:
            await rig.service.cancel_operation(OLIVE, op.id)

        assert refused.value.details == {"operationId": op.id, "status": "succeeded"}

    async def test_an_operation_left_running_by_a_crash_is_closed_when_cancelled(
        self, rig: Rig
    ) -> None:
        env, orphan = await _orphan(rig)

        cancelled = await rig.service.cancel_operation(OLIVE, orphan.id)

        assert cancelled.status is OperationStatus.CANCELLED
        assert cancelled.error == OperationError(code="CANCELLED", message="cancelled by olive")
        assert await rig.claim_of(env.id) is None


class TestStartUp:
    async def test_operations_left_running_are_marked_interrupted_and_release_their_claims(
        self, rig: Rig
    ) -> None:
        env, orphan = await _orphan(rig)

        assert await rig.service.recover_interrupted() == 1

        stored = await rig.storage.operations.get_by_id(orphan.id)
        assert stored.status is OperationStatus.INTERRUPTED
        assert await rig.claim_of(env.id) is None
        finished = (await rig.entries("restart"))[-1]
        assert (finished.level, finished.message) == (
            LogLevel.ERROR,
            "Restart of shop-prod was interrupted: the server stopped while this operation ran",
        )

    async def test_operations_of_a_live_instance_are_left_to_it(self, rig: Rig) -> None:
        other = await _register(rig)
        env, running = await _orphan(rig, owner=other.id)

        assert await rig.service.recover_interrupted() == 0

        assert (await rig.storage.operations.get_by_id(running.id)).status is RUNNING
        claim = await rig.claim_of(env.id)
        assert claim is not None
        assert claim.id == running.id

    async def test_operations_of_an_instance_that_stopped_answering_are_interrupted(
        self, rig: Rig
    ) -> None:
        other = await _register(rig, host="web-2", pid=41)
        env, orphan = await _orphan(rig, owner=other.id)
        await _silence(rig)

        assert await rig.service.recover_interrupted() == 1

        stored = await rig.storage.operations.get_by_id(orphan.id)
        assert stored.status is OperationStatus.INTERRUPTED
        assert stored.error == OperationError(
            code="INTERRUPTED",
            message="instance web-2 (pid 41) stopped answering while this operation ran",
        )
        assert await rig.claim_of(env.id) is None
        finished = (await rig.entries("restart"))[-1]
        assert finished.message == (
            "Restart of shop-prod was interrupted:"
            " instance web-2 (pid 41) stopped answering while this operation ran"
        )
        assert finished.details["ownerInstance"] == other.id

    async def test_operations_of_an_instance_that_stopped_are_interrupted(self, rig: Rig) -> None:
        other = await _register(rig, host="web-3", pid=7)
        await rig.storage.instances.mark_stopped(other.id, rig.clock())
        _, orphan = await _orphan(rig, owner=other.id)

        assert await rig.service.recover_interrupted() == 1

        stored = await rig.storage.operations.get_by_id(orphan.id)
        assert stored.error is not None
        assert stored.error.message == "instance web-3 (pid 7) stopped while this operation ran"

    async def test_an_owner_no_longer_listed_is_gone_once_its_operation_is_older_than_the_ttl(
        self, rig: Rig
    ) -> None:
        # Not listed: purged long ago, or so new that its first heartbeat is not readable yet.
        owner = new_id()
        _, orphan = await _orphan(rig, owner=owner)

        assert await rig.service.recover_interrupted() == 0
        await _silence(rig)
        assert await rig.service.recover_interrupted() == 1

        stored = await rig.storage.operations.get_by_id(orphan.id)
        assert stored.error is not None
        assert stored.error.message == (
            f"instance {owner} stopped answering while this operation ran"
        )

    async def test_operations_running_here_are_never_interrupted(self, rig: Rig) -> None:
        env = await rig.environment()
        rig.executor.gate = _closed_gate()
        op = await rig.service.restart_environment(OLIVE, env.id)
        await _silence(rig)

        assert await rig.service.recover_interrupted() == 0

        rig.executor.gate.set()
        assert (await rig.finished(op)).status is SUCCEEDED


class TestInstances:
    async def test_a_new_operation_records_the_instance_that_runs_it(self, rig: Rig) -> None:
        env = await rig.environment()

        op = await rig.service.restart_environment(OLIVE, env.id)
        done = await rig.finished(op)

        assert op.owner_instance == done.owner_instance == rig.instance_id
        started = (await rig.entries("restart"))[0]
        assert started.details["ownerInstance"] == rig.instance_id

    async def test_a_survivor_interrupts_what_a_silent_instance_ran_and_announces_it(
        self, rig: Rig, other_rig: Rig
    ) -> None:
        env, orphan = await _orphan(rig, owner=other_rig.instance_id)
        await _silence(rig)  # other_rig's heartbeats stop: it is lost

        assert await rig.service.recover_interrupted() == 1

        stored = await rig.storage.operations.get_by_id(orphan.id)
        assert stored.status is OperationStatus.INTERRUPTED
        assert stored.error is not None
        assert "stopped answering while this operation ran" in stored.error.message
        events = await rig.published()
        updates = [e.operation for e in events if isinstance(e, OperationUpdated)]
        assert [(u.id, u.status) for u in updates] == [(orphan.id, OperationStatus.INTERRUPTED)]
        changed = [e.environment for e in events if isinstance(e, EnvironmentChanged)]
        assert [(c.id, c.active_operation) for c in changed] == [(env.id, None)]
        assert await rig.claim_of(env.id) is None

    async def test_of_two_survivors_sweeping_at_once_one_interrupts_and_logs_it(
        self, rig: Rig, other_rig: Rig
    ) -> None:
        gone = await _register(rig)
        await _orphan(rig, owner=gone.id)
        await _silence(rig)
        await other_rig.instances.run_once()

        counts = await asyncio.gather(
            rig.service.recover_interrupted(), other_rig.service.recover_interrupted()
        )

        assert sorted(counts) == [0, 1]
        await other_rig.activity.flush()
        finished = [e for e in await rig.entries("restart") if e.details["event"] != "initiated"]
        assert [e.details["event"] for e in finished] == ["interrupted"]
        published = [*await rig.published(), *await other_rig.published()]
        assert len([e for e in published if isinstance(e, OperationUpdated)]) == 1

    async def test_the_sweep_finds_orphans_on_its_own_once_started(self) -> None:
        clock = FakeClock()
        cluster = ClusterSettings(heartbeat_interval=timedelta(milliseconds=100), instance_ttl=TTL)
        rig = await make_rig(FakeStorage(clock), clock, cluster)
        try:
            interrupted = asyncio.Event()

            async def watch(event: Event) -> None:
                if isinstance(event, OperationUpdated):
                    interrupted.set()

            rig.bus.subscribe("watch", watch, {OperationUpdated.topic})
            _, orphan = await _orphan(rig)  # left by a version before instance ids
            rig.service.start()

            async with asyncio.timeout(WAIT):
                await interrupted.wait()
            stored = await rig.storage.operations.get_by_id(orphan.id)
            assert stored.status is OperationStatus.INTERRUPTED
        finally:
            await rig.close()

    async def test_a_second_operation_is_refused_while_another_instance_runs_one(
        self, rig: Rig, other_rig: Rig
    ) -> None:
        env = await rig.environment()
        other_rig.executor.gate = _closed_gate()
        running = await other_rig.service.restart_environment(OLIVE, env.id)

        with pytest.raises(Conflict) as refused:
            await rig.service.restart_environment(OSCAR, env.id)

        assert refused.value.details == {"operationId": running.id, "type": "restart"}


class TestAlone:
    """Outside cluster mode one process holds the store: whoever else is listed is gone."""

    async def test_what_a_predecessor_killed_a_moment_ago_left_is_interrupted_at_start(
        self,
    ) -> None:
        clock = FakeClock()
        rig = await make_rig(FakeStorage(clock), clock, alone=True)
        try:
            killed = await _register(rig, host="web-1", pid=40)  # still listed live
            env, orphan = await _orphan(rig, owner=killed.id)

            assert await rig.service.recover_interrupted() == 1

            stored = await rig.storage.operations.get_by_id(orphan.id)
            assert stored.status is OperationStatus.INTERRUPTED
            assert stored.error is not None
            assert (
                stored.error.message == "instance web-1 (pid 40) stopped while this operation ran"
            )
            assert await rig.claim_of(env.id) is None
        finally:
            await rig.close()

    async def test_a_cancel_closes_what_a_listed_live_instance_left(self) -> None:
        clock = FakeClock()
        rig = await make_rig(FakeStorage(clock), clock, alone=True)
        try:
            other = await _register(rig)
            env, orphan = await _orphan(rig, owner=other.id)

            cancelled = await rig.service.cancel_operation(OLIVE, orphan.id)

            assert cancelled.status is OperationStatus.CANCELLED
            assert _cancel_requests(await rig.published()) == []
            assert await rig.claim_of(env.id) is None
        finally:
            await rig.close()


class TestCancellingAcrossInstances:
    async def test_a_cancel_for_what_another_live_instance_runs_is_sent_to_it(
        self, rig: Rig, other_rig: Rig
    ) -> None:
        env = await rig.environment()
        other_rig.executor.gate = _closed_gate()
        op = await other_rig.service.restart_environment(OLIVE, env.id)
        await other_rig.executor.started.reaches(1)

        answer = await rig.service.cancel_operation(OLIVE, op.id)

        assert answer.status is RUNNING  # answered at once; the owner records the outcome
        assert (await rig.storage.operations.get_by_id(op.id)).status is RUNNING
        (request,) = _cancel_requests(await rig.published())
        assert (request.operation_id, request.requested_by) == (op.id, "olive")
        asked = (await rig.entries("restart"))[-1]
        assert asked.details["event"] == "cancel_requested"
        assert asked.message.startswith("olive asked to cancel the restart of shop-prod, which")
        assert asked.level is LogLevel.INFO

    async def test_the_instance_running_it_cancels_on_a_relayed_request(
        self, rig: Rig, other_rig: Rig
    ) -> None:
        env = await rig.environment()
        other_rig.executor.gate = _closed_gate()
        other_rig.service.start()
        op = await other_rig.service.restart_environment(OLIVE, env.id)
        await other_rig.executor.started.reaches(1)

        # What the event relay does: the request published on rig, relayed to other_rig.
        relayed = OperationCancelRequested(
            operation_id=op.id, requested_by="ada", origin=rig.instance_id
        )
        other_rig.bus.publish(relayed)
        cancelled = await other_rig.finished(op)

        assert cancelled.status is OperationStatus.CANCELLED
        assert cancelled.error is not None
        assert cancelled.error.message == "cancelled by ada"
        assert await rig.claim_of(env.id) is None

    async def test_a_relayed_request_for_an_operation_not_running_here_changes_nothing(
        self, rig: Rig
    ) -> None:
        _, orphan = await _orphan(rig, owner=new_id())
        rig.service.start()

        rig.bus.publish(OperationCancelRequested(operation_id=orphan.id, requested_by="ada"))
        await rig.bus.drain()

        assert (await rig.storage.operations.get_by_id(orphan.id)).status is RUNNING

    async def test_a_cancel_for_what_a_silent_instance_ran_closes_it_here(self, rig: Rig) -> None:
        other = await _register(rig)
        env, orphan = await _orphan(rig, owner=other.id)
        await _silence(rig)

        cancelled = await rig.service.cancel_operation(OLIVE, orphan.id)

        assert cancelled.status is OperationStatus.CANCELLED
        assert cancelled.error == OperationError(code="CANCELLED", message="cancelled by olive")
        assert await rig.claim_of(env.id) is None
        assert _cancel_requests(await rig.published()) == []
        with pytest.raises(Conflict):
            await rig.service.cancel_operation(OLIVE, orphan.id)


# ---- helpers ---------------------------------------------------------------------------------


def _page() -> OperationListOptions:
    return OperationListOptions()


def _upgrade() -> UpgradeConfig:
    return UpgradeConfig(enabled=True, upgrade_command=UpgradeCommand(command="deploy {VERSION}"))


def _closed_gate() -> asyncio.Event:
    return asyncio.Event()


async def _orphan(
    rig: Rig, owner: str | None = None, name: str = "shop-prod"
) -> tuple[Environment, Operation]:
    """An environment claimed by a running operation that no task of this process runs,
    recorded as run by owner (None: by a version before instance ids)."""
    env = await rig.environment(name)
    orphan = await rig.storage.operations.create(
        Operation(
            id=new_id(),
            environment_id=env.id,
            environment_name=env.name,
            type=OperationType.RESTART,
            status=OperationStatus.RUNNING,
            started_at=rig.clock() - timedelta(minutes=5),
            requested_by={"userId": OLIVE.user_id, "username": "olive"},  # type: ignore[arg-type]
            owner_instance=owner,
        )
    )
    claim = ActiveOperation(id=orphan.id, type=orphan.type, started_at=rig.clock())
    await rig.storage.environments.set_active_operation(env.id, claim)
    return env, orphan


async def _register(rig: Rig, host: str = "web-2", pid: int = 41) -> Instance:
    """Another instance, live as of now: it stops answering once the clock passes TTL."""
    other = Instance(
        id=new_id(),
        host=host,
        pid=pid,
        version="1.0.0",
        backend="memory",
        started_at=rig.clock(),
        last_seen=rig.clock(),
    )
    await rig.storage.instances.upsert_heartbeat(other)
    return other


async def _silence(rig: Rig) -> None:
    """Let the TTL pass: instances that wrote no heartbeat meanwhile are lost; rig's is kept."""
    rig.clock.advance(seconds=TTL.total_seconds() + 1)
    await rig.instances.run_once()


def _cancel_requests(events: list[Event]) -> list[OperationCancelRequested]:
    return [e for e in events if isinstance(e, OperationCancelRequested)]

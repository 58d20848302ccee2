"""The operation service: what it refuses before 202, one operation per environment at a time,
how a run is recorded (success, failure, cancel), and start-up and shutdown.

Built on the in-memory storage, the real event bus and activity log, a FakeClock and a
FakeExecutor (tests/fakes/executors.py) that runs nothing: each spec waits for the operation's
own task to end (`finished`), never for time to pass. Running real commands over SSH and HTTP
is tests/integration (test_operations_ssh.py, test_operations_api.py).
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import pytest_asyncio

from envdeck.adapters.events import Event, EventBus, OperationOutput, OperationUpdated
from envdeck.adapters.secret_box import SecretBox
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
WAIT = 10.0  # a guard only: each operation here ends as soon as its fake command does
SUCCEEDED = OperationStatus.SUCCEEDED
PENDING = OperationStatus.PENDING


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

    async def check(self, config: HealthCheckConfig, scope: SecretScope) -> CheckResult:
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


@pytest_asyncio.fixture
async def rig(storage: FakeStorage) -> AsyncIterator[Rig]:
    clock = FakeClock()
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=HOUR, clock=clock)
    activity.start()
    executor = FakeExecutor()
    checker = FakeChecker()
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
    )
    rig = Rig(storage, clock, executor, checker, activity, service)

    async def collect(event: Event) -> None:
        rig.events.append(event)

    bus.subscribe("spec", collect, {OperationUpdated.topic, OperationOutput.topic})
    yield rig
    if rig.executor.gate is not None:
        rig.executor.gate.set()
    await service.close()
    await activity.close()
    await bus.close()


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


# ---- helpers ---------------------------------------------------------------------------------


def _page() -> OperationListOptions:
    return OperationListOptions()


def _upgrade() -> UpgradeConfig:
    return UpgradeConfig(enabled=True, upgrade_command=UpgradeCommand(command="deploy {VERSION}"))


def _closed_gate() -> asyncio.Event:
    return asyncio.Event()


async def _orphan(rig: Rig) -> tuple[Environment, Operation]:
    """An environment claimed by a running operation that no task of this process runs."""
    env = await rig.environment()
    orphan = await rig.storage.operations.create(
        Operation(
            id=new_id(),
            environment_id=env.id,
            environment_name=env.name,
            type=OperationType.RESTART,
            status=OperationStatus.RUNNING,
            started_at=rig.clock() - timedelta(minutes=5),
            requested_by={"userId": OLIVE.user_id, "username": "olive"},  # type: ignore[arg-type]
        )
    )
    claim = ActiveOperation(id=orphan.id, type=orphan.type, started_at=rig.clock())
    await rig.storage.environments.set_active_operation(env.id, claim)
    return env, orphan

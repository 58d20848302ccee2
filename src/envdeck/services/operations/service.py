"""Restart and upgrade environments: validate, claim, run in the background, verify, record.

A request is checked synchronously (the environment exists; the command is configured and
enabled; the role may run it; nothing else runs on it; the version is acceptable) and the
environment is then claimed with a compare-and-set on `activeOperation`, so of two requests
racing, exactly one starts and the other gets 409 naming the running operation. The work runs
as a task held by the registry (runs.py): the command (through the executor of its kind:
executors/), then, when it succeeded, verification (the health check, and for an upgrade the
reported version), then the final record and, for a failed upgrade configured so, a rollback
that this service starts like any operation. The record moves pending → running → a final
status, each step published as `OperationUpdated`; output chunks are published as
`OperationOutput` and kept as a capped tail. docs/commands.md (Operations) describes the
lifecycle.

With several instances, each operation records the instance that runs it; a cancel that
reaches another instance is relayed to it (`OperationCancelRequested` on the bus, which the
event relay carries), and operations whose instance is gone are closed by the survivors
(orphans.py).
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import structlog

from envdeck.adapters.events import (
    EnvironmentChanged,
    Event,
    EventBus,
    OperationCancelRequested,
    OperationUpdated,
    Subscription,
)
from envdeck.adapters.metrics import Metrics
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.config import ClusterSettings
from envdeck.domain.auth import Principal
from envdeck.domain.command_kinds import CommandType, HttpCommand, SshCommand
from envdeck.domain.environment import ActiveOperation, Environment
from envdeck.domain.errors import (
    Conflict,
    Forbidden,
    ShuttingDown,
    StorageUnavailable,
    ValidationFailed,
)
from envdeck.domain.ids import new_id
from envdeck.domain.operation import (
    FINISHED_STATUSES,
    Operation,
    OperationError,
    OperationListOptions,
    OperationParams,
    OperationStatus,
    OperationType,
    RequestedBy,
)
from envdeck.domain.user import Role
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.environments import masked
from envdeck.services.operations.claims import EnvironmentClaims
from envdeck.services.operations.executors import Executors
from envdeck.services.operations.orphans import InstanceDirectory, OrphanedOperations
from envdeck.services.operations.records import record_cancel_requested, record_initiated
from envdeck.services.operations.registry import OperationRegistry
from envdeck.services.operations.runs import OperationRun, OperationRuns, Plan
from envdeck.services.operations.templates import validate_version
from envdeck.services.operations.verification import Verifier
from envdeck.services.operations.version_lists import VersionLists
from envdeck.services.reservations.gate import ReservationGate

log = structlog.get_logger(__name__)


class OperationService:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        bus: EventBus,
        activity: ActivityLog,
        executors: Executors,
        verifier: Verifier,
        version_lists: VersionLists,
        clock: Callable[[], datetime],
        *,
        output_flush_interval: float = 1.0,
        shutdown_timeout: float = 30.0,
        metrics: Metrics | None = None,
        instances: InstanceDirectory | None = None,
        cluster: ClusterSettings | None = None,
        clustered: Callable[[], bool] | None = None,
        reservations: ReservationGate | None = None,
    ) -> None:
        """`instances` tells this instance's id and who else runs; `clustered` whether other
        instances may share storage now (cluster mode; None: always). Without either, this
        process is alone: every operation that no task of its own runs is left over."""
        self._storage = storage
        self._bus = bus
        self._activity = activity
        self._executors = executors
        self._version_lists = version_lists
        self._clock = clock
        self._reservations = reservations
        self._shutdown_timeout = shutdown_timeout
        # Set by begin_shutdown(): the event-loop time by which running operations must end.
        self._stop_deadline: float | None = None
        self.registry = OperationRegistry()
        self._claims = EnvironmentClaims(storage, self.registry, clock)
        self._runs = OperationRuns(
            storage,
            bus,
            activity,
            verifier,
            clock,
            self.registry,
            self._start_rollback,
            output_flush_interval=output_flush_interval,
            metrics=metrics,
        )
        cluster = cluster or ClusterSettings()
        self._orphans = OrphanedOperations(
            storage,
            bus,
            activity,
            clock,
            self.registry,
            instances,
            instance_ttl=cluster.instance_ttl,
            clustered=clustered,
            metrics=metrics,
        )
        self._sweep_interval = cluster.heartbeat_interval.total_seconds()
        self._sweep: asyncio.Task[None] | None = None
        self._cancel_requests: Subscription | None = None

    # ---- starting -------------------------------------------------------------------------

    async def restart_environment(
        self, actor: Principal, environment_id: str, *, force: bool = False
    ) -> Operation:
        """Validate a restart, claim the environment and start it; return the pending record."""
        self._refuse_if_stopping()
        env = await self._storage.environments.get_by_id(environment_id)
        restart = env.commands.restart
        if not restart.enabled:
            raise ValidationFailed(
                f"{env.name} has no restart command configured and enabled",
                {"field": "commands.restart.enabled"},
            )
        command = env.commands.command()
        self._authorize(env, actor, command.type)
        await self._claims.refuse_if_busy(env)
        warnings = await self._reservation_warnings(actor, env, "restart", force)
        plan = await self._plan(env, command, None)
        params = OperationParams(force=force)
        return await self._start(env, actor, OperationType.RESTART, params, plan, warnings=warnings)

    async def _reservation_warnings(
        self, actor: Principal, env: Environment, operation: str, force: bool
    ) -> list[str]:
        """Return what the environment's reservation says of this operation (or raise 409)."""
        if self._reservations is None:
            return []
        return await self._reservations.check(actor, env, operation, force=force)

    async def upgrade_environment(
        self, actor: Principal, environment_id: str, version: str, *, force: bool = False
    ) -> Operation:
        """Validate an upgrade (the version included), claim the environment and start it."""
        self._refuse_if_stopping()
        env = await self._storage.environments.get_by_id(environment_id)
        config = env.upgrade_config
        if not config.enabled:
            raise ValidationFailed(
                f"{env.name} has no upgrade configured and enabled",
                {"field": "upgradeConfig.enabled"},
            )
        self._authorize(env, actor, config.type)
        await self._claims.refuse_if_busy(env)
        warnings = await self._reservation_warnings(actor, env, "upgrade", force)
        listed = None
        if config.version_list_url is not None:
            # An unreachable list is UpstreamError (502): nothing is run on a guess.
            listed = await self._version_lists.fetch(env)
        version = validate_version(version, listed)
        plan = await self._plan(env, config.command(), version)
        params = OperationParams(
            version=version, previous_version=env.system_info.app_version or None, force=force
        )
        return await self._start(env, actor, OperationType.UPGRADE, params, plan, warnings=warnings)

    async def roll_back_environment(
        self, actor: Principal, environment_id: str, version: str
    ) -> Operation:
        """Start a rollback of an environment to `version`, the one it ran before a change
        that is being undone (a failed promotion's): like an upgrade, except that the version
        need not be listed any more (it must still be safe) and no reservation is asked."""
        self._refuse_if_stopping()
        env = await self._storage.environments.get_by_id(environment_id)
        config = env.upgrade_config
        if not config.enabled:
            raise ValidationFailed(
                f"{env.name} has no upgrade configured and enabled",
                {"field": "upgradeConfig.enabled"},
            )
        self._authorize(env, actor, config.type)
        await self._claims.refuse_if_busy(env)
        version = validate_version(version, None)
        plan = await self._plan(env, config.command(), version)
        params = OperationParams(
            version=version, previous_version=env.system_info.app_version or None
        )
        return await self._start(env, actor, OperationType.ROLLBACK, params, plan)

    def _authorize(self, env: Environment, actor: Principal, kind: CommandType) -> None:
        if actor.role is Role.VIEWER:
            raise Forbidden("viewers cannot run operations")
        if env.protected and actor.role is not Role.ADMIN:
            raise Forbidden(
                f"{env.name} is protected: only admins may operate it", {"protected": True}
            )
        self._executors.get(kind).authorize(env, actor)

    async def _plan(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> Plan:
        """Render the command now, so a command that cannot run is refused before 202."""
        prepared = await self._executors.get(command.type).prepare(env, command, version)
        return Plan(
            kind=command.type,
            timeout=float(command.timeout),
            verify_timeout=float(env.upgrade_config.verify_timeout),
            prepared=prepared,
            version=version,
        )

    def _refuse_if_stopping(self) -> None:
        if self._stop_deadline is not None:
            raise ShuttingDown()

    async def _start(
        self,
        env: Environment,
        actor: Principal | None,
        op_type: OperationType,
        params: OperationParams,
        plan: Plan,
        *,
        rollback_of: str | None = None,
        requested_by: RequestedBy | None = None,
        warnings: list[str] | None = None,
    ) -> Operation:
        # Checked again here: a rollback is started from a finishing operation, not a request.
        self._refuse_if_stopping()
        now = self._clock()
        active = ActiveOperation(id=new_id(), type=op_type, started_at=now, version=params.version)
        if rollback_of is None:
            await self._claims.claim(env, active)
        elif not await self._storage.environments.set_active_operation(
            env.id, active, expected=rollback_of
        ):
            raise Conflict(f"{env.name} changed hands before its rollback could start")
        try:
            op = await self._storage.operations.create(
                Operation(
                    id=active.id,
                    environment_id=env.id,
                    environment_name=env.name,
                    type=op_type,
                    status=OperationStatus.PENDING,
                    params=params,
                    requested_by=requested_by
                    or RequestedBy(
                        user_id=actor.user_id if actor else None,
                        username=actor.username if actor else "",
                    ),
                    rollback_of=rollback_of,
                    owner_instance=self._orphans.instance_id,
                    warnings=warnings or [],
                )
            )
            record_initiated(self._activity, op)
        except BaseException:
            await self._storage.environments.clear_active_operation(env.id, active.id)
            raise
        env.active_operation = active
        self._bus.publish(OperationUpdated(operation=op.model_copy()))
        self._bus.publish(EnvironmentChanged(action="updated", environment=masked(env)))
        log.info(
            "operation_started",
            operation_id=op.id,
            environment_id=env.id,
            type=op_type.value,
            transport=plan.kind.value,
        )
        run = OperationRun(op=op, env=env, plan=plan, actor=actor, cancel=asyncio.Event())
        self._runs.launch(run)
        return op

    async def _start_rollback(self, run: OperationRun, previous: str) -> Operation:
        """Start the rollback of a finishing upgrade to previous, taking its claim over."""
        op, env = run.op, run.env
        # The previous version need not be listed any more; it must still be safe.
        validate_version(previous, None)
        plan = await self._plan(env, env.upgrade_config.command(), previous)
        params = OperationParams(version=previous, previous_version=op.params.version)
        return await self._start(
            env,
            run.actor,
            OperationType.ROLLBACK,
            params,
            plan,
            rollback_of=op.id,
            requested_by=op.requested_by,
        )

    # ---- reading, cancelling ---------------------------------------------------------------

    async def list_operations(self, options: OperationListOptions) -> tuple[list[Operation], int]:
        """Return one page of operations, newest first, and the total."""
        return await self._storage.operations.list(options)

    async def list_environment_operations(
        self, environment_id: str, options: OperationListOptions
    ) -> tuple[list[Operation], int]:
        """Return one page of an environment's operations (EnvironmentNotFound if none)."""
        await self._storage.environments.get_by_id(environment_id)
        scoped = options.model_copy(update={"environment_id": environment_id})
        return await self._storage.operations.list(scoped)

    async def get_operation(self, operation_id: str) -> Operation:
        """Return the operation with this id; one running here with its output up to now (the
        stored tail is rewritten at most every outputFlushInterval)."""
        op = await self._storage.operations.get_by_id(operation_id)
        return self._runs.with_live_output(op)

    async def cancel_operation(self, actor: Principal, operation_id: str) -> Operation:
        """Ask a pending or running operation (its requester's or, for an admin, anyone's) to
        stop and return its record at once; the outcome follows as operation updates
        (`cancelled` once the remote side is confirmed stopped). Conflict when it finished."""
        op = await self._storage.operations.get_by_id(operation_id)
        if actor.role is not Role.ADMIN and op.requested_by.user_id != actor.user_id:
            raise Forbidden("only the requester or an admin may cancel an operation")
        if op.status in FINISHED_STATUSES:
            raise Conflict(
                f"operation {op.id} already {op.status.value}",
                {"operationId": op.id, "status": op.status.value},
            )
        if self._runs.request_cancel(operation_id, actor.username):
            log.info("operation_cancel_requested", operation_id=op.id, by=actor.username)
            return op
        runner = (await self._orphans.owners()).other_runner(op)
        if runner is not None:
            # Another live instance runs it: the request travels there (the event relay).
            record_cancel_requested(self._activity, op, actor, runner)
            self._bus.publish(
                OperationCancelRequested(operation_id=op.id, requested_by=actor.username)
            )
            log.info(
                "operation_cancel_relayed",
                operation_id=op.id,
                by=actor.username,
                owner=op.owner_instance,
            )
            return op
        # Run by no live instance (left over by a crash): close the record here.
        error = OperationError(code="CANCELLED", message=f"cancelled by {actor.username}")
        if not await self._orphans.close(op, OperationStatus.CANCELLED, error):
            # It finished meanwhile (its instance got there first).
            done = await self._storage.operations.get_by_id(operation_id)
            raise Conflict(
                f"operation {done.id} already {done.status.value}",
                {"operationId": done.id, "status": done.status.value},
            )
        return op

    async def _on_cancel_requested(self, event: Event) -> None:
        """Cancel an operation running here that someone asked another instance to cancel."""
        if not isinstance(event, OperationCancelRequested):
            return
        if not self._runs.request_cancel(event.operation_id, event.requested_by):
            return  # not ours, or already ending
        log.info(
            "operation_cancel_requested",
            operation_id=event.operation_id,
            by=event.requested_by,
            via=event.origin,
        )

    # ---- lifecycle -------------------------------------------------------------------------

    async def recover_interrupted(self) -> int:
        """Mark `interrupted` the operations left pending/running by instances that are gone
        and return how many: at start-up (this process's predecessors among them), then as
        the sweep's step (start()). Operations of live instances are theirs (orphans.py)."""
        interrupted = await self._orphans.interrupt()
        if interrupted:
            # Stored now (the log's writer may not run yet): a second crash must not lose them.
            with contextlib.suppress(StorageUnavailable):
                await self._activity.flush()
        return len(interrupted)

    def start(self) -> None:
        """Follow cancel requests relayed from other instances, and sweep for operations
        whose instance is gone every `cluster.heartbeatInterval` (after recover_interrupted)."""
        if self._cancel_requests is None:
            self._cancel_requests = self._bus.subscribe(
                "operations-cancel", self._on_cancel_requested, {OperationCancelRequested.topic}
            )
        if self._sweep is None:
            self._sweep = asyncio.create_task(self._sweep_orphans(), name="operation-sweep")

    async def _sweep_orphans(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_interval)
            try:
                await self.recover_interrupted()
            except StorageUnavailable:
                log.warning("operation_sweep_failed", retry_in=self._sweep_interval)
            except Exception:
                log.exception("operation_sweep_error", retry_in=self._sweep_interval)

    def begin_shutdown(self) -> None:
        """Take no new operation from now on (ShuttingDown, 503); running ones have
        `shutdown_timeout` from now to finish (close() waits for them). Idempotent."""
        if self._stop_deadline is None:
            self._stop_deadline = asyncio.get_running_loop().time() + self._shutdown_timeout
            log.info(
                "operations_stopping", running=len(self.registry), timeout_s=self._shutdown_timeout
            )

    async def close(self) -> None:
        """Let running operations finish until the shutdown deadline (begin_shutdown(), or
        `shutdown_timeout` from now), then cancel the rest: they are recorded `interrupted`."""
        self.begin_shutdown()
        assert self._stop_deadline is not None
        await cancel_and_wait(self._sweep)
        self._sweep = None
        remaining = self._stop_deadline - asyncio.get_running_loop().time()
        # Cancel requests relayed from other instances still reach what runs until the end.
        await self.registry.close(max(0.0, remaining))
        if self._cancel_requests is not None:
            await self._bus.unsubscribe(self._cancel_requests)
            self._cancel_requests = None

"""The operations this process runs, each from its task's start to its outcome.

An accepted operation (`OperationRun`: its record, its environment, who asked, its `Plan`,
its cancel flag) is handed to `OperationRuns.launch`, which runs it as a task held by the
registry: the record moves to running, the command runs through the executor of its kind,
and when it succeeded the environment is verified (the health check, and for an upgrade the
reported version). Then it finishes: the final record is saved and published, its activity
entry is stored before the environment is released, and the claim is released, or, for an
upgrade whose verification failed and that is configured to roll back, handed to a linked
rollback (started by the service, `start_rollback`). A shutdown cancels the task: the record
says `interrupted`. A cancel (`request_cancel`) sets the run's flag and names who asked.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from envdeck.adapters.events import EnvironmentChanged, EventBus, OperationUpdated
from envdeck.adapters.metrics import Metrics
from envdeck.domain.auth import Principal
from envdeck.domain.command_kinds import CommandType
from envdeck.domain.commands import RunResult
from envdeck.domain.environment import Environment
from envdeck.domain.errors import EnvdeckError
from envdeck.domain.operation import (
    FINISHED_STATUSES,
    Operation,
    OperationError,
    OperationStatus,
    OperationType,
)
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.environments import masked
from envdeck.services.operations.executors import PreparedCommand, RunContext
from envdeck.services.operations.records import (
    OperationOutputLog,
    apply_result,
    count_finished,
    flush_into,
    record_finished,
    touch_timestamp,
)
from envdeck.services.operations.registry import OperationRegistry
from envdeck.services.operations.verification import (
    VERIFICATION_FAILED,
    Verifier,
    record_version,
    verify_operation,
)

log = structlog.get_logger(__name__)

INTERRUPTED = "INTERRUPTED"
INTERNAL_ERROR = "INTERNAL_ERROR"


@dataclass
class Plan:
    """What one operation will run, prepared (and so validated) before it is accepted."""

    kind: CommandType
    timeout: float
    verify_timeout: float
    prepared: PreparedCommand
    version: str | None = None


@dataclass
class OperationRun:
    """One operation in flight: its record, its environment, who asked, its plan."""

    op: Operation
    env: Environment
    plan: Plan
    actor: Principal | None
    cancel: asyncio.Event
    output: OperationOutputLog | None = None
    cancelled_by: str | None = None


# Start the rollback of a finishing run to a version, taking its claim over (the service).
StartRollback = Callable[[OperationRun, str], Awaitable[Operation]]


class OperationRuns:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        bus: EventBus,
        activity: ActivityLog,
        verifier: Verifier,
        clock: Callable[[], datetime],
        registry: OperationRegistry,
        start_rollback: StartRollback,
        *,
        output_flush_interval: float = 1.0,
        metrics: Metrics | None = None,
    ) -> None:
        self._storage = storage
        self._bus = bus
        self._activity = activity
        self._verifier = verifier
        self._clock = clock
        self._registry = registry
        self._start_rollback = start_rollback
        self._output_flush_interval = output_flush_interval
        self._metrics = metrics
        self._runs: dict[str, OperationRun] = {}

    def launch(self, run: OperationRun) -> None:
        """Run an accepted operation (stored pending, its environment claimed) as a task."""
        self._runs[run.op.id] = run
        self._registry.start(run.op.id, self._execute(run), run.cancel)

    def with_live_output(self, op: Operation) -> Operation:
        """Return op with the output it has streamed so far when it runs here (else as is)."""
        run = self._runs.get(op.id)
        if run is None or run.output is None or run.output.seq <= op.output_seq:
            return op
        live = op.model_copy()
        run.output.keep_in(live)
        return live

    def request_cancel(self, operation_id: str, by: str) -> bool:
        """Ask an operation running here to stop, naming who asked; tell whether it runs here
        (False: not here, or already ending)."""
        run = self._runs.get(operation_id)
        if run is None or not self._registry.request_cancel(operation_id):
            return False
        run.cancelled_by = by
        return True

    # ---- running --------------------------------------------------------------------------

    async def _execute(self, run: OperationRun) -> None:
        op = run.op
        try:
            op.status = OperationStatus.RUNNING
            op.started_at = self._clock()
            await self._save(op, publish=True)
            run.output = OperationOutputLog(
                self._bus,
                op,
                flush_into(self._storage, op),
                flush_interval=self._output_flush_interval,
            )
            result = await self._run_command(run)
            apply_result(op, result)
            if result.succeeded:
                await touch_timestamp(self._storage, op, self._clock())
                await self._verify(run)
        except asyncio.CancelledError:
            # Shutdown: the runner has stopped the remote side; the record says so.
            self._fail(op, OperationStatus.INTERRUPTED, INTERRUPTED, "the server shut down")
            await asyncio.shield(self._finish(run))
            raise
        except Exception as exc:
            log.exception("operation_crashed", operation_id=op.id)
            message = exc.message if isinstance(exc, EnvdeckError) else "internal error"
            self._fail(op, OperationStatus.FAILED, INTERNAL_ERROR, message)
        try:
            await self._finish(run)
        finally:
            self._runs.pop(op.id, None)

    async def _run_command(self, run: OperationRun) -> RunResult:
        output = run.output
        assert output is not None
        ctx = RunContext(run.plan.timeout, output.on_chunk, run.cancel, run.actor)
        return await run.plan.prepared.run(ctx)

    async def _verify(self, run: OperationRun) -> None:
        assert run.output is not None
        outcome = await verify_operation(
            self._verifier, run.op, run.env, run.output, run.cancel, run.plan.verify_timeout
        )
        if outcome is not None:
            await record_version(self._storage, self._bus, self._clock, run.op, run.env, outcome)

    def _fail(self, op: Operation, status: OperationStatus, code: str, message: str) -> None:
        op.status = status
        op.error = OperationError(code=code, message=message)

    # ---- finishing ------------------------------------------------------------------------

    async def _finish(self, run: OperationRun) -> None:
        op = run.op
        op.finished_at = self._clock()
        if op.started_at is not None:
            op.duration_ms = round((op.finished_at - op.started_at).total_seconds() * 1000)
        if run.output is not None:
            await run.output.close()
            run.output.keep_in(op)
        if op.status not in FINISHED_STATUSES:  # defensive: never leave it running
            self._fail(op, OperationStatus.FAILED, INTERNAL_ERROR, "the operation did not finish")
        if op.status is OperationStatus.CANCELLED and run.cancelled_by and op.error is not None:
            # A new error: the executor's result may be shared (a constant), never changed.
            message = f"{op.error.message} by {run.cancelled_by}"
            op.error = op.error.model_copy(update={"message": message})
        await self._save(op, publish=True)
        record_finished(self._activity, op)
        # The outcome's audit entry is stored before the environment is released: whoever sees
        # it free (or runs the next operation) finds the outcome in the log, crash or not.
        await self._activity.wait_until_stored()
        count_finished(self._metrics, op)
        log.info(
            "operation_finished",
            operation_id=op.id,
            environment_id=op.environment_id,
            type=op.type.value,
            status=op.status.value,
            exit_code=op.exit_code,
            http_status=op.http_status,
            duration_ms=op.duration_ms,
        )
        if await self._maybe_rollback(run) is not None:
            await self._save(op, publish=True)  # now naming its rollback
            return  # the claim passed to the rollback, which announces the environment
        await self._storage.environments.clear_active_operation(op.environment_id, op.id)
        await self._announce_environment(op.environment_id)

    async def _maybe_rollback(self, run: OperationRun) -> Operation | None:
        """Start a rollback of a failed upgrade verification when configured; link both."""
        op, env = run.op, run.env
        previous = op.params.previous_version
        if (
            op.type is not OperationType.UPGRADE
            or op.status is not OperationStatus.FAILED
            or op.error is None
            or op.error.code != VERIFICATION_FAILED
            or not env.upgrade_config.rollback_on_failure
        ):
            return None
        if not previous or previous == op.params.version:
            await self._note(run, "no previous version is known: no rollback")
            return None
        try:
            rollback = await self._start_rollback(run, previous)
        except EnvdeckError as exc:
            log.warning("operation_rollback_refused", operation_id=op.id, reason=exc.message)
            await self._note(run, f"rollback to {previous} not started: {exc.message}")
            return None
        op.rollback_operation_id = rollback.id
        await self._note(run, f"rolling back to {previous}: operation {rollback.id}")
        if run.output is not None:
            run.output.keep_in(op)
        return rollback

    async def _note(self, run: OperationRun, text: str) -> None:
        if run.output is not None:
            await run.output.note(text)
            await run.output.close()  # the caller saves the record with it
            run.output.keep_in(run.op)

    async def _save(self, op: Operation, *, publish: bool) -> None:
        await self._storage.operations.update(op)
        if publish:
            self._bus.publish(OperationUpdated(operation=op.model_copy()))

    async def _announce_environment(self, environment_id: str) -> None:
        with contextlib.suppress(EnvdeckError):
            env = await self._storage.environments.get_by_id(environment_id)
            self._bus.publish(EnvironmentChanged(action="updated", environment=masked(env)))

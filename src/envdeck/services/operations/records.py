"""What an operation leaves behind: its live output (events and a capped tail) and log entries."""

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime

from envdeck.adapters.events import EventBus, OperationOutput
from envdeck.adapters.metrics import Metrics
from envdeck.domain.auth import Principal
from envdeck.domain.commands import OutputChunk, OutputStream, RunResult
from envdeck.domain.environment import OperationTimestamp
from envdeck.domain.log import LogLevel, LogType
from envdeck.domain.operation import OUTPUT_TAIL_LIMIT, Operation, OperationStatus, OperationType
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog

# Log levels of finished operations: failures are errors (DESIGN §4).
FINISH_LEVELS = {
    OperationStatus.SUCCEEDED: LogLevel.SUCCESS,
    OperationStatus.FAILED: LogLevel.ERROR,
    OperationStatus.TIMED_OUT: LogLevel.ERROR,
    OperationStatus.INTERRUPTED: LogLevel.ERROR,
    OperationStatus.CANCELLED: LogLevel.WARNING,
    OperationStatus.STOP_UNCONFIRMED: LogLevel.ERROR,
}
_FINISH_VERBS = {
    OperationStatus.SUCCEEDED: "succeeded",
    OperationStatus.FAILED: "failed",
    OperationStatus.TIMED_OUT: "timed out",
    OperationStatus.INTERRUPTED: "was interrupted",
    OperationStatus.CANCELLED: "was cancelled",
    OperationStatus.STOP_UNCONFIRMED: "could not be confirmed stopped",
}


class OperationOutputLog:
    """Number an operation's output chunks, publish them, keep the capped tail, and have the
    record rewritten at most every `flush_interval` seconds while it runs."""

    def __init__(
        self,
        bus: EventBus,
        operation: Operation,
        flush: Callable[[str, int], Awaitable[None]],
        *,
        flush_interval: float = 1.0,
        limit: int = OUTPUT_TAIL_LIMIT,
    ) -> None:
        self._bus = bus
        self._operation = operation
        self._flush = flush
        self._flush_interval = flush_interval
        self._limit = limit
        self._parts: deque[str] = deque()
        self._size = 0
        self._seq = 0
        self._flushed_at = time.monotonic()
        self._dirty = False
        self._lock = asyncio.Lock()
        self._later: asyncio.Task[None] | None = None

    @property
    def seq(self) -> int:
        return self._seq

    async def add(self, stream: OutputStream | str, text: str) -> None:
        """Publish one chunk (numbered from 1 across streams) and keep it in the tail."""
        if not text:
            return
        self._seq += 1
        self._bus.publish(
            OperationOutput(
                operation_id=self._operation.id,
                environment_id=self._operation.environment_id,
                seq=self._seq,
                stream=str(stream),
                chunk=text,
            )
        )
        self._parts.append(text)
        self._size += len(text)
        while self._size - len(self._parts[0]) >= self._limit:
            self._size -= len(self._parts.popleft())
        self._dirty = True
        wait = self._flushed_at + self._flush_interval - time.monotonic()
        if wait <= 0 and not self._lock.locked():
            await self._flush_now()
        elif self._later is None:
            # Output then silence: the tail is written all the same, once the interval is up.
            self._later = asyncio.create_task(self._flush_later(max(wait, 0.0)))

    async def _flush_now(self) -> None:
        async with self._lock:
            if not self._dirty:
                return
            self._flushed_at = time.monotonic()
            self._dirty = False
            await self._flush(self.tail(), self._seq)

    async def _flush_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._later = None
        await self._flush_now()

    async def close(self) -> None:
        """Stop flushing (the caller writes the final record next)."""
        if self._later is not None:
            self._later.cancel()
            self._later = None
        async with self._lock:
            self._dirty = False

    async def on_chunk(self, chunk: OutputChunk) -> None:
        """The runners' callback: their numbering is replaced by this log's."""
        await self.add(chunk.stream, chunk.chunk)

    async def on_line(self, line: str) -> None:
        """Verification progress: one line of Envdeck's own, on stdout."""
        await self.add(OutputStream.STDOUT, line)

    async def note(self, text: str) -> None:
        """A line of Envdeck's own between steps, marked so it is not taken for the script's."""
        await self.add(OutputStream.STDOUT, f"[envdeck] {text}\n")

    def tail(self) -> str:
        text = "".join(self._parts)
        return text[-self._limit :] if len(text) > self._limit else text

    def keep_in(self, op: Operation) -> None:
        """Put the tail, and the seq of the last chunk it holds, on op (to be saved)."""
        op.output = self.tail()
        op.output_seq = self._seq


def record_initiated(activity: ActivityLog, op: Operation) -> None:
    """Log that someone started an operation."""
    warned = "".join(f" (warning: {warning})" for warning in op.warnings)
    activity.record(
        type=LogType.ACTION,
        action=op.type.value,
        level=LogLevel.WARNING if op.warnings else LogLevel.INFO,
        message=f"{_who(op)} started a {_what(op)}{warned}",
        environment_id=op.environment_id,
        environment_name=op.environment_name,
        user_id=op.requested_by.user_id,
        username=op.requested_by.username or None,
        details=_details(op) | {"event": "initiated"},
    )


def record_cancel_requested(
    activity: ActivityLog, op: Operation, actor: Principal, owner: str
) -> None:
    """Log that actor asked to cancel an operation that another instance (described by
    `owner`) runs; that instance logs the outcome."""
    activity.record(
        type=LogType.ACTION,
        action=op.type.value,
        level=LogLevel.INFO,
        message=f"{actor.username} asked to cancel the {_what(op)}, which {owner} runs",
        environment_id=op.environment_id,
        environment_name=op.environment_name,
        user_id=actor.user_id,
        username=actor.username,
        details=_details(op) | {"event": "cancel_requested"},
    )


def record_finished(activity: ActivityLog, op: Operation) -> None:
    """Log how an operation ended: failures at level error."""
    verb = _FINISH_VERBS.get(op.status, op.status.value)
    message = f"{_what(op).capitalize()} {verb}"
    if op.duration_ms is not None:
        message += f" after {op.duration_ms / 1000:.1f} s"
    if op.error is not None and op.status is not OperationStatus.SUCCEEDED:
        message += f": {op.error.message}"
    details = _details(op) | {
        "event": op.status.value,
        "status": op.status.value,
        "durationMs": op.duration_ms,
        "exitCode": op.exit_code,
        "httpStatus": op.http_status,
    }
    if op.error is not None:
        details["error"] = op.error.model_dump(by_alias=True)
    if op.verification is not None:
        details["verification"] = op.verification.model_dump(by_alias=True)
    if op.rollback_operation_id:
        details["rollbackOperationId"] = op.rollback_operation_id
    activity.record(
        type=LogType.ACTION,
        action=op.type.value,
        level=FINISH_LEVELS.get(op.status, LogLevel.INFO),
        message=message[:4000],
        environment_id=op.environment_id,
        environment_name=op.environment_name,
        user_id=op.requested_by.user_id,
        username=op.requested_by.username or None,
        details=details,
    )


def _who(op: Operation) -> str:
    return op.requested_by.username or "envdeck"


def _what(op: Operation) -> str:
    what = f"{op.type.value} of {op.environment_name}"
    return f"{what} to {op.params.version}" if op.params.version else what


def _details(op: Operation) -> dict[str, object]:
    details: dict[str, object] = {"operationId": op.id}
    if op.params.force:
        details["force"] = True
    if op.params.version is not None:
        details["targetVersion"] = op.params.version
        details["previousVersion"] = op.params.previous_version
    if op.rollback_of:
        details["rollbackOf"] = op.rollback_of
    if op.owner_instance:
        details["ownerInstance"] = op.owner_instance
    if op.warnings:
        details["warnings"] = op.warnings
    return details


def apply_result(op: Operation, result: RunResult) -> None:
    """Copy how the command ended onto op; a command that succeeded leaves op running
    (verification decides)."""
    if not result.succeeded:
        op.status = OperationStatus(result.outcome.value)
    op.exit_code = result.exit_code
    op.http_status = result.http_status
    op.error = result.error


def flush_into(storage: Storage, op: Operation) -> Callable[[str, int], Awaitable[None]]:
    """Return the callback that rewrites op's record with its output tail (and the seq of its
    last chunk) while it runs."""

    async def flush(tail: str, seq: int) -> None:
        op.output = tail
        op.output_seq = seq
        await storage.operations.update(op)

    return flush


async def touch_timestamp(storage: Storage, op: Operation, now: datetime) -> None:
    """Set the environment's lastRestartAt or lastUpgradeAt (a rollback is an upgrade)."""
    name: OperationTimestamp = (
        "lastRestartAt" if op.type is OperationType.RESTART else "lastUpgradeAt"
    )
    await storage.environments.set_operation_timestamp(op.environment_id, name, now)


def count_finished(metrics: Metrics | None, op: Operation) -> None:
    """Count a finished operation (by type and status) and its duration in the metrics."""
    if metrics is not None:
        seconds = op.duration_ms / 1000 if op.duration_ms is not None else None
        metrics.observe_operation(op.type.value, op.status.value, seconds)

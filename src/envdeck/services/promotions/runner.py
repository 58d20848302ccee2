"""Running a promotion: upgrade its stage's environments, a few at a time, and stop at a failure.

The runner is one task per promotion on the instance that started it (at the request, or at
the approval). It keeps the targets; the stored record is rewritten by compare-and-set on the
`running` status, so a cancel written by any instance (status `cancelled`) is noticed at the
runner's next step: it then cancels the operations still running and starts no more. Each step
reads the operations it started from storage, so an operation run by this instance or closed by
another (an orphan sweep) is seen alike.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from envdeck.domain.auth import Principal
from envdeck.domain.errors import Conflict, EnvdeckError, NotFound, StorageUnavailable
from envdeck.domain.operation import Operation, OperationStatus
from envdeck.domain.promotion import Promotion, PromotionStatus, Target, TargetStatus
from envdeck.repositories.base import Storage
from envdeck.services.operations.service import OperationService

log = structlog.get_logger(__name__)

# How often a running promotion reads its operations (they run for seconds to minutes).
POLL_INTERVAL = 0.5

_FINISHED = {
    OperationStatus.SUCCEEDED: TargetStatus.SUCCEEDED,
    OperationStatus.CANCELLED: TargetStatus.CANCELLED,
}


class PromotionRun:
    """One promotion being run: see the module docstring."""

    def __init__(
        self,
        promotion: Promotion,
        actor: Principal,
        storage: Storage,
        operations: OperationService,
        clock: Callable[[], datetime],
        on_change: Callable[[Promotion], Awaitable[None]],
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.promotion = promotion
        self._actor = actor
        self._storage = storage
        self._operations = operations
        self._clock = clock
        self._on_change = on_change
        self._poll_interval = poll_interval
        self._failure: str | None = None
        self._rolling_back = False

    @property
    def _targets(self) -> list[Target]:
        return self.promotion.targets

    async def run(self) -> None:
        while True:
            try:
                if await self._step():
                    return
            except StorageUnavailable:
                log.warning("promotion_step_deferred", promotion_id=self.promotion.id)
            except Exception:
                # A bug must not leave the promotion unfollowed: say so, and try the step again.
                log.exception("promotion_step_failed", promotion_id=self.promotion.id)
            await asyncio.sleep(self._poll_interval)

    async def _step(self) -> bool:
        """Move the promotion one step on; tell whether it is over."""
        stored = await self._storage.promotions.get_by_id(self.promotion.id)
        cancelled = stored.status is PromotionStatus.CANCELLED
        if cancelled:
            self.promotion.status = stored.status
            self.promotion.message = stored.message
            await self._cancel_running()
        changed = await self._follow()
        if not cancelled:
            changed |= await self._advance()
        if self._is_over(cancelled):
            self._finish(cancelled)
            # Not written: cancelled meanwhile; the next step finishes it as cancelled.
            return await self._write(stored.status)
        if changed:
            await self._write(stored.status)
        return False

    async def _follow(self) -> bool:
        """Read the operations started; record how they ended. Tell whether any did."""
        changed = False
        for target in self._targets:
            if target.status is TargetStatus.RUNNING and target.operation_id:
                op = await self._read(target.operation_id)
                if op is not None and op.finished_at is not None:
                    self._ended(target, op)
                    changed = True
            elif target.status is TargetStatus.ROLLING_BACK and target.rollback_operation_id:
                op = await self._read(target.rollback_operation_id)
                if op is not None and op.finished_at is not None:
                    if op.status is OperationStatus.SUCCEEDED:
                        target.status = TargetStatus.ROLLED_BACK
                        target.message = f"rolled back to {target.from_version}"
                    else:
                        # Still on the promoted version: say so, and that the rollback did not.
                        target.status = TargetStatus.SUCCEEDED
                        target.message = f"rollback {op.status.value}: {_error_of(op)}"
                    changed = True
        return changed

    def _ended(self, target: Target, op: Operation) -> None:
        target.status = _FINISHED.get(op.status, TargetStatus.FAILED)
        if target.status is TargetStatus.SUCCEEDED:
            target.message = f"upgraded to {self.promotion.version}"
            return
        target.message = f"upgrade {op.status.value}: {_error_of(op)}"
        if op.rollback_operation_id:
            target.message += " (the environment's own rollback ran)"
        if self._failure is None:
            self._failure = f"{target.environment_name}: {target.message}"

    async def _advance(self) -> bool:
        """Start upgrades up to maxParallel, or the rollbacks once something failed."""
        if self._failure is not None:
            if self._running() or self._rolling_back or not self.promotion.rollback_on_failure:
                return False
            self._rolling_back = True
            return await self._roll_back()
        changed = False
        for target in self._targets:
            if self._running() >= self.promotion.max_parallel or self._failure is not None:
                break
            if target.status is TargetStatus.PENDING:
                await self._start(target)
                changed = True
        return changed

    async def _start(self, target: Target) -> None:
        try:
            op = await self._operations.upgrade_environment(
                self._actor, target.environment_id, self.promotion.version
            )
        except EnvdeckError as error:
            target.status = TargetStatus.FAILED
            target.message = f"not started: {error.message}"
            self._failure = f"{target.environment_name}: {target.message}"
            return
        target.status = TargetStatus.RUNNING
        target.operation_id = op.id
        target.message = f"upgrading to {self.promotion.version}"

    async def _roll_back(self) -> bool:
        changed = False
        for target in self._targets:
            if target.status is not TargetStatus.SUCCEEDED or not target.from_version:
                continue
            try:
                op = await self._operations.roll_back_environment(
                    self._actor, target.environment_id, target.from_version
                )
            except EnvdeckError as error:
                target.message = f"rollback not started: {error.message}"
            else:
                target.status = TargetStatus.ROLLING_BACK
                target.rollback_operation_id = op.id
                target.message = f"rolling back to {target.from_version}"
            changed = True
        return changed

    async def _cancel_running(self) -> None:
        for target in self._targets:
            if target.status is TargetStatus.PENDING:
                target.status = TargetStatus.SKIPPED
                target.message = "not started: the promotion was cancelled"
            elif target.status is TargetStatus.RUNNING and target.operation_id:
                # Finished meanwhile (Conflict): _follow records how.
                with contextlib.suppress(Conflict, NotFound):
                    await self._operations.cancel_operation(self._actor, target.operation_id)

    def _running(self) -> int:
        moving = (TargetStatus.RUNNING, TargetStatus.ROLLING_BACK)
        return sum(1 for t in self._targets if t.status in moving)

    def _is_over(self, cancelled: bool) -> bool:
        if self._running():
            return False
        if cancelled:
            return True
        if self._failure is not None:
            return self._rolling_back or not self.promotion.rollback_on_failure
        return all(t.status is not TargetStatus.PENDING for t in self._targets)

    def _finish(self, cancelled: bool) -> None:
        p = self.promotion
        p.finished_at = self._clock()
        for target in p.targets:
            if target.status is TargetStatus.PENDING:
                target.status = TargetStatus.SKIPPED
                target.message = "not started: the promotion stopped"
        if cancelled:
            p.status = PromotionStatus.CANCELLED
            p.message = p.message or "cancelled"
            return
        if self._failure is not None:
            p.status = PromotionStatus.FAILED
            rolled = sum(1 for t in p.targets if t.status is TargetStatus.ROLLED_BACK)
            p.message = self._failure + (f"; {rolled} rolled back" if rolled else "")
            return
        p.status = PromotionStatus.SUCCEEDED
        moved = sum(1 for t in p.targets if t.status is TargetStatus.SUCCEEDED)
        p.message = f"{p.version} is on {p.stage} ({moved} upgraded)"

    async def _write(self, expected: PromotionStatus) -> bool:
        """Store the promotion unless its status moved on from expected (a cancel, which the
        next step reads and carries on from); tell whether it was stored."""
        if not await self._storage.promotions.replace(self.promotion, expected):
            return False
        await self._on_change(self.promotion.model_copy(deep=True))
        return True

    async def _read(self, operation_id: str) -> Operation | None:
        try:
            return await self._storage.operations.get_by_id(operation_id)
        except NotFound:
            return None


def _error_of(op: Operation) -> str:
    if op.error is not None:
        return op.error.message
    if op.verification is not None and op.verification.message:
        return op.verification.message
    return op.status.value

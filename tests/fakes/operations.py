"""OperationRepository in memory: ids kept when set, newest first, interrupted at start-up."""

import builtins
from datetime import datetime

from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import (
    Operation,
    OperationError,
    OperationListOptions,
    OperationStatus,
)
from tests.fakes.documents import FakeRepository, page

_UNFINISHED = (OperationStatus.PENDING, OperationStatus.RUNNING)


class FakeOperationRepository(FakeRepository[Operation]):
    not_found = OperationNotFound

    async def create(self, operation: Operation) -> Operation:
        # An id set by the caller is kept: the service claims the environment under it first.
        stored = operation.model_copy(
            update={"id": operation.id or new_id(), "created_at": self._now()}
        )
        return self.docs.insert(stored.id, stored)

    async def list(self, options: OperationListOptions) -> tuple[list[Operation], int]:
        def matches(op: Operation) -> bool:
            return (
                options.environment_id in (None, op.environment_id)
                and options.status in (None, op.status)
                and options.type in (None, op.type)
                and options.user_id in (None, op.requested_by.user_id)
            )

        found = [op for op in self.docs.all() if matches(op)]
        found.sort(key=lambda op: (op.created_at, op.id), reverse=True)
        return page(found, options)

    async def update(self, operation: Operation) -> Operation:
        stored = self.docs.get(operation.id)
        return self.docs.put(
            operation.id, operation.model_copy(update={"created_at": stored.created_at})
        )

    async def mark_running_interrupted(self, finished_at: datetime) -> builtins.list[Operation]:
        error = OperationError(
            code="INTERRUPTED", message="the server stopped while this operation ran"
        )
        interrupted = []
        for op in self.docs.all():
            if op.status in _UNFINISHED:
                op = op.model_copy(
                    update={
                        "status": OperationStatus.INTERRUPTED,
                        "finished_at": finished_at,
                        "error": error,
                    }
                )
                interrupted.append(self.docs.put(op.id, op))
        return interrupted

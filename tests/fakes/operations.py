"""OperationRepository in memory: ids kept when set, newest first, unfinished ones closed once."""

import builtins
from collections.abc import Sequence
from datetime import datetime

from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import (
    UNFINISHED_STATUSES,
    Operation,
    OperationError,
    OperationListOptions,
    OperationStatus,
)
from tests.fakes.documents import FakeRepository, page


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
        if operation.status in UNFINISHED_STATUSES and stored.status not in UNFINISHED_STATUSES:
            return stored  # a running record never reopens a closed one
        return self.docs.put(
            operation.id, operation.model_copy(update={"created_at": stored.created_at})
        )

    async def list_unfinished(self) -> builtins.list[Operation]:
        found = [op for op in self.docs.all() if op.status in UNFINISHED_STATUSES]
        return sorted(found, key=lambda op: (op.created_at, op.id))

    async def close_unfinished(
        self,
        operation_ids: Sequence[str],
        status: OperationStatus,
        error: OperationError,
        finished_at: datetime,
    ) -> builtins.list[Operation]:
        self.outage.check()
        closed = []
        for operation_id in operation_ids:
            if not self.docs.has(operation_id):
                continue
            op = self.docs.get(operation_id)
            if op.status not in UNFINISHED_STATUSES:
                continue
            change = {"status": status, "finished_at": finished_at, "error": error}
            closed.append(self.docs.put(op.id, op.model_copy(update=change)))
        return closed

"""Operations in SQLite, newest first."""

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import Operation, OperationListOptions
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, equality_clauses, keeping


class SqliteOperationRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "operations", Operation, OperationNotFound)

    async def create(self, operation: Operation) -> Operation:
        stored = operation.model_copy(update={"id": new_id(), "created_at": utc_now()})
        return await self._table.insert(stored)

    async def get_by_id(self, operation_id: str) -> Operation:
        return await self._table.get(operation_id)

    async def list(self, options: OperationListOptions) -> tuple[list[Operation], int]:
        clauses, params = equality_clauses(
            [
                ("environment_id", options.environment_id),
                ("status", options.status),
                ("type", options.type),
            ]
        )
        where = " AND ".join(clauses) or "1"
        return await self._table.page(where, params, "created_at DESC, id DESC", options)

    async def update(self, operation: Operation) -> Operation:
        return await self._table.replace(operation.id, keeping("$.createdAt"), (dump(operation),))

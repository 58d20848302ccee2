"""Operations in MongoDB: one document per restart, upgrade, rollback or on-demand check."""

from pymongo import ASCENDING, DESCENDING, IndexModel

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import Operation, OperationListOptions
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    equality_query,
    to_document,
)

_NEWEST_FIRST = [("createdAt", DESCENDING), ("_id", DESCENDING)]

INDEXES = [
    IndexModel(_NEWEST_FIRST),
    IndexModel([("environmentId", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("status", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("type", ASCENDING), *_NEWEST_FIRST]),
]


def _query(options: OperationListOptions) -> Document:
    return equality_query(
        [
            ("environmentId", options.environment_id),
            ("status", options.status),
            ("type", options.type),
        ]
    )


class MongoOperationRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, Operation, OperationNotFound, "operation", INDEXES
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, operation: Operation) -> Operation:
        stored = operation.model_copy(deep=True)
        stored.id = new_id()
        stored.created_at = utc_now()
        return await self._documents.insert(stored)

    async def get_by_id(self, operation_id: str) -> Operation:
        return await self._documents.get(operation_id)

    async def list(self, options: OperationListOptions) -> tuple[list[Operation], int]:
        return await self._documents.page(_query(options), _NEWEST_FIRST, options)

    async def update(self, operation: Operation) -> Operation:
        # createdAt is when it was requested; a replacement never moves it.
        fields = to_document(operation, exclude={"created_at"})
        return await self._documents.find_one_and_update(operation.id, {"$set": fields})

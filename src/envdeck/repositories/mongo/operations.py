"""Operations in MongoDB: one document per restart, upgrade, rollback or on-demand check."""

import builtins
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import Operation, OperationListOptions, OperationStatus
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
    IndexModel([("requestedBy.userId", ASCENDING), *_NEWEST_FIRST]),
]


def _query(options: OperationListOptions) -> Document:
    return equality_query(
        [
            ("environmentId", options.environment_id),
            ("status", options.status),
            ("type", options.type),
            ("requestedBy.userId", options.user_id),
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
        # An id set by the caller is kept: the service claims the environment under it first.
        stored.id = operation.id or new_id()
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

    async def mark_running_interrupted(self, finished_at: datetime) -> builtins.list[Operation]:
        unfinished = {
            "status": {"$in": [OperationStatus.PENDING.value, OperationStatus.RUNNING.value]}
        }
        error = {"code": "INTERRUPTED", "message": "the server stopped while this operation ran"}
        change = {
            "$set": {
                "status": OperationStatus.INTERRUPTED.value,
                "finishedAt": finished_at,
                "error": error,
            }
        }
        interrupted: builtins.list[Operation] = []
        # One document at a time, each atomically: another instance may be marking too.
        while True:
            with self._documents.translate_errors():
                document = await self._documents.collection.find_one_and_update(
                    unfinished, change, return_document=ReturnDocument.AFTER
                )
            if document is None:
                return interrupted
            interrupted.append(self._documents.load(document))

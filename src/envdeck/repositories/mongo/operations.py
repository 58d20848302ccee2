"""Operations in MongoDB: one document per restart, upgrade, rollback or on-demand check."""

import builtins
from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import (
    UNFINISHED_STATUSES,
    Operation,
    OperationError,
    OperationListOptions,
    OperationStatus,
)
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    equality_query,
    object_id,
    to_document,
)

_NEWEST_FIRST = [("createdAt", DESCENDING), ("_id", DESCENDING)]
_OLDEST_FIRST = [("createdAt", ASCENDING), ("_id", ASCENDING)]
_UNFINISHED = sorted(status.value for status in UNFINISHED_STATUSES)

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
        if operation.status not in UNFINISHED_STATUSES:
            return await self._documents.find_one_and_update(operation.id, {"$set": fields})
        # A running record never reopens one another instance closed (its owner had stopped
        # answering): the closed record is returned as it is.
        with self._documents.translate_errors():
            document = await self._documents.collection.find_one_and_update(
                {"_id": object_id(operation.id), "status": {"$in": _UNFINISHED}},
                {"$set": fields},
                return_document=ReturnDocument.AFTER,
            )
        if document is None:
            return await self.get_by_id(operation.id)
        return self._documents.load(document)

    async def list_unfinished(self) -> builtins.list[Operation]:
        query = {"status": {"$in": _UNFINISHED}}
        with self._documents.translate_errors():
            cursor = self._documents.collection.find(query).sort(_OLDEST_FIRST)
            documents = await cursor.to_list()
        return [self._documents.load(document) for document in documents]

    async def close_unfinished(
        self,
        operation_ids: Sequence[str],
        status: OperationStatus,
        error: OperationError,
        finished_at: datetime,
    ) -> builtins.list[Operation]:
        change = {
            "$set": {
                "status": status.value,
                "finishedAt": finished_at,
                "error": to_document(error),
            }
        }
        closed: builtins.list[Operation] = []
        # One document at a time, each a conditional update: of instances racing to close
        # one operation, the one whose update matched is told so.
        for operation_id in operation_ids:
            oid = object_id(operation_id)
            if oid is None:
                continue
            with self._documents.translate_errors():
                document = await self._documents.collection.find_one_and_update(
                    {"_id": oid, "status": {"$in": _UNFINISHED}},
                    change,
                    return_document=ReturnDocument.AFTER,
                )
            if document is not None:
                closed.append(self._documents.load(document))
        return closed

"""Operations in MongoDB: one document per restart, upgrade, rollback or on-demand check."""

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import Operation, OperationListOptions
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    find_page,
    object_id,
    to_document,
    to_model,
    translate_errors,
)

_NEWEST_FIRST = [("createdAt", DESCENDING), ("_id", DESCENDING)]

INDEXES = [
    IndexModel(_NEWEST_FIRST),
    IndexModel([("environmentId", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("status", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("type", ASCENDING), *_NEWEST_FIRST]),
]

_ENTITY = "operation"


def _query(options: OperationListOptions) -> Document:
    query: Document = {}
    if options.environment_id is not None:
        query["environmentId"] = options.environment_id
    if options.status is not None:
        query["status"] = options.status.value
    if options.type is not None:
        query["type"] = options.type.value
    return query


class MongoOperationRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(INDEXES)

    async def create(self, operation: Operation) -> Operation:
        stored = operation.model_copy(deep=True)
        stored.id = new_id()
        stored.created_at = utc_now()
        with translate_errors(_ENTITY):
            await self._collection.insert_one({"_id": object_id(stored.id), **to_document(stored)})
        return stored

    async def get_by_id(self, operation_id: str) -> Operation:
        oid = object_id(operation_id)
        if oid is None:
            raise OperationNotFound
        with translate_errors(_ENTITY):
            document = await self._collection.find_one({"_id": oid})
        if document is None:
            raise OperationNotFound
        return to_model(Operation, document)

    async def list(self, options: OperationListOptions) -> tuple[list[Operation], int]:
        with translate_errors(_ENTITY):
            documents, total = await find_page(
                self._collection, _query(options), _NEWEST_FIRST, options
            )
        return [to_model(Operation, doc) for doc in documents], total

    async def update(self, operation: Operation) -> Operation:
        oid = object_id(operation.id)
        if oid is None:
            raise OperationNotFound
        # createdAt is when it was requested; a replacement never moves it.
        fields = to_document(operation, exclude={"created_at"})
        with translate_errors(_ENTITY):
            document = await self._collection.find_one_and_update(
                {"_id": oid}, {"$set": fields}, return_document=ReturnDocument.AFTER
            )
        if document is None:
            raise OperationNotFound
        return to_model(Operation, document)

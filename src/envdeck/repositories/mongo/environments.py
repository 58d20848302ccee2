"""Environments in MongoDB: one document each, `status` written apart from the configuration."""

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from envdeck.domain.clock import utc_now
from envdeck.domain.environment import (
    HEALTH_RANK,
    Environment,
    EnvironmentListOptions,
    EnvironmentSort,
    Status,
)
from envdeck.domain.errors import EnvironmentNotFound
from envdeck.domain.ids import new_id
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    Sort,
    contains,
    find_page,
    object_id,
    to_document,
    to_model,
    translate_errors,
)

# The health rank is kept beside the status so that the "health" sort is served by an index.
_HEALTH_RANK = "healthRank"
_SHADOW = (_HEALTH_RANK,)

# Names are unique, so a sort that reaches the name is already total; the others end on _id,
# ascending in both directions (as SQLite does), so pages are stable and agree across backends.
_SORTS: dict[EnvironmentSort, Sort] = {
    "name": [("name", ASCENDING)],
    "-name": [("name", DESCENDING)],
    "createdAt": [("timestamps.createdAt", ASCENDING), ("_id", ASCENDING)],
    "-createdAt": [("timestamps.createdAt", DESCENDING), ("_id", ASCENDING)],
    "health": [(_HEALTH_RANK, ASCENDING), ("name", ASCENDING)],
    "-health": [(_HEALTH_RANK, DESCENDING), ("name", ASCENDING)],
    "lastCheck": [("status.lastCheck", ASCENDING), ("_id", ASCENDING)],
    "-lastCheck": [("status.lastCheck", DESCENDING), ("_id", ASCENDING)],
}

# One index per sort (a sort with mixed directions needs its own), plus the filters.
INDEXES = [
    IndexModel([("name", ASCENDING)], unique=True),
    IndexModel([("status.health", ASCENDING), ("name", ASCENDING)]),
    IndexModel([("tags", ASCENDING), ("name", ASCENDING)]),
    *(IndexModel(sort) for name, sort in _SORTS.items() if not name.endswith("name")),
]

_ENTITY = "environment"


def _status_fields(status: Status) -> Document:
    return {"status": to_document(status), _HEALTH_RANK: HEALTH_RANK[status.health]}


def _query(options: EnvironmentListOptions) -> Document:
    query: Document = {}
    if options.status is not None:
        query["status.health"] = options.status.value
    if options.tag is not None:
        query["tags"] = options.tag
    if options.q:
        pattern = contains(options.q)
        query["$or"] = [
            {"name": pattern},
            {"description": pattern},
            {"environmentURL": pattern},
        ]
    return query


class MongoEnvironmentRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(INDEXES)

    async def create(self, environment: Environment) -> Environment:
        stored = environment.model_copy(deep=True)
        stored.id = new_id()
        now = utc_now()
        stored.timestamps.created_at = now
        stored.timestamps.updated_at = now
        document = {
            "_id": object_id(stored.id),
            **to_document(stored),
            **_status_fields(stored.status),
        }
        with translate_errors(_ENTITY):
            await self._collection.insert_one(document)
        return stored

    async def get_by_id(self, environment_id: str) -> Environment:
        oid = object_id(environment_id)
        if oid is None:
            raise EnvironmentNotFound
        return await self._find_one({"_id": oid})

    async def get_by_name(self, name: str) -> Environment:
        return await self._find_one({"name": name})

    async def list(self, options: EnvironmentListOptions) -> tuple[list[Environment], int]:
        with translate_errors(_ENTITY):
            documents, total = await find_page(
                self._collection, _query(options), _SORTS[options.sort], options
            )
        return [to_model(Environment, doc, _SHADOW) for doc in documents], total

    async def update(self, environment: Environment) -> Environment:
        oid = object_id(environment.id)
        if oid is None:
            raise EnvironmentNotFound
        # Dotted timestamp paths keep createdAt, and leaving status out keeps what
        # update_status wrote meanwhile: both are one atomic $set on the document.
        fields = to_document(environment, exclude={"status", "timestamps"})
        timestamps = to_document(environment.timestamps, exclude={"created_at"})
        fields.update({f"timestamps.{key}": value for key, value in timestamps.items()})
        fields["timestamps.updatedAt"] = utc_now()
        with translate_errors(_ENTITY):
            document = await self._collection.find_one_and_update(
                {"_id": oid}, {"$set": fields}, return_document=ReturnDocument.AFTER
            )
        if document is None:
            raise EnvironmentNotFound
        return to_model(Environment, document, _SHADOW)

    async def update_status(self, environment_id: str, status: Status) -> None:
        oid = object_id(environment_id)
        if oid is None:
            raise EnvironmentNotFound
        with translate_errors(_ENTITY):
            result = await self._collection.update_one(
                {"_id": oid}, {"$set": _status_fields(status)}
            )
        if result.matched_count == 0:
            raise EnvironmentNotFound

    async def delete(self, environment_id: str) -> None:
        oid = object_id(environment_id)
        if oid is None:
            raise EnvironmentNotFound
        with translate_errors(_ENTITY):
            result = await self._collection.delete_one({"_id": oid})
        if result.deleted_count == 0:
            raise EnvironmentNotFound

    async def count(self) -> int:
        with translate_errors(_ENTITY):
            return await self._collection.count_documents({})

    async def _find_one(self, query: Document) -> Environment:
        with translate_errors(_ENTITY):
            document = await self._collection.find_one(query)
        if document is None:
            raise EnvironmentNotFound
        return to_model(Environment, document, _SHADOW)

"""The instance registry in MongoDB: one document per process start, indexed by lastSeen."""

import builtins
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel

from envdeck.domain.instance import Instance, InstanceNotFound
from envdeck.repositories.mongo.documents import (
    MongoCollection,
    MongoDocuments,
    object_id,
    to_document,
)

INDEXES = [IndexModel([("lastSeen", ASCENDING)])]
_SORT = [("startedAt", DESCENDING), ("_id", DESCENDING)]


class MongoInstanceRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, Instance, InstanceNotFound, "instance", INDEXES
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def upsert_heartbeat(self, instance: Instance) -> None:
        oid = object_id(instance.id)
        if oid is None:
            raise ValueError(f"an instance id must be a 24-hex id, not {instance.id!r}")
        # stoppedAt is left out of $set: a stop is final, a heartbeat in flight keeps it.
        fields = to_document(instance, exclude={"stopped_at"})
        with self._documents.translate_errors():
            await self._documents.collection.update_one({"_id": oid}, {"$set": fields}, upsert=True)

    async def mark_stopped(self, instance_id: str, at: datetime) -> bool:
        oid = object_id(instance_id)
        if oid is None:
            return False
        with self._documents.translate_errors():
            result = await self._documents.collection.update_one(
                {"_id": oid}, {"$set": {"stoppedAt": at, "lastSeen": at}}
            )
        return result.matched_count > 0

    async def list_seen_since(self, since: datetime) -> builtins.list[Instance]:
        documents = self._documents
        with documents.translate_errors():
            cursor = documents.collection.find({"lastSeen": {"$gte": since}}).sort(_SORT)
            found = await cursor.to_list()
        return [documents.load(document) for document in found]

    async def purge_seen_before(self, cutoff: datetime) -> int:
        with self._documents.translate_errors():
            result = await self._documents.collection.delete_many({"lastSeen": {"$lt": cutoff}})
        return result.deleted_count

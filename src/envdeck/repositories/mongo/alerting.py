"""Alerting's shared memory in MongoDB: alert states (`_id` the environment id, each write a
compare-and-set on revision) and the notification outbox (`_id` the announcement's key and the
channel, so the unique `_id` deduplicates: of instances recording one message, one inserts it).
"""

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from envdeck.domain.alerting import AlertState, OutboxEntry, OutboxStatus
from envdeck.repositories.mongo.documents import Document, MongoCollection, translate_errors

STATE_INDEXES = [IndexModel([("dueAt", ASCENDING), ("_id", ASCENDING)])]
OUTBOX_INDEXES = [
    IndexModel([("status", ASCENDING), ("createdAt", ASCENDING), ("_id", ASCENDING)]),
    IndexModel([("createdAt", ASCENDING)]),
]
_PENDING = OutboxStatus.PENDING.value


def _state_document(state: AlertState) -> Document:
    document = state.model_dump(by_alias=True, mode="python", exclude={"environment_id"})
    document["_id"] = state.environment_id
    return document


def _state(document: Document) -> AlertState:
    fields = {key: value for key, value in document.items() if key != "_id"}
    return AlertState.model_validate({**fields, "environmentId": document["_id"]})


def _entry(document: Document) -> OutboxEntry:
    fields = {key: value for key, value in document.items() if key != "_id"}
    return OutboxEntry.model_validate({**fields, "id": document["_id"]})


class MongoAlertStateRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(STATE_INDEXES)

    async def get(self, environment_id: str) -> AlertState | None:
        with translate_errors("alert state"):
            document = await self._collection.find_one({"_id": environment_id})
        return None if document is None else _state(document)

    async def save(self, state: AlertState) -> bool:
        document = _state_document(state)
        with translate_errors("alert state"):
            if state.revision == 1:
                try:
                    await self._collection.insert_one(document)
                except DuplicateKeyError:
                    return False  # another write stored revision 1 first
                return True
            result = await self._collection.replace_one(
                {"_id": state.environment_id, "revision": state.revision - 1}, document
            )
        return result.matched_count == 1

    async def list_due(
        self, now: datetime, limit: int, after: tuple[datetime, str] | None = None
    ) -> builtins.list[AlertState]:
        query: Document = {"dueAt": {"$lte": now}}
        if after is not None:
            due, environment_id = after
            query["$or"] = [
                {"dueAt": {"$gt": due}},
                {"dueAt": due, "_id": {"$gt": environment_id}},
            ]
        with translate_errors("alert state"):
            cursor = self._collection.find(query).sort([("dueAt", 1), ("_id", 1)]).limit(limit)
            return [_state(document) for document in await cursor.to_list()]

    async def delete(self, environment_id: str) -> None:
        with translate_errors("alert state"):
            await self._collection.delete_one({"_id": environment_id})

    async def count(self) -> int:
        with translate_errors("alert state"):
            return await self._collection.count_documents({})


class MongoNotificationOutboxRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(OUTBOX_INDEXES)

    async def claim(self, entries: Sequence[OutboxEntry]) -> set[str]:
        stored: set[str] = set()
        with translate_errors("notification"):
            for entry in entries:
                document = entry.model_dump(by_alias=True, mode="python", exclude={"id"})
                try:
                    await self._collection.insert_one({"_id": entry.id, **document})
                except DuplicateKeyError:
                    continue  # another instance (or an earlier life) recorded it
                stored.add(entry.id)
        return stored

    async def finish(self, entry_id: str, status: OutboxStatus, at: datetime) -> bool:
        change: dict[str, Any] = {"$set": {"status": status.value, "finishedAt": at}}
        with translate_errors("notification"):
            result = await self._collection.update_one(
                {"_id": entry_id, "status": _PENDING}, change
            )
        return result.matched_count == 1

    async def list_pending(
        self, live_owners: Sequence[str], limit: int
    ) -> builtins.list[OutboxEntry]:
        query = {"status": _PENDING, "owner": {"$nin": list(live_owners)}}
        sort = [("createdAt", 1), ("_id", 1)]
        with translate_errors("notification"):
            documents = await self._collection.find(query).sort(sort).limit(limit).to_list()
        return [_entry(document) for document in documents]

    async def take_over(self, entry_id: str, previous_owner: str, owner: str) -> bool:
        with translate_errors("notification"):
            result = await self._collection.update_one(
                {"_id": entry_id, "status": _PENDING, "owner": previous_owner},
                {"$set": {"owner": owner}},
            )
        return result.matched_count == 1

    async def purge_before(self, cutoff: datetime) -> int:
        with translate_errors("notification"):
            result = await self._collection.delete_many({"createdAt": {"$lt": cutoff}})
        return result.deleted_count

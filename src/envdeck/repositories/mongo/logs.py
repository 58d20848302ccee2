"""The activity log in MongoDB: append-mostly, read newest first, trimmed by age."""

from datetime import datetime
from enum import StrEnum

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import BulkWriteError

from envdeck.domain.errors import LogNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogEntry, LogFilter, LogLevel, LogListOptions, LogType
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    contains,
    find_page,
    object_id,
    to_document,
    to_model,
    translate_errors,
)

_NEWEST_FIRST = [("timestamp", DESCENDING), ("_id", DESCENDING)]
_DUPLICATE_KEY = 11000

# Each filter leads an index that then serves the newest-first order as well.
INDEXES = [
    IndexModel(_NEWEST_FIRST),
    IndexModel([("environmentId", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("userId", ASCENDING), *_NEWEST_FIRST]),
    # type+level also serves count_by_level under a type filter (the dashboard's question).
    IndexModel([("type", ASCENDING), ("level", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("level", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("action", ASCENDING), *_NEWEST_FIRST]),
]

_ENTITY = "log entry"


def _query(log_filter: LogFilter) -> Document:
    query: Document = {}
    if log_filter.type is not None:
        query["type"] = log_filter.type.value
    if log_filter.level is not None:
        query["level"] = log_filter.level.value
    if log_filter.action is not None:
        query["action"] = log_filter.action
    if log_filter.environment_id is not None:
        query["environmentId"] = log_filter.environment_id
    if log_filter.user_id is not None:
        query["userId"] = log_filter.user_id
    if log_filter.q:
        pattern = contains(log_filter.q)
        query["$or"] = [{"message": pattern}, {"environmentName": pattern}, {"username": pattern}]
    when: Document = {}
    if log_filter.start_date is not None:
        when["$gte"] = log_filter.start_date
    if log_filter.end_date is not None:
        when["$lte"] = log_filter.end_date
    if when:
        query["timestamp"] = when
    return query


def _prepare(entry: LogEntry) -> tuple[LogEntry, Document]:
    # The activity service names entries when it records them (before they are written), so
    # a well-formed id is kept; anything else gets a fresh one.
    stored = entry.model_copy(deep=True)
    oid = object_id(stored.id)
    if oid is None:
        stored.id = new_id()
        oid = object_id(stored.id)
    return stored, {"_id": oid, **to_document(stored)}


def _only_duplicates(exc: BulkWriteError) -> bool:
    errors = exc.details.get("writeErrors", [])
    return not exc.details.get("writeConcernErrors") and all(
        error.get("code") == _DUPLICATE_KEY for error in errors
    )


class MongoLogRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(INDEXES)

    async def create(self, entry: LogEntry) -> LogEntry:
        stored, document = _prepare(entry)
        with translate_errors(_ENTITY):
            await self._collection.insert_one(document)
        return stored

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        if not entries:
            return []
        prepared = [_prepare(entry) for entry in entries]
        with translate_errors(_ENTITY):
            try:
                await self._collection.insert_many([doc for _, doc in prepared], ordered=False)
            except BulkWriteError as exc:
                # An id already stored is an entry already written: a retried batch is a no-op
                # for those, and the rest of it is stored.
                if not _only_duplicates(exc):
                    raise
        return [stored for stored, _ in prepared]

    async def get_by_id(self, log_id: str) -> LogEntry:
        oid = object_id(log_id)
        if oid is None:
            raise LogNotFound
        with translate_errors(_ENTITY):
            document = await self._collection.find_one({"_id": oid})
        if document is None:
            raise LogNotFound
        return to_model(LogEntry, document)

    async def list(self, options: LogListOptions) -> tuple[list[LogEntry], int]:
        with translate_errors(_ENTITY):
            documents, total = await find_page(
                self._collection, _query(options), _NEWEST_FIRST, options
            )
        return [to_model(LogEntry, doc) for doc in documents], total

    async def count(self, log_filter: LogFilter) -> int:
        with translate_errors(_ENTITY):
            return await self._collection.count_documents(_query(log_filter))

    async def count_by_type(self, log_filter: LogFilter) -> dict[str, int]:
        return await self._count_by("type", LogType, log_filter)

    async def count_by_level(self, log_filter: LogFilter) -> dict[str, int]:
        return await self._count_by("level", LogLevel, log_filter)

    async def delete_before(self, cutoff: datetime) -> int:
        with translate_errors(_ENTITY):
            result = await self._collection.delete_many({"timestamp": {"$lt": cutoff}})
        return result.deleted_count

    async def _count_by(
        self, field: str, values: type[StrEnum], log_filter: LogFilter
    ) -> dict[str, int]:
        counts = {value.value: 0 for value in values}
        pipeline = [
            {"$match": _query(log_filter)},
            {"$group": {"_id": f"${field}", "count": {"$sum": 1}}},
        ]
        with translate_errors(_ENTITY):
            cursor = await self._collection.aggregate(pipeline)
            async for group in cursor:
                if group["_id"] in counts:
                    counts[group["_id"]] = group["count"]
        return counts

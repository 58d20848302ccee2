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
    MongoDocuments,
    contains,
    equality_query,
    object_id,
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


def _query(log_filter: LogFilter) -> Document:
    query = equality_query(
        [
            ("type", log_filter.type),
            ("level", log_filter.level),
            ("action", log_filter.action),
            ("environmentId", log_filter.environment_id),
            ("userId", log_filter.user_id),
        ]
    )
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


def _with_id(entry: LogEntry) -> LogEntry:
    # The activity service names entries when it records them (before they are written), so
    # a well-formed id is kept; anything else gets a fresh one.
    stored = entry.model_copy(deep=True)
    if object_id(stored.id) is None:
        stored.id = new_id()
    return stored


def _only_duplicates(exc: BulkWriteError) -> bool:
    errors = exc.details.get("writeErrors", [])
    return not exc.details.get("writeConcernErrors") and all(
        error.get("code") == _DUPLICATE_KEY for error in errors
    )


class MongoLogRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(collection, LogEntry, LogNotFound, "log entry", INDEXES)

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, entry: LogEntry) -> LogEntry:
        return await self._documents.insert(_with_id(entry))

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        if not entries:
            return []
        stored = [_with_id(entry) for entry in entries]
        documents = [self._documents.dump(entry) for entry in stored]
        with self._documents.translate_errors():
            try:
                await self._documents.collection.insert_many(documents, ordered=False)
            except BulkWriteError as exc:
                # An id already stored is an entry already written: a retried batch is a no-op
                # for those, and the rest of it is stored.
                if not _only_duplicates(exc):
                    raise
        return stored

    async def get_by_id(self, log_id: str) -> LogEntry:
        return await self._documents.get(log_id)

    async def list(self, options: LogListOptions) -> tuple[list[LogEntry], int]:
        return await self._documents.page(_query(options), _NEWEST_FIRST, options)

    async def count(self, log_filter: LogFilter) -> int:
        return await self._documents.count(_query(log_filter))

    async def count_by_type(self, log_filter: LogFilter) -> dict[str, int]:
        return await self._count_by("type", LogType, log_filter)

    async def count_by_level(self, log_filter: LogFilter) -> dict[str, int]:
        return await self._count_by("level", LogLevel, log_filter)

    async def delete_before(self, cutoff: datetime) -> int:
        with self._documents.translate_errors():
            result = await self._documents.collection.delete_many({"timestamp": {"$lt": cutoff}})
        return result.deleted_count

    async def _count_by(
        self, field: str, values: type[StrEnum], log_filter: LogFilter
    ) -> dict[str, int]:
        counts = {value.value: 0 for value in values}
        pipeline = [
            {"$match": _query(log_filter)},
            {"$group": {"_id": f"${field}", "count": {"$sum": 1}}},
        ]
        with self._documents.translate_errors():
            cursor = await self._documents.collection.aggregate(pipeline)
            async for group in cursor:
                if group["_id"] in counts:
                    counts[group["_id"]] = group["count"]
        return counts

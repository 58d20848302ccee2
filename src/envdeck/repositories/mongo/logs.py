"""The activity log in MongoDB: append-mostly, read newest first, trimmed by age.

Every equality filter leads a compound index ending in (timestamp, _id) descending, so a
filtered page and each batch of an export (keyset on timestamp and _id) are read off one index.
Entries expire through a TTL index on timestamp (`expire_after`). Text search (`q`) is a
case-insensitive regex over message, environmentName and username: it reads the entries the
other filters select, newest first.
"""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import BulkWriteError

from envdeck.domain.attention import ATTENTION_RULES
from envdeck.domain.errors import LogNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogBatch, LogCounts, LogEntry, LogFilter, LogListOptions
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    contains,
    equality_query,
    object_id,
    set_ttl,
)

_NEWEST_FIRST = [("timestamp", DESCENDING), ("_id", DESCENDING)]
_DUPLICATE_KEY = 11000
_MS = timedelta(milliseconds=1)
# createIndex of an existing index with other options (here: another expireAfterSeconds):
# IndexOptionsConflict, or IndexKeySpecsConflict when the name is the same (server versions differ).
_TTL_INDEX = "timestamp_ttl"

# Each filter leads an index that then serves the newest-first order as well.
INDEXES = [
    IndexModel(_NEWEST_FIRST),
    IndexModel([("environmentId", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("userId", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("type", ASCENDING), *_NEWEST_FIRST]),
    # type+level also serves the counts by level under a type filter (the dashboard's question).
    IndexModel([("type", ASCENDING), ("level", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("level", ASCENDING), *_NEWEST_FIRST]),
    IndexModel([("action", ASCENDING), *_NEWEST_FIRST]),
]


def attention_query() -> Document:
    """Return the query of the entries that need a person (domain/attention.py's rules)."""
    terms: list[Document] = []
    for rule in ATTENTION_RULES:
        term: Document = {"action": {"$in": list(rule.actions)}, "type": rule.type.value}
        if rule.levels:
            term["level"] = {"$in": [level.value for level in rule.levels]}
        terms.append(term)
    return {"$or": terms}


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
    if log_filter.exclude_actions:
        excluded = list(log_filter.exclude_actions)
        query["action"] = (
            {"$nin": excluded}
            if "action" not in query
            else {"$eq": query["action"], "$nin": excluded}
        )
    if log_filter.q:
        pattern = contains(log_filter.q)
        query["$or"] = [{"message": pattern}, {"environmentName": pattern}, {"username": pattern}]
    if log_filter.attention:
        query["$and"] = [attention_query()]
    # The range is inclusive. Times are whole milliseconds, so ">= start" is "> start - 1 ms":
    # strict bounds, which SecantusDB (the test server) also serves right off a compound index
    # (with $gte/$lte there it drops the entries at exactly the bound).
    when: Document = {}
    if log_filter.start_date is not None:
        when["$gt"] = log_filter.start_date - _MS
    if log_filter.end_date is not None:
        when["$lt"] = log_filter.end_date + _MS
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

    async def iterate(self, log_filter: LogFilter, batch_size: int) -> AsyncIterator[LogBatch]:
        query = _query(log_filter)
        after: Document | None = None
        while True:
            page = query if after is None else {"$and": [query, after]}
            with self._documents.translate_errors():
                cursor = self._documents.collection.find(page).sort(_NEWEST_FIRST)
                documents = await cursor.limit(batch_size).to_list()
            if documents:
                yield [self._documents.load(document) for document in documents]
            if len(documents) < batch_size:
                return
            last = documents[-1]
            after = {
                "$or": [
                    {"timestamp": {"$lt": last["timestamp"]}},
                    {"timestamp": last["timestamp"], "_id": {"$lt": last["_id"]}},
                ]
            }

    async def summarize(self, log_filter: LogFilter) -> LogCounts:
        pipeline = [
            {"$match": _query(log_filter)},
            {"$group": {"_id": {"type": "$type", "level": "$level"}, "count": {"$sum": 1}}},
        ]
        groups: dict[tuple[str, str], int] = {}
        with self._documents.translate_errors():
            cursor = await self._documents.collection.aggregate(pipeline)
            async for group in cursor:
                key = (str(group["_id"]["type"]), str(group["_id"]["level"]))
                groups[key] = int(group["count"])
        return LogCounts.of(groups)

    async def count_unread(
        self,
        since: datetime | None,
        user_id: str,
        cap: int,
        exclude_actions: tuple[str, ...] = (),
        *,
        attention: bool = False,
    ) -> int:
        # $ne also matches entries with no userId (system entries, failed logins).
        query: Document = {"userId": {"$ne": user_id}}
        if attention:
            query["$and"] = [attention_query()]
        if since is not None:
            query["timestamp"] = {"$gt": since}
        if exclude_actions:
            query["action"] = {"$nin": list(exclude_actions)}
        with self._documents.translate_errors():
            return await self._documents.collection.count_documents(query, limit=cap)

    async def delete_before(self, cutoff: datetime) -> int:
        with self._documents.translate_errors():
            result = await self._documents.collection.delete_many({"timestamp": {"$lt": cutoff}})
        return result.deleted_count

    async def expire_after(self, retention: timedelta) -> bool:
        seconds = int(retention.total_seconds())
        with self._documents.translate_errors():
            await set_ttl(self._documents.collection, "timestamp", _TTL_INDEX, seconds)
        return True

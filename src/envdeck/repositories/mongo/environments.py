"""Environments in MongoDB: one document each, `status` written apart from the configuration."""

import builtins
from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne

from envdeck.domain.clock import utc_now
from envdeck.domain.environment import (
    HEALTH_RANK,
    ActiveOperation,
    Environment,
    EnvironmentListOptions,
    EnvironmentSort,
    HealthState,
    OperationTimestamp,
    Status,
    SystemInfo,
)
from envdeck.domain.errors import EnvironmentNotFound
from envdeck.domain.ids import new_id
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    Sort,
    contains,
    equality_query,
    object_id,
    to_document,
)

# The health rank is kept beside the status so that the "health" sort is served by an index.
_HEALTH_RANK = "healthRank"
_SHADOW = (_HEALTH_RANK,)
_CREDENTIAL_ID = "credentials.keyId"

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
    IndexModel([(_CREDENTIAL_ID, ASCENDING), ("name", ASCENDING)]),
    *(IndexModel(sort) for name, sort in _SORTS.items() if not name.endswith("name")),
]


def _status_fields(status: Status) -> Document:
    return {"status": to_document(status), _HEALTH_RANK: HEALTH_RANK[status.health]}


def _query(options: EnvironmentListOptions) -> Document:
    query = equality_query([("status.health", options.status), ("tags", options.tag)])
    if options.q:
        pattern = contains(options.q)
        query["$or"] = [
            {"name": pattern},
            {"description": pattern},
            {"environmentURL": pattern},
        ]
    ids: dict[str, list[ObjectId]] = {}
    if options.ids is not None:
        ids["$in"] = [oid for oid in map(object_id, options.ids) if oid is not None]
    if options.exclude_ids:
        ids["$nin"] = [oid for oid in map(object_id, options.exclude_ids) if oid is not None]
    if ids:
        query["_id"] = ids
    return query


async def _group(
    documents: MongoDocuments[Environment], pipeline: Sequence[Document]
) -> dict[str, int]:
    with documents.translate_errors():
        cursor = await documents.collection.aggregate(list(pipeline))
        return {str(row["_id"]): int(row["n"]) async for row in cursor}


class MongoEnvironmentRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, Environment, EnvironmentNotFound, "environment", INDEXES, _SHADOW
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, environment: Environment) -> Environment:
        stored = environment.model_copy(deep=True)
        stored.id = environment.id or new_id()
        now = utc_now()
        stored.timestamps.created_at = now
        stored.timestamps.updated_at = now
        return await self._documents.insert(stored, _status_fields(stored.status))

    async def get_by_id(self, environment_id: str) -> Environment:
        return await self._documents.get(environment_id)

    async def get_by_name(self, name: str) -> Environment:
        return await self._documents.find_one({"name": name})

    async def list_by_credential(self, credential_id: str) -> list[Environment]:
        query = {_CREDENTIAL_ID: credential_id}
        with self._documents.translate_errors():
            cursor = self._documents.collection.find(query).sort("name", ASCENDING)
            documents = await cursor.to_list()
        return [self._documents.load(document) for document in documents]

    async def list(self, options: EnvironmentListOptions) -> tuple[list[Environment], int]:
        return await self._documents.page(_query(options), _SORTS[options.sort], options)

    async def find(self, options: EnvironmentListOptions) -> builtins.list[Environment]:
        return await self._documents.find_page(_query(options), _SORTS[options.sort], options)

    async def update(self, environment: Environment) -> Environment:
        # Dotted timestamp paths keep createdAt, and leaving status out keeps what
        # update_status wrote meanwhile: both are one atomic $set on the document.
        # activeOperation and the operation timestamps are the operation service's to write.
        fields = to_document(environment, exclude={"status", "timestamps", "active_operation"})
        timestamps = to_document(
            environment.timestamps, exclude={"created_at", "last_restart_at", "last_upgrade_at"}
        )
        fields.update({f"timestamps.{key}": value for key, value in timestamps.items()})
        fields["timestamps.updatedAt"] = utc_now()
        return await self._documents.find_one_and_update(environment.id, {"$set": fields})

    async def update_status(self, environment_id: str, status: Status) -> None:
        await self._documents.update_one(environment_id, {"$set": _status_fields(status)})

    async def update_statuses(self, statuses: dict[str, Status]) -> None:
        writes = []
        for environment_id, status in statuses.items():
            oid = object_id(environment_id)
            if oid is None:
                continue
            fields = _status_fields(status)
            if status.health is HealthState.HEALTHY and status.last_check is not None:
                fields["timestamps.lastHealthyAt"] = status.last_check
            writes.append(UpdateOne({"_id": oid}, {"$set": fields}))
        if writes:
            # Unordered: one environment deleted meanwhile matches nothing and stops nothing.
            with self._documents.translate_errors():
                await self._documents.collection.bulk_write(writes, ordered=False)

    async def update_system_info(self, environment_id: str, system_info: SystemInfo) -> None:
        change = {"$set": {"systemInfo": to_document(system_info)}}
        await self._documents.update_one(environment_id, change)

    async def update_system_infos(self, system_infos: dict[str, SystemInfo]) -> None:
        writes = [
            UpdateOne({"_id": oid}, {"$set": {"systemInfo": to_document(info)}})
            for environment_id, info in system_infos.items()
            if (oid := object_id(environment_id)) is not None
        ]
        if writes:
            with self._documents.translate_errors():
                await self._documents.collection.bulk_write(writes, ordered=False)

    async def _compare_and_set(self, query: Document, change: Document) -> bool:
        with self._documents.translate_errors():
            result = await self._documents.collection.update_one(query, change)
        return bool(result.matched_count)

    async def set_active_operation(
        self, environment_id: str, active: ActiveOperation, expected: str | None = None
    ) -> bool:
        oid = self._documents.object_id(environment_id)
        # {"activeOperation": None} matches a null and a missing field alike.
        current = (
            {"activeOperation": None} if expected is None else {"activeOperation.id": expected}
        )
        done = await self._compare_and_set(
            {"_id": oid, **current},
            {"$set": {"activeOperation": active.model_dump(by_alias=True, mode="python")}},
        )
        if not done:
            await self._documents.get(environment_id)  # raises EnvironmentNotFound
        return done

    async def clear_active_operation(self, environment_id: str, operation_id: str) -> bool:
        oid = object_id(environment_id)
        if oid is None:
            return False
        return await self._compare_and_set(
            {"_id": oid, "activeOperation.id": operation_id}, {"$set": {"activeOperation": None}}
        )

    async def set_host_key(self, environment_id: str, host_key: str, expected: str = "") -> bool:
        oid = object_id(environment_id)
        if oid is None:
            return False
        current: Document = {"target.hostKey": expected}
        if not expected:
            current = {"$or": [{"target.hostKey": ""}, {"target.hostKey": None}]}
        return await self._compare_and_set(
            {"_id": oid, **current}, {"$set": {"target.hostKey": host_key}}
        )

    async def set_operation_timestamp(
        self, environment_id: str, name: OperationTimestamp, at: datetime
    ) -> None:
        oid = object_id(environment_id)
        if oid is not None:
            await self._compare_and_set({"_id": oid}, {"$set": {f"timestamps.{name}": at}})

    async def delete(self, environment_id: str) -> None:
        await self._documents.delete(environment_id)

    async def count(self) -> int:
        return await self._documents.count()

    async def count_by_health(self) -> dict[str, int]:
        pipeline = [{"$group": {"_id": "$status.health", "n": {"$sum": 1}}}]
        counts = dict.fromkeys((state.value for state in HealthState), 0)
        counts.update(await _group(self._documents, pipeline))
        return counts

    async def count_by_tag(self) -> dict[str, int]:
        pipeline: list[Document] = [
            {"$unwind": "$tags"},
            {"$group": {"_id": "$tags", "n": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ]
        return await _group(self._documents, pipeline)

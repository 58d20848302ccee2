"""Health samples in MongoDB: `healthSamples` (raw, one document per check) and `healthRollups`
(one document per environment and hour, unique).

A batch is an unordered insert_many of the samples and one bulk_write of upserts ($inc the
counts and the response-time sum, $max the peak), one per environment and hour it touches.
Reads are ranges on (environmentId, timestamp|hour), grouped by time bucket in an aggregation.
Both collections expire old documents through TTL indexes (`expire_after`); `delete_before`
exists for callers that purge themselves.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne

from envdeck.domain.environment import HealthState
from envdeck.domain.health import HealthPoint, HealthSample
from envdeck.repositories.health_rollups import (
    HOUR_MS,
    RollupIncrement,
    average,
    bucket_ms,
    from_epoch_ms,
    rollup_increments,
)
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    set_ttl,
    translate_errors,
)

_MS = timedelta(milliseconds=1)
# createIndex of an existing index with another expireAfterSeconds (codes differ by version).
_SAMPLES_TTL = "timestamp_ttl"
_ROLLUPS_TTL = "hour_ttl"

SAMPLE_INDEXES = [IndexModel([("environmentId", ASCENDING), ("timestamp", ASCENDING)])]
ROLLUP_INDEXES = [IndexModel([("environmentId", ASCENDING), ("hour", ASCENDING)], unique=True)]
_SAMPLE_FIELDS = {"_id": 0, "environmentId": 1, "timestamp": 1, "health": 1}
_SAMPLE_FIELDS |= {"responseTime": 1, "statusCode": 1, "message": 1}


def _after(start: datetime) -> Document:
    # ">= start" written "> start - 1 ms" (times are whole milliseconds): SecantusDB, the test
    # server, drops documents at exactly a $gte bound of a compound-index range.
    return {"$gt": start - _MS}


def _bucket_start(field: str, width: int) -> Document:
    millis = {"$toLong": f"${field}"}
    return {"$subtract": [millis, {"$mod": [millis, width]}]}


def _point(group: Mapping[str, Any], avg: float | None) -> HealthPoint:
    return HealthPoint(
        timestamp=from_epoch_ms(group["_id"]),
        checks=int(group["checks"]),
        healthy_checks=int(group["healthyChecks"]),
        response_time_avg=avg,
        response_time_max=group.get("responseTimeMax"),
    )


def _raw_group(width: int, by_environment: bool = False) -> Document:
    start = _bucket_start("timestamp", width)
    key: Any = {"environmentId": "$environmentId", "start": start} if by_environment else start
    healthy = {"$cond": [{"$eq": ["$health", HealthState.HEALTHY.value]}, 1, 0]}
    return {
        "$group": {
            "_id": key,
            "checks": {"$sum": 1},
            "healthyChecks": {"$sum": healthy},
            "responseTimeAvg": {"$avg": "$responseTime"},
            "responseTimeMax": {"$max": "$responseTime"},
        }
    }


def _sample(document: Mapping[str, Any]) -> HealthSample:
    return HealthSample(
        environment_id=document["environmentId"],
        timestamp=document["timestamp"],
        health=HealthState(document["health"]),
        response_time=document.get("responseTime"),
        status_code=document.get("statusCode"),
        message=document.get("message", ""),
    )


def _rollup_upsert(increment: RollupIncrement) -> UpdateOne:
    change: Document = {
        "$inc": {
            "checks": increment.checks,
            "healthyChecks": increment.healthy_checks,
            "responseTimeSum": increment.response_time_sum,
            "responseTimeCount": increment.response_time_count,
        }
    }
    if increment.response_time_max is not None:
        change["$max"] = {"responseTimeMax": increment.response_time_max}
    key = {"environmentId": increment.environment_id, "hour": from_epoch_ms(increment.hour_ms)}
    return UpdateOne(key, change, upsert=True)


class MongoHealthSampleRepository:
    def __init__(self, samples: MongoCollection, rollups: MongoCollection) -> None:
        self._samples = samples
        self._rollups = rollups

    async def create_indexes(self) -> None:
        await self._samples.create_indexes(SAMPLE_INDEXES)
        await self._rollups.create_indexes(ROLLUP_INDEXES)

    async def record(self, samples: list[HealthSample]) -> None:
        if not samples:
            return
        documents = [
            {
                "environmentId": s.environment_id,
                "timestamp": s.timestamp,
                "health": s.health.value,
                "responseTime": s.response_time,
                "statusCode": s.status_code,
                "message": s.message,
            }
            for s in samples
        ]
        upserts = [_rollup_upsert(increment) for increment in rollup_increments(samples)]
        with translate_errors():
            await self._samples.insert_many(documents, ordered=False)
            await self._rollups.bulk_write(upserts, ordered=False)

    async def history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        when = {**_after(start), "$lt": end}
        pipeline: list[Document] = [
            {"$match": {"environmentId": environment_id, "timestamp": when}},
            _raw_group(bucket_ms(bucket)),
            {"$sort": {"_id": 1}},
        ]
        groups = await self._aggregate(self._samples, pipeline)
        return [_point(group, group.get("responseTimeAvg")) for group in groups]

    async def rollup_history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        # Whole hours: a rollup is never split between buckets.
        width = max(HOUR_MS, bucket_ms(bucket) // HOUR_MS * HOUR_MS)
        when = {**_after(start), "$lt": end}
        pipeline: list[Document] = [
            {"$match": {"environmentId": environment_id, "hour": when}},
            {
                "$group": {
                    "_id": _bucket_start("hour", width),
                    "checks": {"$sum": "$checks"},
                    "healthyChecks": {"$sum": "$healthyChecks"},
                    "responseTimeSum": {"$sum": "$responseTimeSum"},
                    "responseTimeCount": {"$sum": "$responseTimeCount"},
                    "responseTimeMax": {"$max": "$responseTimeMax"},
                }
            },
            {"$sort": {"_id": 1}},
        ]
        groups = await self._aggregate(self._rollups, pipeline)
        return [
            _point(group, average(group["responseTimeSum"], group["responseTimeCount"]))
            for group in groups
        ]

    async def recent(
        self, environment_ids: list[str], since: datetime, bucket: timedelta
    ) -> dict[str, list[HealthPoint]]:
        ids = list(dict.fromkeys(environment_ids))
        points: dict[str, list[HealthPoint]] = {environment_id: [] for environment_id in ids}
        if not ids:
            return points
        pipeline: list[Document] = [
            {"$match": {"environmentId": {"$in": ids}, "timestamp": _after(since)}},
            _raw_group(bucket_ms(bucket), by_environment=True),
            {"$sort": {"_id.environmentId": 1, "_id.start": 1}},
        ]
        for group in await self._aggregate(self._samples, pipeline):
            key = group["_id"]
            flat = {**group, "_id": key["start"]}
            points[key["environmentId"]].append(_point(flat, group.get("responseTimeAvg")))
        return points

    async def latest(self, environment_id: str, limit: int) -> list[HealthSample]:
        with translate_errors():
            cursor = self._samples.find({"environmentId": environment_id}, _SAMPLE_FIELDS)
            sort = [("environmentId", ASCENDING), ("timestamp", DESCENDING)]
            documents = await cursor.sort(sort).limit(limit).to_list()
        return [_sample(document) for document in documents]

    async def uptime(self, environment_id: str, since: datetime) -> tuple[int, int]:
        pipeline: list[Document] = [
            {"$match": {"environmentId": environment_id, "hour": _after(since)}},
            {
                "$group": {
                    "_id": None,
                    "checks": {"$sum": "$checks"},
                    "healthyChecks": {"$sum": "$healthyChecks"},
                }
            },
        ]
        groups = await self._aggregate(self._rollups, pipeline)
        if not groups:
            return 0, 0
        return int(groups[0]["checks"]), int(groups[0]["healthyChecks"])

    async def delete_before(self, raw_cutoff: datetime, rollup_cutoff: datetime) -> int:
        with translate_errors():
            raw = await self._samples.delete_many({"timestamp": {"$lt": raw_cutoff}})
            rollups = await self._rollups.delete_many({"hour": {"$lt": rollup_cutoff}})
        return raw.deleted_count + rollups.deleted_count

    async def delete_for_environment(self, environment_id: str) -> None:
        with translate_errors():
            await self._samples.delete_many({"environmentId": environment_id})
            await self._rollups.delete_many({"environmentId": environment_id})

    async def expire_after(self, raw_retention: timedelta, rollup_retention: timedelta) -> bool:
        with translate_errors():
            seconds = int(raw_retention.total_seconds())
            await set_ttl(self._samples, "timestamp", _SAMPLES_TTL, seconds)
            seconds = int(rollup_retention.total_seconds())
            await set_ttl(self._rollups, "hour", _ROLLUPS_TTL, seconds)
        return True

    async def _aggregate(
        self, collection: MongoCollection, pipeline: list[Document]
    ) -> list[Document]:
        with translate_errors():
            cursor = await collection.aggregate(pipeline)
            return await cursor.to_list()

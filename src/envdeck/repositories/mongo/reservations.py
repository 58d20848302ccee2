"""Reservations in MongoDB, with writes serialised per environment by a lock document.

A check for overlapping reservations followed by an insert is two statements, and MongoDB
without a replica set has no transactions. So every write that could create an overlap
(`create`, `set_end`) first takes the environment's lock in `reservationLocks`: a conditional
upsert of the document `{_id: environmentId}` that matches only when the lock is free or its
holder's time ran out (the duplicate `_id` of the upsert says "held", as for leases). Holding it,
the writer checks and writes, then deletes the lock (only if still its own). Of writers on any
number of instances, one at a time is between check and write for one environment. A holder
that dies releases the lock by its expiry (`LOCK_TTL`), far longer than a check and a write.
"""

import asyncio
import builtins
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import Unavailable
from envdeck.domain.ids import new_id
from envdeck.domain.reservation import (
    CurrentAndNext,
    ExpiryState,
    Holder,
    Reservation,
    ReservationListOptions,
    ReservationNotFound,
    Reserved,
    current_and_next,
)
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    translate_errors,
)

INDEXES = [
    IndexModel([("environmentId", ASCENDING), ("releasedAt", ASCENDING), ("start", ASCENDING)]),
    IndexModel([("start", DESCENDING), ("_id", DESCENDING)]),
    IndexModel([("holder.userId", ASCENDING), ("start", DESCENDING), ("_id", DESCENDING)]),
    IndexModel([("holder.username", ASCENDING), ("start", DESCENDING), ("_id", DESCENDING)]),
    IndexModel([("releasedAt", ASCENDING), ("expiry", ASCENDING), ("end", ASCENDING)]),
]
_SORT = [("start", DESCENDING), ("_id", DESCENDING)]

# A lock not released by then was left by a writer that died.
LOCK_TTL = timedelta(seconds=10)
# Waiting for a lock longer than this means storage is in trouble.
LOCK_WAIT = 10.0


class MongoReservationRepository:
    def __init__(self, collection: MongoCollection, locks: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, Reservation, ReservationNotFound, "reservation", INDEXES
        )
        self._locks = locks

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    @asynccontextmanager
    async def _locked(self, environment_id: str) -> AsyncIterator[None]:
        token = new_id()
        deadline = asyncio.get_running_loop().time() + LOCK_WAIT
        delay = 0.002
        while True:
            now = utc_now()
            free = {"_id": environment_id, "expiresAt": {"$lte": now}}
            take = {"$set": {"token": token, "expiresAt": now + LOCK_TTL}}
            with translate_errors():
                try:
                    await self._locks.update_one(free, take, upsert=True)
                    break
                except DuplicateKeyError:
                    pass
            if asyncio.get_running_loop().time() > deadline:
                raise Unavailable("the environment's reservations are busy: try again")
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            with translate_errors():
                await self._locks.delete_one({"_id": environment_id, "token": token})

    async def _overlapping(
        self, environment_id: str, start: datetime, end: datetime, exclude: str | None = None
    ) -> Reservation | None:
        query: Document = {
            "environmentId": environment_id,
            "releasedAt": None,
            "start": {"$lt": end},
            "end": {"$gt": start},
        }
        if exclude is not None:
            query["_id"] = {"$ne": self._documents.object_id(exclude)}
        with translate_errors():
            found = await self._documents.collection.find(query).sort("start", 1).to_list(1)
        return self._documents.load(found[0]) if found else None

    async def create(self, reservation: Reservation) -> Reservation:
        stored = reservation.model_copy(update={"id": new_id(), "created_at": utc_now()})
        async with self._locked(stored.environment_id):
            conflict = await self._overlapping(stored.environment_id, stored.start, stored.end)
            if conflict is not None:
                raise Reserved.by(conflict)
            return await self._documents.insert(stored)

    async def get_by_id(self, reservation_id: str) -> Reservation:
        return await self._documents.get(reservation_id)

    async def list(self, options: ReservationListOptions) -> tuple[builtins.list[Reservation], int]:
        query: Document = {}
        if options.environment_id is not None:
            query["environmentId"] = options.environment_id
        if options.holder_id is not None:
            query["holder.userId"] = options.holder_id
        if options.holder_username is not None:
            query["holder.username"] = options.holder_username
        clauses: builtins.list[Document] = []
        if options.active is not None:
            at = options.at or utc_now()
            holding: Document = {"releasedAt": None, "start": {"$lte": at}, "end": {"$gt": at}}
            clauses.append(holding if options.active else {"$nor": [holding]})
        if options.from_ is not None:
            clauses.append({"end": {"$gt": options.from_}})
        if options.to is not None:
            clauses.append({"start": {"$lt": options.to}})
        if clauses:
            query["$and"] = clauses
        return await self._documents.page(query, _SORT, options)

    async def set_end(self, reservation_id: str, end: datetime) -> Reservation:
        current = await self._documents.get(reservation_id)
        async with self._locked(current.environment_id):
            conflict = await self._overlapping(
                current.environment_id, current.start, end, exclude=reservation_id
            )
            if conflict is not None:
                raise Reserved.by(conflict)
            with translate_errors():
                document = await self._documents.collection.find_one_and_update(
                    {"_id": self._documents.object_id(reservation_id), "releasedAt": None},
                    {"$set": {"end": end, "expiry": ExpiryState.PENDING.value}},
                    return_document=ReturnDocument.AFTER,
                )
        if document is None:
            raise ReservationNotFound
        return self._documents.load(document)

    async def release(
        self, reservation_id: str, at: datetime, by: Holder, reason: str | None = None
    ) -> Reservation | None:
        oid = self._documents.object_id(reservation_id)
        change: dict[str, Any] = {"releasedAt": at, "releasedBy": by.model_dump(by_alias=True)}
        if reason is not None:
            change["breakReason"] = reason
        with translate_errors():
            document = await self._documents.collection.find_one_and_update(
                {"_id": oid, "releasedAt": None},
                {"$set": change},
                return_document=ReturnDocument.AFTER,
            )
        if document is None:
            await self._documents.get(reservation_id)  # NotFound, else released already
            return None
        return self._documents.load(document)

    async def current_and_next(
        self, environment_ids: Sequence[str], now: datetime
    ) -> dict[str, CurrentAndNext]:
        if not environment_ids:
            return {}
        query = {
            "environmentId": {"$in": list(environment_ids)},
            "releasedAt": None,
            "end": {"$gt": now},
        }
        with translate_errors():
            found = await self._documents.collection.find(query).sort("start", 1).to_list()
        return current_and_next([self._documents.load(d) for d in found], now)

    async def reserved_between(self, start: datetime, end: datetime) -> set[str]:
        query = {"releasedAt": None, "end": {"$gt": start}, "start": {"$lt": end}}
        with translate_errors():
            found = await self._documents.collection.find(query, {"environmentId": 1}).to_list()
        return {str(document["environmentId"]) for document in found}

    async def add_watcher(self, reservation_id: str, watcher: Holder) -> Reservation:
        return await self._documents.find_one_and_update(
            reservation_id, {"$addToSet": {"watchers": watcher.model_dump(by_alias=True)}}
        )

    async def list_expiring(self, cutoff: datetime, limit: int) -> builtins.list[Reservation]:
        query = {"releasedAt": None, "expiry": {"$ne": "ended"}, "end": {"$lte": cutoff}}
        with translate_errors():
            found = (
                await self._documents.collection.find(query)
                .sort([("end", 1), ("_id", 1)])
                .to_list(limit)
            )
        return [self._documents.load(document) for document in found]

    async def advance_expiry(
        self, reservation_id: str, expected: ExpiryState, new: ExpiryState
    ) -> bool:
        oid = self._documents.object_id(reservation_id)
        with translate_errors():
            result = await self._documents.collection.update_one(
                {"_id": oid, "expiry": expected.value}, {"$set": {"expiry": new.value}}
            )
        return result.modified_count == 1

"""Leases in MongoDB: one document per lease name, taken by a conditional upsert.

`acquire` updates the lease when it is the caller's or expired, and inserts it when there is
none; when another holds it, the filter matches nothing, the upsert tries to insert a second
document with the same `_id`, and the duplicate key says "not yours". One round trip, and of
racing instances exactly one wins (the `_id` is unique).
"""

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from envdeck.domain.lease import Lease
from envdeck.repositories.mongo.documents import MongoCollection, translate_errors


class MongoLeaseRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        """Nothing to index: leases are found by `_id`, and there are a few dozen."""

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        mine_or_free: dict[str, Any] = {
            "_id": name,
            "$or": [{"holder": holder}, {"expiresAt": {"$lte": now}}],
        }
        update = {"$set": {"holder": holder, "expiresAt": until}}
        with translate_errors():
            try:
                await self._collection.update_one(mine_or_free, update, upsert=True)
            except DuplicateKeyError:
                return False
        return True

    async def renew(
        self, names: Sequence[str], holder: str, now: datetime, until: datetime
    ) -> set[str]:
        if not names:
            return set()
        # Expired but nobody took it since: still the holder's (nobody did its work meanwhile).
        held = {"_id": {"$in": list(names)}, "holder": holder}
        with translate_errors():
            await self._collection.update_many(held, {"$set": {"expiresAt": until}})
            cursor = self._collection.find(
                {"_id": {"$in": list(names)}, "holder": holder, "expiresAt": until}, {"_id": 1}
            )
            return {document["_id"] for document in await cursor.to_list()}

    async def release(self, names: Sequence[str], holder: str) -> None:
        if names:
            with translate_errors():
                await self._collection.delete_many({"_id": {"$in": list(names)}, "holder": holder})

    async def list_all(self) -> builtins.list[Lease]:
        with translate_errors():
            found = await self._collection.find().sort("_id", 1).to_list()
        return [Lease(name=d["_id"], holder=d["holder"], expires_at=d["expiresAt"]) for d in found]

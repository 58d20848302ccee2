"""Revoked login tokens in MongoDB: `_id` is the jti, and a TTL index forgets expired ones."""

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from envdeck.repositories.mongo.documents import MongoCollection, translate_errors

# MongoDB deletes a revocation by itself (within a minute or so) once its token has expired;
# purge_expired does the same on demand, for SQLite's sake and for tests.
INDEXES = [IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0)]


class MongoRevocationRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(INDEXES)

    async def revoke(self, jti: str, expires_at: datetime) -> None:
        # An upsert is idempotent, and $max keeps the later expiry when revoked again: a
        # revocation is never forgotten before a caller said its token could still be used.
        with translate_errors("revocation"):
            await self._collection.update_one(
                {"_id": jti}, {"$max": {"expiresAt": expires_at}}, upsert=True
            )

    async def is_revoked(self, jti: str) -> bool:
        with translate_errors("revocation"):
            return await self._collection.find_one({"_id": jti}, {"_id": 1}) is not None

    async def purge_expired(self, now: datetime) -> int:
        with translate_errors("revocation"):
            result = await self._collection.delete_many({"expiresAt": {"$lt": now}})
        return result.deleted_count

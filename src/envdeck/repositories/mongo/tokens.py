"""API tokens in MongoDB, unique by the hash of their secret, listed newest first."""

from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import ApiTokenNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.user import ApiToken, ApiTokenListOptions
from envdeck.repositories.mongo.documents import (
    MongoCollection,
    MongoDocuments,
    equality_query,
    object_id,
)

_NEWEST_FIRST = [("createdAt", DESCENDING), ("_id", DESCENDING)]

INDEXES = [
    IndexModel([("hash", ASCENDING)], unique=True),
    IndexModel(_NEWEST_FIRST),
    IndexModel([("userId", ASCENDING), *_NEWEST_FIRST]),
]


class MongoApiTokenRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, ApiToken, ApiTokenNotFound, "API token", INDEXES
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, token: ApiToken) -> ApiToken:
        stored = token.model_copy(deep=True)
        stored.id = new_id()
        stored.created_at = utc_now()
        return await self._documents.insert(stored)

    async def get_by_id(self, token_id: str) -> ApiToken:
        return await self._documents.get(token_id)

    async def get_by_hash(self, token_hash: str) -> ApiToken:
        return await self._documents.find_one({"hash": token_hash})

    async def list(self, options: ApiTokenListOptions) -> tuple[list[ApiToken], int]:
        query = equality_query([("userId", options.user_id)])
        return await self._documents.page(query, _NEWEST_FIRST, options)

    async def touch(self, token_id: str, used_at: datetime) -> None:
        # A token deleted while a request used it is no error: there is nothing to record.
        oid = object_id(token_id)
        if oid is None:
            return
        with self._documents.translate_errors():
            await self._documents.collection.update_one(
                {"_id": oid}, {"$set": {"lastUsedAt": used_at}}
            )

    async def delete(self, token_id: str) -> None:
        await self._documents.delete(token_id)

    async def delete_for_user(self, user_id: str) -> int:
        with self._documents.translate_errors():
            result = await self._documents.collection.delete_many({"userId": user_id})
        return result.deleted_count

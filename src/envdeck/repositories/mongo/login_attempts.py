"""Recent failed sign-ins in MongoDB: `_id` is the key, each write a compare-and-set on version.

Every instance reads and writes the same documents, so the limits hold across instances. A TTL
index deletes a window once its newest attempt has left it.
"""

from datetime import datetime

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from envdeck.domain.login_attempt import AttemptWindow
from envdeck.repositories.mongo.documents import Document, MongoCollection, translate_errors

INDEXES = [
    IndexModel([("account", ASCENDING)]),
    IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0),
]


def _document(window: AttemptWindow) -> Document:
    document = window.model_dump(by_alias=True, mode="python", exclude={"key"})
    document["_id"] = window.key
    return document


def _window(document: Document) -> AttemptWindow:
    fields = {key: value for key, value in document.items() if key != "_id"}
    return AttemptWindow.model_validate({**fields, "key": document["_id"]})


class MongoLoginAttemptRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(INDEXES)

    async def get(self, key: str) -> AttemptWindow | None:
        with translate_errors("login attempts"):
            document = await self._collection.find_one({"_id": key})
        return None if document is None else _window(document)

    async def save(self, window: AttemptWindow) -> bool:
        document = _document(window)
        with translate_errors("login attempts"):
            if window.version == 1:
                try:
                    await self._collection.insert_one(document)
                except DuplicateKeyError:
                    return False  # another write stored version 1 first
                return True
            result = await self._collection.replace_one(
                {"_id": window.key, "version": window.version - 1}, document
            )
        return result.matched_count == 1

    async def delete_for_account(self, account: str) -> int:
        with translate_errors("login attempts"):
            result = await self._collection.delete_many({"account": account})
        return result.deleted_count

    async def purge_expired(self, now: datetime) -> int:
        with translate_errors("login attempts"):
            result = await self._collection.delete_many({"expiresAt": {"$lte": now}})
        return result.deleted_count

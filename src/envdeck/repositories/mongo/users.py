"""Users in MongoDB, unique by username and by email, both ignoring case."""

from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import UserNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.user import User, UserListOptions
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

# Lowercase copies that the unique indexes and the lookups use; emailKey is absent, not null,
# when a user has no email, so that any number of users can go without one. The partial filter
# is $exists (not $type) because the planner knows an equality match implies it, so lookups by
# email use the index.
_USERNAME_KEY = "usernameKey"
_EMAIL_KEY = "emailKey"
_SHADOW = (_USERNAME_KEY, _EMAIL_KEY)

INDEXES = [
    IndexModel([(_USERNAME_KEY, ASCENDING)], unique=True),
    IndexModel(
        [(_EMAIL_KEY, ASCENDING)],
        unique=True,
        partialFilterExpression={_EMAIL_KEY: {"$exists": True}},
    ),
    IndexModel([("role", ASCENDING), (_USERNAME_KEY, ASCENDING)]),
    IndexModel([("active", ASCENDING), (_USERNAME_KEY, ASCENDING)]),
]

_ENTITY = "user"


def _query(options: UserListOptions) -> Document:
    query: Document = {}
    if options.role is not None:
        query["role"] = options.role.value
    if options.active is not None:
        query["active"] = options.active
    if options.q:
        pattern = contains(options.q)
        query["$or"] = [{"username": pattern}, {"email": pattern}]
    return query


class MongoUserRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(INDEXES)

    async def create(self, user: User) -> User:
        stored = user.model_copy(deep=True)
        stored.id = new_id()
        stored.created_at = stored.updated_at = utc_now()
        document = {
            "_id": object_id(stored.id),
            **to_document(stored),
            _USERNAME_KEY: stored.username.lower(),
        }
        if stored.email is not None:
            document[_EMAIL_KEY] = stored.email.lower()
        with translate_errors(_ENTITY):
            await self._collection.insert_one(document)
        return stored

    async def get_by_id(self, user_id: str) -> User:
        oid = object_id(user_id)
        if oid is None:
            raise UserNotFound
        return await self._find_one({"_id": oid})

    async def get_by_username(self, username: str) -> User:
        return await self._find_one({_USERNAME_KEY: username.lower()})

    async def get_by_email(self, email: str) -> User:
        return await self._find_one({_EMAIL_KEY: email.lower()})

    async def list(self, options: UserListOptions) -> tuple[list[User], int]:
        with translate_errors(_ENTITY):
            documents, total = await find_page(
                self._collection, _query(options), [(_USERNAME_KEY, ASCENDING)], options
            )
        return [to_model(User, doc, _SHADOW) for doc in documents], total

    async def update(self, user: User) -> User:
        oid = object_id(user.id)
        if oid is None:
            raise UserNotFound
        fields = to_document(user, exclude={"password_hash", "created_at"})
        fields["updatedAt"] = utc_now()
        fields[_USERNAME_KEY] = user.username.lower()
        change: dict[str, Any] = {"$set": fields}
        if user.email is None:
            change["$unset"] = {_EMAIL_KEY: ""}
        else:
            fields[_EMAIL_KEY] = user.email.lower()
        with translate_errors(_ENTITY):
            document = await self._collection.find_one_and_update(
                {"_id": oid}, change, return_document=ReturnDocument.AFTER
            )
        if document is None:
            raise UserNotFound
        return to_model(User, document, _SHADOW)

    async def update_password(self, user_id: str, password_hash: str) -> None:
        oid = object_id(user_id)
        if oid is None:
            raise UserNotFound
        change = {"$set": {"passwordHash": password_hash, "updatedAt": utc_now()}}
        with translate_errors(_ENTITY):
            result = await self._collection.update_one({"_id": oid}, change)
        if result.matched_count == 0:
            raise UserNotFound

    async def delete(self, user_id: str) -> None:
        oid = object_id(user_id)
        if oid is None:
            raise UserNotFound
        with translate_errors(_ENTITY):
            result = await self._collection.delete_one({"_id": oid})
        if result.deleted_count == 0:
            raise UserNotFound

    async def count(self) -> int:
        with translate_errors(_ENTITY):
            return await self._collection.count_documents({})

    async def _find_one(self, query: Document) -> User:
        with translate_errors(_ENTITY):
            document = await self._collection.find_one(query)
        if document is None:
            raise UserNotFound
        return to_model(User, document, _SHADOW)

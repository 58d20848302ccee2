"""Users in MongoDB, unique by username and by email, both ignoring case."""

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import AlreadyExists, Conflict, UserNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.user import User, UserListOptions
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    contains,
    equality_query,
    to_document,
)

# Lowercase copies that the unique indexes and the lookups use; emailKey is absent, not null,
# when a user has no email, so that any number of users can go without one. The partial filter
# is $exists (not $type) because the planner knows an equality match implies it, so lookups by
# email use the index.
_USERNAME_KEY = "usernameKey"
_EMAIL_KEY = "emailKey"
# Set on the user that create_first stored; a unique index lets only one user hold it, so of
# concurrent create_first calls (in any number of processes) one insert wins. Held by the user
# itself, the claim is written in the same insert and deleted with it: unlike a separate claim
# document it cannot outlive a failed insert or a crash, nor keep blocking setup after every
# user is deleted (when SQLite's count allows it again).
_FIRST_USER = "firstUser"
_SHADOW = (_USERNAME_KEY, _EMAIL_KEY, _FIRST_USER)

INDEXES = [
    IndexModel([(_USERNAME_KEY, ASCENDING)], unique=True),
    IndexModel(
        [(_EMAIL_KEY, ASCENDING)],
        unique=True,
        partialFilterExpression={_EMAIL_KEY: {"$exists": True}},
    ),
    IndexModel([("role", ASCENDING), (_USERNAME_KEY, ASCENDING)]),
    IndexModel([("active", ASCENDING), (_USERNAME_KEY, ASCENDING)]),
    IndexModel(
        [(_FIRST_USER, ASCENDING)],
        unique=True,
        partialFilterExpression={_FIRST_USER: {"$exists": True}},
    ),
]


def _query(options: UserListOptions) -> Document:
    query = equality_query([("role", options.role), ("active", options.active)])
    if options.q:
        pattern = contains(options.q)
        query["$or"] = [{"username": pattern}, {"email": pattern}]
    return query


def _new(user: User, *, keep_given: bool = True) -> User:
    # A given id and times are kept (`envdeck migrate` brings users over with theirs); the
    # first user always gets fresh ones.
    if not keep_given:
        user = user.model_copy(update={"id": "", "created_at": None, "updated_at": None})
    stored = user.model_copy(deep=True)
    stored.id = user.id or new_id()
    now = utc_now()
    stored.created_at = user.created_at or now
    stored.updated_at = user.updated_at or now
    return stored


def _keys(user: User) -> Document:
    keys = {_USERNAME_KEY: user.username.lower()}
    if user.email is not None:
        keys[_EMAIL_KEY] = user.email.lower()
    return keys


class MongoUserRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(collection, User, UserNotFound, "user", INDEXES, _SHADOW)

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, user: User) -> User:
        stored = _new(user)
        return await self._documents.insert(stored, _keys(stored))

    async def create_first(self, user: User) -> User:
        # The count turns away a first user once users exist without a claim (made by create);
        # the claim's unique index settles a race between create_first calls.
        if await self._documents.count():
            raise Conflict("setup is already done")
        stored = _new(user, keep_given=False)
        try:
            return await self._documents.insert(stored, {**_keys(stored), _FIRST_USER: True})
        except AlreadyExists as exc:
            # Whichever index clashed, another user exists by now: the setup is done.
            raise Conflict("setup is already done") from exc

    async def get_by_id(self, user_id: str) -> User:
        return await self._documents.get(user_id)

    async def get_by_username(self, username: str) -> User:
        return await self._documents.find_one({_USERNAME_KEY: username.lower()})

    async def get_by_email(self, email: str) -> User:
        return await self._documents.find_one({_EMAIL_KEY: email.lower()})

    async def list(self, options: UserListOptions) -> tuple[list[User], int]:
        return await self._documents.page(_query(options), [(_USERNAME_KEY, ASCENDING)], options)

    async def update(self, user: User) -> User:
        fields = to_document(
            user, exclude={"password_hash", "session_version", "created_at", "logs_read_at"}
        )
        fields["updatedAt"] = utc_now()
        fields.update(_keys(user))
        change: Document = {"$set": fields}
        if user.email is None:
            change["$unset"] = {_EMAIL_KEY: ""}
        return await self._documents.find_one_and_update(user.id, change)

    async def record_login(self, user_id: str, at: datetime) -> None:
        await self._documents.update_one(user_id, {"$set": {"lastLogin": at}})

    async def update_password(self, user_id: str, password_hash: str) -> None:
        change = {
            "$set": {
                "passwordHash": password_hash,
                "updatedAt": utc_now(),
                "passwordUnchecked": False,
                "mustChangePassword": False,
            },
            # $inc treats a missing field (users stored before sessions were versioned) as 0.
            "$inc": {"sessionVersion": 1},
        }
        await self._documents.update_one(user_id, change)

    async def end_sessions(self, user_id: str) -> None:
        await self._documents.update_one(user_id, {"$inc": {"sessionVersion": 1}})

    async def set_logs_read_at(self, user_id: str, at: datetime) -> None:
        await self._documents.update_one(user_id, {"$set": {"logsReadAt": at}})

    async def delete(self, user_id: str) -> None:
        await self._documents.delete(user_id)

    async def count(self) -> int:
        return await self._documents.count()

"""What only the MongoDB backend has: failing fast when unreachable, its indexes and documents."""

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import Conflict, StorageUnavailable
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.mongo.documents import Document

from ..conftest import drop_database, unique_database_name
from .factories import make_environment, make_token, make_user


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_an_unreachable_server_is_unavailable_and_fails_fast() -> None:
    # The URI's own timeout wins over the 5 s default, which keeps this test short.
    uri = f"mongodb://127.0.0.1:{closed_port()}/?serverSelectionTimeoutMS=300"
    storage = MongoStorage(uri, "unreachable")
    started = time.monotonic()
    try:
        with pytest.raises(StorageUnavailable):
            await storage.open()
        with pytest.raises(StorageUnavailable):
            await storage.ping()
        with pytest.raises(StorageUnavailable):
            await storage.environments.count()
    finally:
        await storage.close()
    assert time.monotonic() - started < 5


async def test_open_creates_the_indexes_once(mongo_uri: str) -> None:
    database = unique_database_name()
    storage = MongoStorage(mongo_uri, database)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        await storage.open()
        await storage.open()
        indexes = {
            name: await client[database][name].index_information()
            for name in [
                "environments",
                "users",
                "logs",
                "operations",
                "credentials",
                "apiTokens",
                "revocations",
            ]
        }
    finally:
        await storage.close()
        await client.close()
        await drop_database(mongo_uri, database)

    def keys(collection: str) -> dict[tuple[tuple[str, int], ...], dict[str, object]]:
        return {tuple(spec["key"]): spec for spec in indexes[collection].values()}

    assert keys("environments")[(("name", 1),)]["unique"] is True
    assert (("tags", 1), ("name", 1)) in keys("environments")
    assert (("status.health", 1), ("name", 1)) in keys("environments")
    assert (("healthRank", 1), ("name", 1)) in keys("environments")
    assert (("credentials.keyId", 1), ("name", 1)) in keys("environments")
    assert keys("users")[(("usernameKey", 1),)]["unique"] is True
    assert keys("users")[(("emailKey", 1),)]["unique"] is True
    assert (("timestamp", -1), ("_id", -1)) in keys("logs")
    assert (("environmentId", 1), ("timestamp", -1), ("_id", -1)) in keys("logs")
    assert (("environmentId", 1), ("createdAt", -1), ("_id", -1)) in keys("operations")
    assert keys("credentials")[(("name", 1),)]["unique"] is True
    assert keys("users")[(("firstUser", 1),)]["unique"] is True
    assert keys("apiTokens")[(("hash", 1),)]["unique"] is True
    assert (("userId", 1), ("createdAt", -1), ("_id", -1)) in keys("apiTokens")
    assert keys("revocations")[(("expiresAt", 1),)]["expireAfterSeconds"] == 0


async def test_documents_use_object_ids_camel_case_and_native_dates(mongo_uri: str) -> None:
    database = unique_database_name()
    storage = MongoStorage(mongo_uri, database)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        await storage.open()
        env = await storage.environments.create(make_environment(name="docs"))
        await storage.users.create(make_user(username="Alice", email=None))
        env_doc = await client[database]["environments"].find_one({"name": "docs"})
        user_doc = await client[database]["users"].find_one({})
    finally:
        await storage.close()
        await client.close()
        await drop_database(mongo_uri, database)

    assert env_doc is not None
    assert user_doc is not None
    assert str(env_doc["_id"]) == env.id
    assert "id" not in env_doc
    assert isinstance(env_doc["timestamps"], dict)
    assert env_doc["timestamps"]["createdAt"] == env.timestamps.created_at
    assert env_doc["healthRank"] == 1
    assert user_doc["usernameKey"] == "alice"
    assert "emailKey" not in user_doc


@pytest_asyncio.fixture
async def opened(
    mongo_uri: str,
) -> AsyncIterator[tuple[MongoStorage, AsyncDatabase[Document]]]:
    """Yield an opened MongoStorage and a client on its database, dropped afterwards."""
    database = unique_database_name()
    storage = MongoStorage(mongo_uri, database)
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        await storage.open()
        yield storage, client[database]
    finally:
        await storage.close()
        await client.close()
        await drop_database(mongo_uri, database)


async def test_the_first_user_holds_the_setup_claim_and_never_shows_it(
    opened: tuple[MongoStorage, AsyncDatabase[Document]],
) -> None:
    storage, db = opened
    first = await storage.users.create_first(make_user(username="admin"))

    document = await db["users"].find_one({"usernameKey": "admin"})

    assert document is not None
    assert document["firstUser"] is True
    assert await storage.users.get_by_id(first.id) == first


async def test_users_stored_before_session_versions_start_at_version_0(
    opened: tuple[MongoStorage, AsyncDatabase[Document]],
) -> None:
    storage, db = opened
    old = await storage.users.create(make_user())
    await db["users"].update_one({}, {"$unset": {"sessionVersion": ""}})

    assert (await storage.users.get_by_id(old.id)).session_version == 0
    assert (await storage.users.update(old)).session_version == 0
    await storage.users.update_password(old.id, "new")
    assert (await storage.users.get_by_id(old.id)).session_version == 1


async def test_tokens_and_revocations_are_stored_as_documents(
    opened: tuple[MongoStorage, AsyncDatabase[Document]],
) -> None:
    storage, db = opened
    token = await storage.tokens.create(make_token(hash="h1"))
    expires_at = utc_now() + timedelta(hours=1)
    await storage.revocations.revoke("jti-1", expires_at)

    token_doc = await db["apiTokens"].find_one({})
    revocation_doc = await db["revocations"].find_one({})

    assert token_doc is not None
    assert str(token_doc["_id"]) == token.id
    assert (token_doc["hash"], token_doc["userId"]) == ("h1", token.user_id)
    assert token_doc["createdAt"] == token.created_at
    assert revocation_doc == {"_id": "jti-1", "expiresAt": expires_at}


async def test_only_one_create_first_succeeds_across_clients_of_one_database(
    opened: tuple[MongoStorage, AsyncDatabase[Document]], mongo_uri: str
) -> None:
    # A second MongoStorage has its own client and connections, as another process would.
    one, db = opened
    two = MongoStorage(mongo_uri, db.name)
    try:
        results = await asyncio.gather(
            *(store.users.create_first(make_user()) for store in [one, two] * 5),
            return_exceptions=True,
        )
    finally:
        await two.close()

    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 9
    assert await one.users.count() == 1

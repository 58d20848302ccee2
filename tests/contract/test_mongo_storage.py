"""What only the MongoDB backend has: failing fast when unreachable, its indexes and documents."""

import socket
import time

import pytest
from pymongo import AsyncMongoClient

from envdeck.domain.errors import StorageUnavailable
from envdeck.repositories.mongo import MongoStorage

from ..conftest import drop_database, unique_database_name
from .factories import make_environment, make_user


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
            for name in ["environments", "users", "logs", "operations", "credentials"]
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
    assert keys("users")[(("usernameKey", 1),)]["unique"] is True
    assert keys("users")[(("emailKey", 1),)]["unique"] is True
    assert (("timestamp", -1), ("_id", -1)) in keys("logs")
    assert (("environmentId", 1), ("timestamp", -1), ("_id", -1)) in keys("logs")
    assert (("environmentId", 1), ("createdAt", -1), ("_id", -1)) in keys("operations")
    assert keys("credentials")[(("name", 1),)]["unique"] is True


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
